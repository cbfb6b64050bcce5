"""The fast path of shared subscriptions (`schema/common/live.py`): a plan's
answer is byte for byte graphql-core's for the same object, or there is none.

Each test subscribes through Strawberry to a small schema whose resolver computes
the plan's answer for every object it yields; the stream's own answers (graphql-
core, Strawberry, our scalars) are the reference.
"""

import enum
import gc
import weakref
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionResult

from gql_media.schema.common.live import Plan, Sink, deliver
from gql_media.schema.common.scalars import SCALARS


@strawberry.enum
class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Inner:
    n: int
    tags: list[str]


@strawberry.type
class Thing:
    id: strawberry.ID
    name: str
    note: str | None
    ratio: float
    color: Color
    at: datetime
    inner: Inner
    inners: list[Inner]
    maybe: Inner | None
    colors: list[Color]
    flag: bool = True

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


def thing(**changes: Any) -> Thing:
    values: dict[str, Any] = {
        "id": strawberry.ID("t-1"),
        "name": "clip",
        "note": 'a "quoted" note\nwith ünïcode',
        "ratio": 0.1 + 0.2,
        "color": Color.BLUE,
        "at": datetime(2026, 12, 1, 18, 0, 1, 123456, tzinfo=UTC),
        "inner": Inner(n=3, tags=["a", "b"]),
        "inners": [Inner(n=1, tags=[]), Inner(n=2, tags=["x"])],
        "maybe": None,
        "colors": [Color.RED, Color.BLUE],
    }
    return Thing(**{**values, **changes})


# What the resolver saw for each object: Plan.of(info) (None: refused), and the
# plan's answer per object (None: the plan cannot answer it).
seen: dict[str, Any] = {}
OBJECTS: list[Thing] = []


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def things(
        self, info: strawberry.Info, count: int = 0
    ) -> AsyncGenerator[Thing, None]:
        plan = Plan.of(info)
        seen["plan"] = plan
        seen["answers"] = []
        for obj in OBJECTS:
            seen["answers"].append(plan.payload(obj) if plan else None)
            yield obj


schema = strawberry.Schema(
    query=Query, subscription=Subscription, config=StrawberryConfig(scalar_map=SCALARS)
)


def payload(result: ExecutionResult) -> str:
    """The answer as the shared-subscription layer serializes it."""
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    return orjson.dumps(body).decode()


async def answers(document: str, objects: list[Thing]) -> list[str]:
    OBJECTS[:] = objects
    seen.clear()
    stream = await schema.subscribe(document)
    assert not isinstance(stream, ExecutionResult), stream
    return [payload(result) async for result in stream]  # type: ignore[arg-type]


PLANNED = [
    "subscription { things { id name note ratio color at colors } }",
    # Aliases, __typename, a field twice, fragments on the type, nested objects
    # merged from two places (`inner` from the inline fragment and from F).
    """subscription S { t: things(count: 2) {
        a: name name __typename ...F ... on Thing { ratio inner { n } } ...F2
      } }
      fragment F on Thing { color inner { tags } ...F2 }
      fragment F2 on Thing { id colors }""",
    "subscription { things { inners { n tags } maybe { n } inner { __typename } } }",
]


@pytest.mark.parametrize("document", PLANNED)
async def test_a_plan_answers_as_graphql_core_does(document: str) -> None:
    objects = [
        thing(),
        thing(note=None, maybe=Inner(n=9, tags=["z"]), ratio=2.0, inners=[]),
        thing(ratio=1e300, at=datetime(2000, 1, 1)),
    ]
    full = await answers(document, objects)
    assert seen["plan"] is not None
    assert seen["answers"] == full
    assert all('"errors"' not in answer for answer in full)


class Text(str):
    """A str subclass: String serializes it, but not by the exact-type path."""


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"ratio": 2},  # an int for a Float: 2.0
        {"ratio": True},  # a bool for a Float: 1
        {"ratio": -0.0},
        {"inner": Inner(n=True, tags=[])},  # a bool for an Int: 1
        {"inner": Inner(n=2**31 - 1, tags=[])},  # the largest Int
        {"inner": Inner(n=-(2**31), tags=[])},  # the smallest
        {"inner": Inner(n=2.0, tags=[])},  # type: ignore[arg-type]
        {"name": Text("sub"), "id": strawberry.ID(Text("t-2"))},
        {"id": 42},  # an int for an ID
        {"flag": 0},  # an int for a Boolean: false
        {"flag": False},
        {"colors": [Color.RED, Color.RED]},
    ],
)
async def test_leaves_answer_as_their_type_serializes(changes: dict[str, Any]) -> None:
    """Exact Python types take a quicker path than `serialize`
    (`quick_serializers`); their neighbours (a bool for an Int, an int for a
    Float, a str subclass) must not."""
    document = "subscription { things { id name ratio flag color colors inner { n } } }"
    full = await answers(document, [thing(**changes)])
    assert seen["plan"] is not None
    assert '"errors"' not in full[0]
    assert seen["answers"] == full


