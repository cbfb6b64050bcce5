"""Batched: the keys asked for in one turn of the loop are loaded together."""

import asyncio

import pytest

from gql_media.kit.batching import Batched


class Loads:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[int]] = []
        self.fail = fail
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, keys: list[int]) -> dict[int, str]:
        self.calls.append(keys)
        await self.gate.wait()
        if self.fail:
            raise ConnectionError("the database went away")
        return {k: f"row {k}" for k in keys if k % 10 != 0}  # multiples of 10: gone


async def turns(n: int) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def test_one_load_for_the_keys_of_one_turn() -> None:
    load = Loads()
    batched = Batched(load)
    values = await asyncio.gather(*(batched.get(k) for k in [1, 2, 3, 2, 10]))
    assert values == ["row 1", "row 2", "row 3", "row 2", None]
    assert load.calls == [[1, 2, 3, 10]]
    assert await batched.get(4) == "row 4"  # a later turn loads afresh
    assert load.calls[-1] == [4]


async def test_a_big_turn_is_loaded_in_chunks() -> None:
    load = Loads()
    batched = Batched(load, max_size=3)
    values = await asyncio.gather(*(batched.get(k) for k in range(1, 8)))
    assert values == [f"row {k}" for k in range(1, 8)]
    assert load.calls == [[1, 2, 3], [4, 5, 6], [7]]


async def test_a_failed_load_fails_every_caller_of_its_batch() -> None:
    batched = Batched(Loads(fail=True))
    results = await asyncio.gather(
        batched.get(1), batched.get(2), return_exceptions=True
    )
    assert [type(r) for r in results] == [ConnectionError, ConnectionError]


async def test_one_caller_giving_up_does_not_cancel_the_others() -> None:
    load = Loads()
    load.gate.clear()
    batched = Batched(load)
    impatient = asyncio.ensure_future(batched.get(5))
    patient = asyncio.ensure_future(batched.get(5))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    impatient.cancel()
    with pytest.raises(asyncio.CancelledError):
        await impatient
    load.gate.set()
    assert await patient == "row 5"


async def test_keys_asked_for_during_a_load_go_together_next() -> None:
    load = Loads()
    load.gate.clear()
    batched = Batched(load)
    first = asyncio.ensure_future(batched.get(1))
    await turns(5)
    assert load.calls == [[1]]  # a lone key is not held back
    later = [asyncio.ensure_future(batched.get(k)) for k in (2, 3)]
    await turns(5)
    assert load.calls == [[1]]  # one load at a time
    load.gate.set()
    assert await first == "row 1"
    assert await asyncio.gather(*later) == ["row 2", "row 3"]
    assert load.calls == [[1], [2, 3]]
