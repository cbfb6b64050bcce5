"""Execute once per distinct selection: subscriptions that share a document,
variables and owner share one execution; other selections get their own shape;
owners never share; `afterRevision` resumes. Real uvicorn, real WebSockets, the
real database and the runtime's bus.

Owners other than `local` connect with a token of theirs (in connection_init),
so two owners can subscribe at once.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets

from gql_media import models
from gql_media.bus import job_channel
from gql_media.http.shared_subscriptions import Group, Member, SharedSubscriptions
from gql_media.schema.common.context import LOCAL_OWNER
from gql_media.services.accounts import tokens
from gql_media.services.jobs import lifecycle as jobs
from tests.conftest import Server
from tests.support.generations import create as create_generation
from tests.support.graphql import data

pytestmark = pytest.mark.timeout(60)

GUARD = 20.0  # seconds; only ever reached when something is broken
STATUS = """subscription ($id: ID!, $after: Int) {
  jobProgress(jobId: $id, afterRevision: $after) { status progress revision }
}"""
STAGE = "subscription ($id: ID!) { jobProgress(jobId: $id) { stage message } }"


async def _token_of(owner: str) -> str:
    """A token acting for the owner with this id (created with the id as name)."""
    if not await models.Owner.exists(id=owner):
        await models.Owner.create(id=owner, name=owner)
    _, secret = await tokens.create_token(owner, f"{owner}-bot")
    return secret


class Socket:
    """One graphql-transport-ws connection."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def subscribe(
        self, query: str, variables: dict[str, Any], op_id: str = "1"
    ) -> None:
        payload = {"query": query, "variables": variables}
        await self.ws.send(
            json.dumps({"id": op_id, "type": "subscribe", "payload": payload})
        )

    async def message(self) -> dict[str, Any]:
        async with asyncio.timeout(GUARD):
            message: dict[str, Any] = json.loads(await self.ws.recv())
        return message

    async def next(self) -> dict[str, Any]:
        message = await self.message()
        assert message["type"] == "next", message
        payload: dict[str, Any] = message["payload"]
        return payload

    async def frame(self) -> str:
        async with asyncio.timeout(GUARD):
            frame = await self.ws.recv()
        assert isinstance(frame, str)
        return frame

    async def silent(self) -> bool:
        try:
            async with asyncio.timeout(0.3):
                await self.ws.recv()
        except TimeoutError:
            return True
        return False


@pytest.fixture
async def connect(server: Server) -> AsyncIterator[Any]:
    sockets: list[Any] = []

    async def open_socket(owner: str = LOCAL_OWNER) -> Socket:
        url = server.url.replace("http://", "ws://") + "/graphql"
        ws = await websockets.connect(
            url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
        )
        sockets.append(ws)
        init: dict[str, Any] = {"type": "connection_init"}
        if owner != LOCAL_OWNER:
            token = await _token_of(owner)
            init["payload"] = {"authorization": f"Bearer {token}"}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        return Socket(ws)

    yield open_socket
    for ws in sockets:
        await ws.close()


async def _job(owner: str = LOCAL_OWNER) -> models.Job:
    asset = await models.Asset.create(
        owner_id=owner,
        source_type=models.SourceType.IMPORTED,
        source_url="http://127.0.0.1:9/x.mp4",
    )
    return await models.Job.create(
        owner_id=owner,
        kind=models.JobKind.IMPORT_URL,
        asset=asset,
        status=models.JobStatus.RUNNING,
        payload={"url": "http://127.0.0.1:9/x.mp4"},
    )


def _shared(server: Server) -> Any:
    graphql = next(
        route.app
        for route in server.app.routes
        if getattr(route, "path", "") == "/graphql"
    )
    return graphql.shared_subscriptions


def _groups(server: Server) -> int:
    return len(_shared(server).groups)