@pytest.mark.parametrize(
    "bad",
    [
        {"name": None},  # null in a non-null field
        {"ratio": float("nan")},  # Float refuses it
        {"ratio": float("inf")},
        {"inners": [Inner(n=2**31, tags=[])]},  # not a 32-bit Int
        {"inners": [Inner(n=-(2**31) - 1, tags=[])]},
        {"inners": [Inner(n=1.5, tags=[])]},  # type: ignore[arg-type]
        {"name": b"bytes"},  # String refuses builtins other than str and numbers
        {"inner": None},
        {"colors": [Color.RED, None]},  # a null item of a non-null list
        {"colors": "RED"},  # not a list
        {"inners": [Inner(n=None, tags=[])]},  # type: ignore[arg-type]
    ],
)
async def test_what_would_be_an_error_is_left_to_graphql_core(
    bad: dict[str, Any],
) -> None:
    document = "subscription { things { name ratio colors inner { n } inners { n } } }"
    full = await answers(document, [thing(), thing(**bad)])
    assert seen["plan"] is not None
    assert seen["answers"][0] == full[0]
    assert seen["answers"][1] is None
    assert '"errors"' in full[1]


@pytest.mark.parametrize(
    "document",
    [
        "subscription { things { name shout } }",  # a resolver
        "subscription { things { name @include(if: true) } }",
        "subscription { things { inner { n @skip(if: false) } } }",
        "subscription { things { ... on Thing @include(if: true) { name } } }",
        "subscription { things { ...F } } "
        "fragment F on Thing { name @skip(if: false) }",
    ],
)
async def test_documents_outside_a_plan_are_refused(document: str) -> None:
    full = await answers(document, [thing()])
    assert '"errors"' not in full[0]
    assert seen["plan"] is None


async def test_one_plan_per_document_whatever_the_variables() -> None:
    document = "subscription ($n: Int!) { things(count: $n) { name ratio } }"
    OBJECTS[:] = [thing()]
    plans = []
    for n in (1, 2):
        seen.clear()
        stream = await schema.subscribe(document, variable_values={"n": n})
        assert not isinstance(stream, ExecutionResult), stream
        full = [payload(result) async for result in stream]  # type: ignore[arg-type]
        assert seen["answers"] == full
        plans.append(seen["plan"])
    assert plans[0] is not None and plans[0] is plans[1]
    # Another selection of the same field: another plan, with its own shape.
    other = await answers("subscription { things { name } }", [thing()])
    assert seen["plan"] is not None and seen["plan"] is not plans[0]
    assert seen["answers"] == other == ['{"data":{"things":{"name":"clip"}}}']


async def test_long_documents_get_a_plan_per_execution() -> None:
    # Not kept: clients choose the documents, and the cache must stay small.
    document = "#" + "x" * (32 * 1024) + "\nsubscription { things { name } }"
    plans = []
    for _ in range(2):
        full = await answers(document, [thing()])
        assert seen["answers"] == full
        plans.append(seen["plan"])
    assert plans[0] is not None and plans[1] is not None
    assert plans[0] is not plans[1]


class _Info:
    """Just what `deliver` reads of Strawberry's Info."""

    def __init__(self, context: Any, raw: Any) -> None:
        self.context = context
        self._raw_info = raw


class _Context:
    def __init__(self, live: Sink | None) -> None:
        self.live = live
        self.loaders: Any = None


async def test_deliver_pushes_only_after_one_answer_matched() -> None:
    pushed: list[str] = []

    async def push(payload: str) -> None:
        pushed.append(payload)

    sink = Sink(push)
    ctx = _Context(sink)
    captured: dict[str, Any] = {}

    @strawberry.type
    class Sub:
        @strawberry.subscription
        async def things(self, info: strawberry.Info) -> AsyncGenerator[Thing, None]:
            captured["raw"] = info._raw_info

            async def states() -> AsyncGenerator[int, None]:
                for n in range(4):
                    yield n

            wrapped = _Info(ctx, info._raw_info)
            async for obj in deliver(wrapped, states(), lambda n: thing(ratio=n)):
                yield obj

    sub_schema = strawberry.Schema(query=Query, subscription=Sub)
    stream = await sub_schema.subscribe("subscription { things { ratio name } }")
    assert not isinstance(stream, ExecutionResult)
    first = await anext(stream)  # type: ignore[arg-type]
    assert not sink.active
    sink.check(payload(first))  # the shared layer does this with every answer
    assert sink.active
    rest = [result async for result in stream]  # type: ignore[union-attr]
    assert rest == []  # the other three went to the sink
    assert [orjson.loads(p)["data"]["things"]["ratio"] for p in pushed] == [1, 2, 3]
    assert ctx.loaders is not None  # fresh loaders for the full path's object


def test_a_plan_that_ever_disagrees_is_dropped() -> None:
    async def push(payload: str) -> None:
        raise AssertionError("nothing is pushed here")

    sink = Sink(push)
    sink.expect('{"data":{"x":1}}')
    sink.check('{"data":{"x":1}}')
    assert sink.active
    sink.expect('{"data":{"x":2}}')
    sink.check('{"data":{"x":3}}')
    assert not sink.active and not sink.allowed


async def test_a_schemas_plans_go_with_it() -> None:
    from gql_media.schema.common import live

    @strawberry.type
    class Sub:
        @strawberry.subscription
        async def things(self, info: strawberry.Info) -> AsyncGenerator[Thing, None]:
            assert Plan.of(info) is not None
            yield thing()

    throwaway = strawberry.Schema(query=Query, subscription=Sub)
    stream = await throwaway.subscribe("subscription { things { name ratio } }")
    assert not isinstance(stream, ExecutionResult)
    assert [result.data async for result in stream]  # type: ignore[union-attr]
    core = weakref.ref(throwaway._schema)
    assert core() in live._PLANS
    del throwaway, stream
    gc.collect()
    assert core() is None
