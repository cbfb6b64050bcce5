"""Deliver a shared subscription's events without a GraphQL execution each.

A progress subscription yields one object per event, and graphql-core executes
the subscription's selection over it: parse once, but per event an executor,
field collection, a resolver call and a completion per field, extension hooks.
For the usual selection (plain fields of the yielded object, maybe nested plain
objects) that work always ends in the same dict. `Plan` computes that dict
directly, by the rules graphql-core applies: fields in the order collected,
aliases, fragments on the object's own type, each leaf through its type's
`serialize`, `__typename`.

`deliver` wraps a resolver's stream. Where the shared-subscription layer put a
`Sink` on the context (one execution shared by the watchers of a selection):

1. Objects go to graphql-core as before until one full-path answer equals the
   plan's answer for the same object byte for byte (`Sink.check`); a plan that
   ever differs is dropped for good.
2. From then on each object's answer goes straight to the sink.
3. An object the plan cannot answer exactly (a null in a non-null field, a value
   its scalar refuses: anything that would make an error) goes to graphql-core,
   which answers it with its errors as always.

A document the plan does not cover (directives, arguments on subfields, fields
with resolvers, abstract types) takes the full path for every event. Errors of
the stream itself (the row is gone, the bus stays down) surface through
graphql-core either way.
"""

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from operator import attrgetter
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import orjson
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    InlineFragmentNode,
    SelectionSetNode,
    Undefined,
    is_leaf_type,
)

from gql_media.dataloaders import Loaders
from gql_media.schema.common.live_leaves import SLOW, quick_serializers

logger = logging.getLogger(__name__)

S = TypeVar("S")
T = TypeVar("T")


# Where Strawberry keeps a GraphQL field's own definition (its Python name).
_DEFINITION = "strawberry-definition"


class _Miss(Exception):
    """The plan cannot give graphql-core's answer for this object."""


class _Refused(Exception):
    """The document is outside what a plan covers."""


class Sink:
    """Where a shared execution takes the answers `deliver` serializes itself.

    Made by the shared-subscription layer (http/shared_subscriptions.py), which
    passes each full-path answer to `check` before it sends it.
    """

    __slots__ = ("_expected", "_push", "active", "allowed")

    def __init__(
        self, push: Callable[[str], Awaitable[None]], *, allowed: bool = True
    ) -> None:
        self._push = push
        self._expected: str | None = None
        # False when schema extensions wrap resolvers (tracing): those must run.
        self.allowed = allowed
        self.active = False

    async def push(self, payload: str) -> None:
        await self._push(payload)

    def expect(self, payload: str | None) -> None:
        """The plan's answer for the object about to go down the full path."""
        self._expected = payload

    def check(self, payload: str) -> None:
        """The full path's answer for the last object: the plan is trusted once
        they are equal, and dropped if they ever differ."""
        expected, self._expected = self._expected, None
        if expected is None or not self.allowed:
            return
        if expected == payload:
            self.active = True
        else:
            logger.warning(
                "shared subscription: the fast path disagreed with graphql-core "
                "(%s vs %s); using graphql-core for this stream",
                expected[:200],
                payload[:200],
            )
            self.allowed = False
            self.active = False


async def deliver(
    info: Any, states: AsyncIterator[S], build: Callable[[S], T]
) -> AsyncGenerator[T, None]:
    """Yield `build(state)` for each state, or hand its answer to the context's
    sink (see the module docstring).

    Each object that takes the full path gets fresh loaders: a WebSocket's
    context lives as long as the connection, and nested fields must show this
    event's rows.
    """
    ctx = info.context
    sink: Sink | None = getattr(ctx, "live", None)
    plan = Plan.of(info) if sink is not None and sink.allowed else None
    try:
        async for state in states:
            obj = build(state)
            if plan is not None and sink is not None and sink.allowed:
                payload = plan.payload(obj)
                if sink.active and payload is not None:
                    await sink.push(payload)
                    continue
                sink.expect(payload)
            ctx.loaders = Loaders()
            yield obj
    finally:
        close = getattr(states, "aclose", None)
        if close is not None:
            await close()