async def test_one_execution_per_selection_each_with_its_own_shape(
    server: Server, connect: Any
) -> None:
    row = await _job()
    variables = {"id": str(row.id)}
    a, b, c = await connect(), await connect(), await connect()
    await a.subscribe(STATUS, variables)
    await b.subscribe(STATUS, {**variables, "after": None}, op_id="other")
    await c.subscribe(STAGE, variables)
    firsts = [await s.next() for s in (a, b, c)]
    assert firsts[0] == firsts[1]
    assert set(firsts[0]["data"]["jobProgress"]) == {"status", "progress", "revision"}
    assert set(firsts[2]["data"]["jobProgress"]) == {"stage", "message"}
    # `after: null` is a different document of variables; the two STATUS ones
    # with the same values would share: two selections + one = three groups here.
    bus = server.runtime.bus
    assert bus.subscriber_count(job_channel(row.id)) == _groups(server)  # type: ignore[attr-defined]
    await jobs.update_job(server.runtime, row.id, progress=0.5, message="half")
    assert (await a.next())["data"]["jobProgress"]["progress"] == 0.5
    assert (await b.next())["data"]["jobProgress"]["progress"] == 0.5
    assert (await c.next())["data"]["jobProgress"] == {
        "stage": "queued",
        "message": "half",
    }


async def test_same_selection_shares_one_execution_and_a_late_joiner_gets_the_latest(
    server: Server, connect: Any
) -> None:
    row = await _job()
    variables = {"id": str(row.id)}
    sockets = [await connect() for _ in range(5)]
    for socket in sockets:
        await socket.subscribe(STATUS, variables)
        await socket.next()
    assert _groups(server) == 1
    assert server.runtime.bus.subscriber_count(job_channel(row.id)) == 1  # type: ignore[attr-defined]
    await jobs.update_job(server.runtime, row.id, progress=0.25)
    for socket in sockets:
        assert (await socket.next())["data"]["jobProgress"]["revision"] == 1
    late = await connect()
    await late.subscribe(STATUS, variables)
    assert (await late.next())["data"]["jobProgress"]["revision"] == 1
    await jobs.update_job(server.runtime, row.id, status=models.JobStatus.SUCCEEDED)
    for socket in [*sockets, late]:
        assert (await socket.next())["data"]["jobProgress"]["status"] == "SUCCEEDED"
        assert (await socket.message())["type"] == "complete"
    assert _groups(server) == 0


async def test_a_shared_execution_is_never_shared_across_owners(
    server: Server, connect: Any
) -> None:
    row = await _job("alice")
    variables = {"id": str(row.id)}
    alice, bob = await connect("alice"), await connect("bob")
    await alice.subscribe(STATUS, variables)
    assert (await alice.next())["data"]["jobProgress"]["status"] == "RUNNING"
    # Bob sends the very same document and variables: he gets what an unknown id
    # gets, not Alice's execution.
    await bob.subscribe(STATUS, variables)
    refused = await bob.next()
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert (await bob.message())["type"] == "complete"
    await jobs.update_job(server.runtime, row.id, progress=0.75)
    assert (await alice.next())["data"]["jobProgress"]["progress"] == 0.75
    assert await bob.silent()
    assert (await models.Job.get(id=row.id)).owner_id == "alice"


async def test_resume_with_after_revision_skips_what_the_client_has(
    server: Server, connect: Any
) -> None:
    row = await _job()
    await jobs.update_job(server.runtime, row.id, progress=0.1)  # revision 1
    socket = await connect()
    await socket.subscribe(STATUS, {"id": str(row.id), "after": 1})
    assert await socket.silent()  # it has revision 1 already
    await jobs.update_job(server.runtime, row.id, progress=0.2)
    assert (await socket.next())["data"]["jobProgress"]["revision"] == 2
    behind = await connect()
    await behind.subscribe(STATUS, {"id": str(row.id), "after": 0})
    assert (await behind.next())["data"]["jobProgress"]["revision"] == 2


PLAIN = """subscription ($id: ID!) { jobProgress(jobId: $id) {
  id kind status stage progress message revision attempts createdAt startedAt
  finishedAt errorCode ...more __typename%s
} }
fragment more on Job { maxAttempts isDuplicate updatedAt }"""


