"""The in-process queue: bounded concurrency, de-duplicated ids, abort, close."""

import asyncio

from gql_media.queue import LocalQueue


async def test_runs_at_most_concurrency_jobs_at_once() -> None:
    running = 0
    peak = 0
    done: list[str] = []

    async def handler(job_id: str) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.02)
        running -= 1
        done.append(job_id)

    queue = LocalQueue(handler, concurrency=2)
    for i in range(6):
        await queue.enqueue(str(i))
    await queue.join()
    assert sorted(done) == [str(i) for i in range(6)]
    assert peak == 2
    await queue.close()


async def test_an_id_already_waiting_is_not_queued_twice() -> None:
    calls: list[str] = []
    gate = asyncio.Event()

    async def handler(job_id: str) -> None:
        calls.append(job_id)
        await gate.wait()

    queue = LocalQueue(handler, concurrency=1)
    await queue.enqueue("a")
    await queue.enqueue("a")
    gate.set()
    await queue.join()
    assert calls == ["a"]
    await queue.close()


async def test_abort_cancels_a_running_job_and_close_cancels_the_rest() -> None:
    cancelled: list[str] = []

    async def handler(job_id: str) -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(job_id)
            raise

    queue = LocalQueue(handler, concurrency=4)
    await queue.enqueue("a")
    await queue.enqueue("b")
    await asyncio.sleep(0.01)
    assert await queue.abort("a") is True
    assert cancelled == ["a"]
    assert await queue.abort("missing") is False
    await queue.close()
    assert sorted(cancelled) == ["a", "b"]