# A compiled selection: for each response key, how to read and complete it.
_Fields = list[tuple[str, Callable[[Any], Any], "_Complete"]]
_Complete = Callable[[Any], Any]


class Plan:
    """The answer of one subscription's selection, computed from the object."""

    __slots__ = ("_complete", "_key")

    def __init__(self, key: str, complete: _Complete) -> None:
        self._key = key
        self._complete = complete

    @classmethod
    def of(cls, info: Any) -> "Plan | None":
        """The plan of the root field `info` resolves, or None if the document
        is outside what a plan covers.

        One plan per schema, document, operation and root field, whatever the
        variables (a plan covers no arguments or directives below the root): a
        thousand watchers of a thousand jobs through one document run one set of
        completers, not a thousand copies compiled one per shared execution
        (measured in bench/fanout.py: about a fifth less CPU per frame).
        """
        raw = info._raw_info  # graphql-core's GraphQLResolveInfo
        key = _plan_key(raw)
        if key is None:
            return cls._compile(raw)
        plans = _PLANS.setdefault(raw.schema, {})
        if key in plans:
            return plans[key]
        if len(plans) >= _PLANS_MAX:
            plans.clear()
        plan = plans[key] = cls._compile(raw)
        return plan

    @classmethod
    def _compile(cls, raw: Any) -> "Plan | None":
        nodes: list[FieldNode] = raw.field_nodes
        try:
            if any(node.directives for node in nodes):
                raise _Refused
            complete = _completer(raw, raw.return_type, nodes)
        except _Refused:
            return None
        return cls(_response_key(nodes[0]), complete)

    def payload(self, obj: Any) -> str | None:
        """`{"data": {...}}` as graphql-core would answer for `obj`, serialized;
        None if that answer would hold an error."""
        try:
            data = {self._key: self._complete(obj)}
        except _Miss:
            return None
        except Exception:  # a scalar's serialize refusing a value: an error
            return None
        return orjson.dumps({"data": data}).decode()


# Compiled plans (None: refused) by schema, then by `_plan_key`; a schema's are
# cleared when full, and go with the schema (a plan refers to its types, not to
# it). Documents longer than `_PLAN_TEXT_MAX` are compiled per execution: a
# schema's cache holds at most 256 texts of 32 KiB, whatever clients send.
_PLANS: "WeakKeyDictionary[Any, dict[tuple[Any, ...], Plan | None]]" = (
    WeakKeyDictionary()
)
_PLANS_MAX = 256
_PLAN_TEXT_MAX = 32 * 1024


def _plan_key(raw: Any) -> tuple[Any, ...] | None:
    """What a plan depends on besides the schema: the document's text, the
    operation and the root field's place in it (None: compile it for this
    execution, the document having kept no text or a long one)."""
    location = raw.operation.loc
    if location is None or len(location.source.body) > _PLAN_TEXT_MAX:
        return None
    nodes: list[FieldNode] = raw.field_nodes
    starts = tuple(node.loc.start if node.loc else -1 for node in nodes)
    return (location.source.body, location.start, starts)


def _response_key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _completer(raw: Any, gql_type: GraphQLOutputType, nodes: list[FieldNode]) -> Any:
    """A function completing a value of `gql_type` as graphql-core's
    `complete_value` does, for the subfields selected by `nodes`."""
    if isinstance(gql_type, GraphQLNonNull):
        if is_leaf_type(gql_type.of_type):  # the commonest case, in one call
            return _leaf(gql_type.of_type, nodes, non_null=True)
        inner = _completer(raw, gql_type.of_type, nodes)

        def non_null(value: Any) -> Any:
            completed = inner(value)
            if completed is None:
                raise _Miss
            return completed

        return non_null
    if isinstance(gql_type, GraphQLList):
        item = _completer(raw, gql_type.of_type, nodes)

        def list_of(value: Any) -> Any:
            if value is None:
                return None
            if not isinstance(value, list | tuple):
                raise _Miss
            return [item(v) for v in value]

        return list_of
    if is_leaf_type(gql_type):
        return _leaf(gql_type, nodes, non_null=False)
    if not isinstance(gql_type, GraphQLObjectType) or gql_type.is_type_of:
        raise _Refused  # interfaces, unions, type checks: graphql-core decides
    fields = _fields(raw, gql_type, nodes)

    def obj(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Exception):
            raise _Miss
        return {key: complete(read(value)) for key, read, complete in fields}

    return obj


