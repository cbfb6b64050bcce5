"""Execute once per distinct selection: subscriptions over graphql-transport-ws
with the same document, variables, operation name, owner and principal share one
execution, and each event's `next` payload is serialized once for all of them.

Strawberry's handler runs one execution per `subscribe`: a thousand watchers of
one job cost a thousand graphql-core executions per event. Here the first
subscriber of a key starts a `Group`, which runs the execution in its own task
with its own context (a copy of the first subscriber's, fresh loaders); later
subscribers of the key join it and get its latest payload at once. Each member
keeps one slot, not a queue: a slow socket gets the latest payload when it can
take one (progress is state, not a log), then `complete` once the stream ends.
A group of one member whose socket is waiting for work is written by the
group's task itself (`Member.send`): one task switch less per event, the case
of a client watching its own job.

Owners never share: the key holds the owner and the principal, so a group runs
with the scoping of everyone in it. Queries and mutations over WebSocket are
not shared (a mutation must run once per message).
"""

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import orjson
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from strawberry.extensions import SchemaExtension
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from gql_media.dataloaders import Loaders
from gql_media.schema.common.live import Sink

logger = logging.getLogger(__name__)

_PARSED_MAX = 256  # distinct documents whose operation type is remembered
_FRAMES_MAX = 64  # distinct operation ids whose frame of one payload is kept


@dataclasses.dataclass(frozen=True)
class _End:
    """How a group's stream ended: normally, before execution, or by a crash."""

    pre_execution: PreExecutionError | None = None
    errors: list[GraphQLError] | None = None  # incremental delivery refused
    crashed: bool = False


class Member:
    """One `subscribe` of one socket in a group: a slot for the latest payload."""

    __slots__ = ("_loop", "_waiter", "end", "payload", "send")

    def __init__(self) -> None:
        self.payload: str | None = None
        self.end: _End | None = None
        self._waiter: asyncio.Future[None] | None = None
        # Found once: `get_running_loop` costs a getpid() system call, and each
        # member of a group waits once per event.
        self._loop: asyncio.AbstractEventLoop | None = None
        # Writes one payload to this member's socket (set by its handler).
        self.send: Callable[[str], Awaitable[None]] | None = None

    def idle(self) -> bool:
        """Whether the member's task waits with nothing to send: its socket is
        free for the group to write to."""
        return self._waiter is not None and self.payload is None and self.end is None

    def offer(self, payload: str | None = None, end: _End | None = None) -> None:
        # Replaces an unsent payload: the socket gets the latest when it can.
        if payload is not None:
            self.payload = payload
        if end is not None:
            self.end = end
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def take(self) -> str | _End:
        while self.payload is None and self.end is None:
            loop = self._loop
            if loop is None:
                loop = self._loop = asyncio.get_running_loop()
            self._waiter = loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self.payload is not None:  # the last state before the end, if any
            payload, self.payload = self.payload, None
            return payload
        assert self.end is not None
        return self.end


class Group:
    """One execution and the members that watch it."""

    def __init__(self, registry: "SharedSubscriptions", key: Hashable) -> None:
        self.registry = registry
        self.key = key
        self.members: set[Member] = set()
        self.latest: str | None = None  # for members who join later
        self.task: asyncio.Task[None] | None = None
        self.sink: Sink | None = None
        # The `next` frames of the latest payload, by operation id: subscribers
        # whose clients number operations alike share one frame.
        self._frames: dict[str, str] = {}
        self._frames_of: str | None = None
        # The start of a `next` frame by operation id, for every payload.
        self._heads: dict[str, str] = {}

    def frame(self, operation_id: str, payload: str) -> str:
        if payload is not self._frames_of:
            self._frames, self._frames_of = {}, payload
        frame = self._frames.get(operation_id)
        if frame is None:
            if len(self._frames) >= _FRAMES_MAX:
                self._frames.clear()
            head = self._heads.get(operation_id)
            if head is None:
                if len(self._heads) >= _FRAMES_MAX:
                    self._heads.clear()
                wire_id = orjson.dumps(operation_id).decode()
                head = self._heads[operation_id] = (
                    f'{{"id":{wire_id},"type":"next","payload":'
                )
            frame = self._frames[operation_id] = f"{head}{payload}}}"
        return frame

    def start(
        self, handler: BaseGraphQLTransportWSHandler[Any, Any], op: Operation[Any, Any]
    ) -> None:
        context = handler.context
        if dataclasses.is_dataclass(context) and hasattr(context, "live"):
            # The group outlives the first subscriber's operation: its own context,
            # and a sink for the answers the resolver serializes itself.
            self.sink = Sink(
                self.publish, allowed=self.registry.plans_allowed(handler.schema)
            )
            context = dataclasses.replace(
                context,  # type: ignore[type-var]
                loaders=Loaders(),
                live=self.sink,
            )
        self.task = asyncio.create_task(
            self._run(handler, op, context), name=f"gql-media-shared-{op.id}"
        )

    async def publish(self, payload: str) -> None:
        """Offer the payload of one event to every member (and to later ones).

        A lone member that is idle gets it written here, without waking its
        task. Meanwhile newer events wait in the bus's mailbox, where the latest
        state wins, as they would behind the member's own send. A send that
        fails is offered to the member instead: its task meets the error and
        ends that member alone.
        """
        self.latest = payload
        if len(self.members) == 1:
            (member,) = self.members
            if member.send is not None and member.idle():
                try:
                    await member.send(payload)
                except Exception:
                    member.offer(payload)
                return
        for member in self.members:
            member.offer(payload)

    def join(self) -> Member:
        member = Member()
        if self.latest is not None:
            member.offer(self.latest)
        self.members.add(member)
        return member

    def leave(self, member: Member) -> None:
        self.members.discard(member)
        if not self.members:
            self.registry.forget(self)
            if self.task is not None and not self.task.done():
                self.task.cancel()

    async def _run(
        self,
        handler: BaseGraphQLTransportWSHandler[Any, Any],
        op: Operation[Any, Any],
        context: Any,
    ) -> None:
        end = _End()
        try:
            source = await handler.schema.stream(
                op.query,
                variable_values=op.variables,
                context_value=context,
                root_value=handler.root_value,
                operation_name=op.operation_name,
            )
            async with aclosing(source):
                first = True
                async for result in source:
                    if first and isinstance(result, PreExecutionError):
                        end = _End(pre_execution=result)
                        break
                    if not isinstance(result, ExecutionResult):
                        end = _End(errors=[_NO_INCREMENTAL])
                        break
                    first = False
                    payload = _payload(result)
                    if self.sink is not None:
                        self.sink.check(payload)
                    await self.publish(payload)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("shared subscription %s failed", op.id)
            end = _End(crashed=True)
        finally:
            # New subscribers from now on start a fresh execution.
            self.registry.forget(self)
        for member in self.members:
            member.offer(end=end)