async def test_plain_selections_skip_graphql_core_and_answer_the_same_bytes(
    server: Server, connect: Any
) -> None:
    row = await _job()
    variables = {"id": str(row.id)}
    fast, full = await connect(), await connect()
    await fast.subscribe(PLAIN % "", variables)
    # The same answer, but a directive keeps this one on graphql-core.
    await full.subscribe(PLAIN % " isFinished @include(if: false)", variables)
    answers = [await fast.frame(), await full.frame()]
    assert answers[0] == answers[1]
    for step in range(1, 4):
        await jobs.update_job(
            server.runtime, row.id, progress=step / 10, message=f'step "{step}"'
        )
        answers = [await fast.frame(), await full.frame()]
        assert answers[0] == answers[1]
    sinks = {group.key[0]: group.sink for group in _shared(server).groups.values()}
    assert sinks[PLAIN % ""].active  # the fast path answered after the first
    assert not sinks[PLAIN % " isFinished @include(if: false)"].active
    await jobs.update_job(
        server.runtime, row.id, status=models.JobStatus.SUCCEEDED, error_code=None
    )
    answers = [await fast.frame(), await full.frame()]
    assert answers[0] == answers[1]
    assert json.loads(answers[0])["payload"]["data"]["jobProgress"]["revision"] == 4
    for socket in (fast, full):
        assert json.loads(await socket.frame())["type"] == "complete"


async def test_a_slow_member_holds_only_the_latest_payload() -> None:
    member = Member()
    for n in range(1000):
        member.offer(f'{{"n":{n}}}')
    assert member.payload == '{"n":999}'
    assert await member.take() == '{"n":999}'


async def _waiting(member: Member, taken: list[str]) -> asyncio.Task[None]:
    """The member's own task, as a handler runs it: take, then send."""

    async def run() -> None:
        while True:
            item = await member.take()
            assert isinstance(item, str)
            taken.append(item)

    task = asyncio.create_task(run())
    await asyncio.sleep(0)  # now waiting in `take`
    assert member.idle()
    return task


async def test_a_lone_idle_member_is_written_by_the_group_itself() -> None:
    group = Group(SharedSubscriptions(), key="k")
    member = group.join()
    sent: list[str] = []

    async def send(payload: str) -> None:
        sent.append(payload)

    member.send = send
    taken: list[str] = []
    task = await _waiting(member, taken)
    await group.publish('{"n":1}')
    assert sent == ['{"n":1}']  # written before `publish` returned
    await asyncio.sleep(0)
    assert taken == [] and member.idle()  # its task was never woken

    # Two members: each task sends its own.
    other = group.join()
    other.send = send
    await group.publish('{"n":2}')
    assert sent == ['{"n":1}'] and member.payload == '{"n":2}'
    task.cancel()


async def test_a_failed_direct_write_is_left_to_the_member_s_own_task() -> None:
    group = Group(SharedSubscriptions(), key="k")
    member = group.join()

    async def send(payload: str) -> None:
        raise ConnectionResetError("gone")

    member.send = send
    taken: list[str] = []
    task = await _waiting(member, taken)
    await group.publish('{"n":1}')  # the group carries on
    await asyncio.sleep(0)
    assert taken == ['{"n":1}']  # the member's task meets the error itself
    task.cancel()


GENERATION = """subscription ($id: ID!, $after: Int) {
  generationProgress(id: $id, afterRevision: $after) { revision deleted }
}"""


async def test_generation_progress_resumes_after_a_revision(
    server: Server, connect: Any
) -> None:
    generation = await create_generation(server.url)
    revision = (await models.Generation.get(id=generation["id"])).revision
    socket = await connect()
    await socket.subscribe(GENERATION, {"id": generation["id"], "after": revision})
    assert await socket.silent()  # the client has the current revision already
    deleted = await data(
        server.url,
        "mutation ($id: ID!) { deleteGeneration(id: $id) { __typename } }",
        {"id": generation["id"]},
    )
    assert deleted["deleteGeneration"]["__typename"] == "DeleteGenerationSuccess"
    assert (await socket.next())["data"]["generationProgress"]["deleted"] is True
    assert (await socket.message())["type"] == "complete"
