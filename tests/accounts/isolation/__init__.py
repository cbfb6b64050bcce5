"""Cross-owner cases, one per root field, registered by domain module.

Each case is an async function given the `World`: owner A's rows (made through
the API with A's token), owner B's token, and a fresh owner C. A case asks as B
with A's ids and with unknown ids and asserts the answers are the same (ids
masked); the suite checks afterwards that A's rows and files are unchanged.
A new domain adds a module here with `@case("Mutation.someField")` functions;
`test_isolation.py` fails for any root field without one.
"""

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets

from tests.accounts.support import Account
from tests.support.graphql import gql

Case = Callable[["World"], Awaitable[None]]
CASES: dict[str, Case] = {}
# Functions that write A's rows of a domain (into world.ids) before the snapshot.
SEEDS: list[Case] = []


def seed(fn: Case) -> Case:
    """Register `fn` to write owner A's rows of a domain before the cases run."""
    SEEDS.append(fn)
    return fn


# Error selection every mutation result supports.
ERROR = "__typename ... on Error { code message }"


def case(*names: str) -> Callable[[Case], Case]:
    """Register `fn` as the cross-owner case of root fields like "Query.asset"."""

    def register(fn: Case) -> Case:
        for name in names:
            if name in CASES:
                raise ValueError(f"two cases for {name}")
            CASES[name] = fn
        return fn

    return register


@dataclass
class World:
    url: str
    a: Account
    b: Account
    c: Account
    # A's ids by kind: asset, job, generation, scene, variant, token, ...
    ids: dict[str, str] = field(default_factory=dict)
    # B's own rows, for cases that point B's objects at A's (B's scene -> A's asset).
    b_ids: dict[str, str] = field(default_factory=dict)
    # The clip A uploaded, and a URL serving the same bytes (imports).
    clip: Path = Path()
    source_url: str = ""

    def a_ids(self) -> list[str]:
        return list(self.ids.values())


def unknown() -> str:
    return str(uuid.uuid4())


def masked(body: Any, *ids: str) -> str:
    """The answer as JSON with the given ids replaced, so two answers that differ
    only in the id asked for compare equal."""
    text = json.dumps(body, sort_keys=True)
    for value in ids:
        text = text.replace(value, "<ID>")
    return text


async def as_b(world: World, query: str, variables: dict[str, Any]) -> Any:
    return await gql(world.url, query, variables, token=world.b.token)


async def same(
    world: World, query: str, build: Callable[[str], dict[str, Any]], a_id: str
) -> Any:
    """Ask as B with A's id and with an unknown id; the answers must be the same
    and must not succeed. Returns B's answer with A's id."""
    other = unknown()
    theirs = await as_b(world, query, build(a_id))
    nobody = await as_b(world, query, build(other))
    assert masked(theirs, a_id) == masked(nobody, other), (theirs, nobody)
    assert "Success" not in json.dumps(theirs), theirs
    return theirs


def none_of_a(world: World, body: Any) -> None:
    """No id of A's appears anywhere in `body`."""
    text = json.dumps(body)
    leaked = [i for i in world.a_ids() if i in text]
    assert not leaked, (leaked, body)


async def subscribe_as(
    world: World, token: str, query: str, variables: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every message of a subscription up to complete or error (bounded)."""
    url = world.url.replace("http://", "ws://") + "/graphql"
    out: list[dict[str, Any]] = []
    async with websockets.connect(
        url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
    ) as ws:
        init = {
            "type": "connection_init",
            "payload": {"authorization": f"Bearer {token}"},
        }
        await ws.send(json.dumps(init))
        ack = json.loads(await ws.recv())
        assert ack["type"] == "connection_ack", ack
        payload = {"query": query, "variables": variables}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        for _ in range(20):
            message = json.loads(await ws.recv())
            out.append({k: v for k, v in message.items() if k != "id"})
            if message["type"] in ("complete", "error"):
                break
    return out


async def same_subscription(
    world: World, query: str, build: Callable[[str], dict[str, Any]], a_id: str
) -> None:
    other = unknown()
    theirs = await subscribe_as(world, world.b.token, query, build(a_id))
    nobody = await subscribe_as(world, world.b.token, query, build(other))
    # (An error may echo the id asked for; that is the asker's own input.)
    assert masked(theirs, a_id) == masked(nobody, other), (theirs, nobody)