def _leaf(gql_type: Any, nodes: list[FieldNode], *, non_null: bool) -> _Complete:
    """graphql-core's `complete_leaf_value`: the type's `serialize`, whose None
    or Undefined is an error; a null is one too where the type is non-null."""
    if any(node.selection_set for node in nodes):
        raise _Refused
    serialize = gql_type.serialize
    # What `serialize` gives at once for the common exact types (see
    # `quick_serializers`): per event and field, a look-up instead of its chain
    # of isinstance checks.
    quick = quick_serializers(gql_type)

    def leaf(value: Any) -> Any:
        done = quick.get(type(value))
        if done is not None:
            serialized = done(value)
            if serialized is not SLOW:
                return serialized
        if value is None:
            if non_null:
                raise _Miss
            return None
        if isinstance(value, Exception):
            raise _Miss
        serialized = serialize(value)
        if serialized is None or serialized is Undefined:
            raise _Miss
        return serialized

    return leaf


def _fields(raw: Any, parent: GraphQLObjectType, nodes: list[FieldNode]) -> _Fields:
    grouped: dict[str, list[FieldNode]] = {}
    visited: set[str] = set()
    for node in nodes:
        if node.selection_set is None:
            raise _Refused
        _collect(raw, parent, node.selection_set, grouped, visited)
    fields: _Fields = []
    for key, same in grouped.items():
        name = same[0].name.value
        if any(node.arguments for node in same):
            raise _Refused
        if name == "__typename":
            fields.append((key, _constant(parent.name), _identity))
            continue
        field: GraphQLField | None = parent.fields.get(name)
        resolve = field.resolve if field is not None else None
        # Strawberry marks a field without resolver, permissions or extensions.
        if field is None or not getattr(resolve, "_is_default", False):
            raise _Refused
        assert resolve is not None
        read = _reader(resolve, field.extensions.get(_DEFINITION))
        fields.append((key, read, _completer(raw, field.type, same)))
    return fields


def _collect(
    raw: Any,
    parent: GraphQLObjectType,
    selection_set: SelectionSetNode,
    grouped: dict[str, list[FieldNode]],
    visited: set[str],
) -> None:
    """graphql-core's field collection for the cases a plan covers: fields,
    fragments on the object's own type, no directives."""
    for selection in selection_set.selections:
        if selection.directives:
            raise _Refused  # @skip, @include, @defer: graphql-core decides
        if isinstance(selection, FieldNode):
            grouped.setdefault(_response_key(selection), []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            if condition is not None and condition.name.value != parent.name:
                raise _Refused
            _collect(raw, parent, selection.selection_set, grouped, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in visited:
                continue  # a fragment counts once per selection set
            visited.add(name)
            fragment = raw.fragments.get(name)
            fragment = getattr(fragment, "definition", fragment)
            if (
                fragment is None
                or fragment.directives
                or getattr(fragment, "variable_definitions", None)
                or fragment.type_condition.name.value != parent.name
            ):
                raise _Refused
            _collect(raw, parent, fragment.selection_set, grouped, visited)
        else:
            raise _Refused


def _reader(resolve: Callable[..., Any], definition: Any) -> Callable[[Any], Any]:
    # Strawberry's resolver of a plain field calls its default resolver, getattr
    # unless configured otherwise, with the Python name: read the attribute.
    if (
        definition is not None
        and getattr(definition, "base_resolver", True) is None
        and getattr(definition, "default_resolver", None) is getattr
    ):
        return attrgetter(definition.python_name)

    def read(value: Any) -> Any:
        return resolve(value, None)

    return read


def _constant(value: str) -> Callable[[Any], str]:
    def read(_obj: Any) -> str:
        return value

    return read


def _identity(value: Any) -> Any:
    return value