_NO_INCREMENTAL = GraphQLError(
    "Incremental delivery is not supported over graphql-transport-ws"
)


def _payload(result: ExecutionResult) -> str:
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return orjson.dumps(payload).decode()


class SharedSubscriptions:
    """The groups of one process (one per GraphQL view)."""

    def __init__(self) -> None:
        self.groups: dict[Hashable, Group] = {}
        self._kinds: dict[tuple[str, str | None], bool] = {}
        self._plans_allowed: bool | None = None

    def plans_allowed(self, schema: Any) -> bool:
        """Whether answers may skip graphql-core (`schema/common/live.py`): not
        when a schema extension wraps every resolver (tracing spans)."""
        if self._plans_allowed is None:
            self._plans_allowed = not any(
                type(extension).resolve is not SchemaExtension.resolve
                for extension in schema.get_extensions()
            )
        return self._plans_allowed

    def forget(self, group: Group) -> None:
        if self.groups.get(group.key) is group:
            del self.groups[group.key]

    def is_subscription(self, query: str, operation_name: str | None) -> bool:
        """Whether the document's operation is a subscription (False if it does
        not parse: Strawberry's own path reports that)."""
        cached = self._kinds.get((query, operation_name))
        if cached is None:
            try:
                operation = get_operation_ast(parse(query), operation_name)
            except GraphQLError:
                operation = None
            cached = (
                operation is not None
                and operation.operation == OperationType.SUBSCRIPTION
            )
            if len(self._kinds) >= _PARSED_MAX:
                self._kinds.clear()
            self._kinds[(query, operation_name)] = cached
        return cached

    def member(
        self,
        handler: BaseGraphQLTransportWSHandler[Any, Any],
        op: Operation[Any, Any],
    ) -> tuple[Group, Member]:
        """Join the group of `op`'s key, starting it if there is none."""
        key = _key(handler.context, op)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(self, key)
            member = group.join()
            group.start(handler, op)
        else:
            member = group.join()
        return group, member


def _key(context: Any, op: Operation[Any, Any]) -> Hashable:
    # Canonical variables: the same values in another key order are one selection.
    variables = orjson.dumps(op.variables or {}, option=orjson.OPT_SORT_KEYS)
    owner = getattr(context, "owner_id", None)
    principal = getattr(context, "principal", None)
    # Scopes too: a token without `read` must not join a group a reader started.
    scopes = getattr(context, "scopes", None)
    return (op.query, variables, op.operation_name, owner, principal, scopes)


class SharedTransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    """Strawberry's graphql-transport-ws handler, with subscriptions shared."""

    async def run_operation(self, operation: Operation[Any, Any]) -> None:
        shared: SharedSubscriptions = self.view.shared_subscriptions  # type: ignore[attr-defined]
        if not shared.is_subscription(operation.query, operation.operation_name):
            await super().run_operation(operation)
            return
        group, member = shared.member(self, operation)

        async def send(payload: str) -> None:
            if not operation.completed:
                frame = group.frame(operation.id, payload)
                await self.websocket.send_text(frame)  # type: ignore[attr-defined]

        member.send = send
        try:
            while True:
                item = await member.take()
                if isinstance(item, str):
                    await send(item)
                    continue
                if item.pre_execution is not None:
                    await self._handle_pre_execution_error(
                        operation, item.pre_execution
                    )
                elif item.errors is not None:
                    await operation.send_initial_errors(item.errors)
                else:
                    await operation.send_operation_message(
                        {"id": operation.id, "type": "complete"}
                    )
                return
        except Exception as exc:
            # `_OperationStreamClosed` (the socket was closed for a bad document)
            # and a socket gone under a send end this member only.
            logger.debug("shared subscription %s ended: %r", operation.id, exc)
            self.operations.pop(operation.id, None)
        finally:
            group.leave(member)
