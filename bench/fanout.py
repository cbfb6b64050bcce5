"""fanout: 1, 100 and 1,000 WebSocket subscribers on one job's `jobProgress`,
100 events published back to back; the delay from publish to receipt (p50, p99),
the p99 delay until each subscriber has the final state, and the events
delivered per second, with the in-memory bus and with Redis. Then 1,000
subscribers on 1,000 different jobs, 50 events each: state updates per second.

Progress is state, not a log: a subscriber that falls behind gets the latest
state, so a round checks that each one got increasing sequence numbers ending
with the terminal event (all 100 when it keeps up, as the bare broadcast does).

Baseline: bench/fanout_server.py --mode raw, a bare `websockets` server that
broadcasts the same frames to the same clients: the cost of the transport alone.
Every server runs in its own process, and so does the Redis publisher (as a
worker would); the clients share this one.
"""

import asyncio
import resource
from typing import Any

from bench.common import (
    Report,
    Sample,
    check,
    interleave,
    log,
    main,
    median,
    p95,
    p99,
    ratio,
    scaled,
    times,
    work_dir,
)
from bench.fanout_peers import Client, Server, connect_all, settle
from bench.services import cpu_seconds, redis_server
from tests.support.processes import free_port, wait_for_redis

COUNTS = scaled([1, 100, 1000], [1, 10, 100])
EVENTS = 100
# The many-jobs scenario: one subscriber per job, this many events per job. Not
# 10 (before 2026-12-02): a 10,000-frame round lasts 0.3-0.6 s, and the baseline's
# rate varied 17,900-40,500/s over 7 rounds on one idle VM; at 50 it varied by 6%.
# The short round also held a garbage collection of the subscriptions' set-up.
MANY_EVENTS = 50
MANY_REPS = scaled(5, 1)
REPS = scaled({1: 5, 100: 5, 1000: 3}, {1: 2, 10: 2, 100: 2})
# An untimed first round per N warms connections and code paths. Not at 1,000: a
# round takes ~25 s there, and the smaller N have warmed the servers already.
WARMUP = scaled({1: 1, 100: 1, 1000: 0}, {1: 1, 10: 1, 100: 1})
MODES = ("raw", "memory", "redis")
LABELS = {
    "raw": "bare websockets broadcast (baseline)",
    "memory": "gql-media, memory bus",
    "redis": "gql-media, Redis bus",
}


async def one_round(server: Server, clients: list[Client], rnd: int) -> Sample:
    job = await server.call(cmd="job")
    sub_id = f"r{rnd}"
    await asyncio.gather(*(c.subscribe(sub_id, job["job_id"]) for c in clients))
    # Answered once the bus delivers to the subscription (Redis confirmed it).
    count = (await server.call(cmd="count", job_id=job["job_id"]))["count"]
    # The app runs one execution per distinct selection: one bus subscriber.
    expected = len(clients) if server.mode == "raw" else 1
    check(count == expected, f"{count} bus subscribers, not {expected}")
    readers = [asyncio.create_task(c.collect()) for c in clients]
    await settle(clients)
    await server.publisher.call(
        cmd="publish", job_id=job["job_id"], event=job["event"], n=EVENTS
    )
    results = await asyncio.wait_for(asyncio.gather(*readers), 600)
    delays: list[float] = []
    finals: list[float] = []
    for got in results:
        check_states(server.mode, got, EVENTS)
        delays += [(now - published) / 1e6 for _, published, now, _ in got]
        finals.append((got[-1][2] - got[-1][1]) / 1e6)
    first_publish = min(got[0][1] for got in results)
    last_receipt = max(got[-1][2] for got in results)
    return {
        "p50_ms": median(delays),
        "p99_ms": p99(delays),
        "final_p99_ms": p99(finals),
        "delivered": len(delays) / (len(results) * EVENTS),
        "events_per_s": len(delays) / ((last_receipt - first_publish) / 1e9),
    }


def check_states(mode: str, got: list[tuple[int, int, int, str]], n: int) -> None:
    """Increasing sequence numbers ending with the terminal event n."""
    seqs = [seq for seq, *_ in got]
    check(
        bool(seqs) and seqs == sorted(set(seqs)) and seqs[-1] == n,
        f"{mode}: a subscriber got {seqs[:5]}...{seqs[-5:]}, not increasing to {n}",
    )
    check(got[-1][3] == "SUCCEEDED", "the last event is not the terminal one")


async def many_jobs_round(server: Server, clients: list[Client], rnd: int) -> Sample:
    """Each client on its own job; MANY_EVENTS events to every job."""
    jobs = [await server.call(cmd="job") for _ in clients]
    sub_id = f"m{rnd}"
    await asyncio.gather(
        *(c.subscribe(sub_id, j["job_id"]) for c, j in zip(clients, jobs, strict=True))
    )
    # Redis has confirmed every subscription (see fanout_server's `subscribed`).
    await server.call(cmd="subscribed", job_ids=[j["job_id"] for j in jobs])
    readers = [asyncio.create_task(c.collect()) for c in clients]
    await settle(clients)
    cpu_before = cpu_seconds(server.proc.pid)
    await server.publisher.call(cmd="publish_many", jobs=jobs, n=MANY_EVENTS)
    results = await asyncio.wait_for(asyncio.gather(*readers), 600)
    cpu = cpu_seconds(server.proc.pid) - cpu_before
    for got in results:
        check_states(server.mode, got, MANY_EVENTS)
    first_publish = min(got[0][1] for got in results)
    last_final = max(got[-1][2] for got in results)
    received = sum(len(got) for got in results)
    return {
        # Every state conveyed (a coalesced one is conveyed by a later one),
        # per second until the last subscriber has its final state.
        "updates_per_s": len(clients)
        * MANY_EVENTS
        / ((last_final - first_publish) / 1e9),
        "delivered": received / (len(clients) * MANY_EVENTS),
        # The server process's CPU per frame sent (it publishes too, but for
        # Redis).
        "cpu_us_per_frame": cpu / received * 1e6,
    }


async def many_jobs(
    report: Report, table: Any, servers: dict[str, Server], clients: Any, n: int
) -> None:
    log(f"fanout: {n} subscribers on {n} different jobs")
    rounds = 0

    def variant(mode: str) -> Any:
        async def go() -> Sample:
            nonlocal rounds
            rounds += 1
            return await many_jobs_round(servers[mode], clients[mode], rounds)

        return go

    samples = await interleave({m: variant(m) for m in MODES}, MANY_REPS)
    report.samples[f"many-{n}"] = samples
    raw = samples["raw"]
    for mode in MODES:
        s = samples[mode]
        table.add(
            n, LABELS[mode], f"{median(s['updates_per_s']):,.0f}",
            f"{median(s['delivered']):.0%}",
            f"{median(s['cpu_us_per_frame']):.0f} µs",
            times(ratio(s["updates_per_s"], raw["updates_per_s"])),
        )  # fmt: skip
        if mode != "raw":
            report.ratio(
                f"fanout {n} jobs x 1 subscriber {mode}: updates/s vs raw",
                ratio(s["updates_per_s"], raw["updates_per_s"]),
                "gql-media / bare broadcast; target >= 0.5",
            )
            report.ratio(
                f"fanout {n} jobs x 1 subscriber {mode}: server CPU per frame vs raw",
                ratio(s["cpu_us_per_frame"], raw["cpu_us_per_frame"]),
                "CPU time of the server process per frame sent; above 1 costs more",
            )


def delay(milliseconds: float) -> str:
    if milliseconds < 1:
        return f"{milliseconds:.2f} ms"
    if milliseconds < 1000:
        return f"{milliseconds:.1f} ms"
    return f"{milliseconds / 1000:.1f} s"


async def run(report: Report) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # 3 servers x 1,000 clients, both ends; the servers inherit the limit.
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    work = work_dir("fanout")
    redis_port = free_port()
    table = report.table(
        f"fanout: {EVENTS} events to N subscribers of one job (burst publish)",
        "N", "server", "delay p50", "delay p99", "final p99", "events/s",
        "delivered", "p50 vs raw", "final p99 vs raw", "events/s vs raw",
    )  # fmt: skip
    many_table = report.table(
        f"fanout: N subscribers on N different jobs, {MANY_EVENTS} events each",
        "N", "server", "updates/s", "delivered", "server CPU per frame",
        "updates/s vs raw",
    )  # fmt: skip
    with redis_server(redis_port, work):
        await wait_for_redis(redis_port)
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        servers = {m: await Server.start(m, work, redis_url) for m in MODES}
        publisher = await Server.start("publisher", work, redis_url)
        servers["redis"].publisher = publisher
        try:
            rounds = 0
            for n in COUNTS:
                log(f"fanout: connecting {n} clients to each server")
                clients = {m: await connect_all(servers[m].url, n) for m in MODES}

                def variant(mode: str, n: int = n, clients: Any = clients) -> Any:
                    async def go() -> Sample:
                        nonlocal rounds
                        rounds += 1
                        return await one_round(servers[mode], clients[mode], rounds)

                    return go

                samples = await interleave(
                    {m: variant(m) for m in MODES}, REPS[n], warmup=WARMUP[n]
                )
                report.samples[str(n)] = samples
                raw = samples["raw"]
                for mode in MODES:
                    s = samples[mode]
                    table.add(
                        n, LABELS[mode],
                        f"{delay(median(s['p50_ms']))} "
                        f"(p95 {delay(p95(s['p50_ms']))})",
                        delay(median(s["p99_ms"])),
                        delay(median(s["final_p99_ms"])),
                        f"{median(s['events_per_s']):,.0f}",
                        f"{median(s['delivered']):.0%}",
                        times(ratio(s["p50_ms"], raw["p50_ms"])),
                        times(ratio(s["final_p99_ms"], raw["final_p99_ms"])),
                        times(ratio(s["events_per_s"], raw["events_per_s"])),
                    )  # fmt: skip
                    if mode != "raw":
                        report.ratio(
                            f"fanout N={n} {mode}: events/s vs raw",
                            ratio(s["events_per_s"], raw["events_per_s"]),
                            "gql-media / bare broadcast; below 1 is slower",
                        )
                        report.ratio(
                            f"fanout N={n} {mode}: final-state p99 vs raw",
                            ratio(s["final_p99_ms"], raw["final_p99_ms"]),
                            "p99 delay until each has the final state; target <= 2",
                        )
                        report.ratio(
                            f"fanout N={n} {mode}: p50 vs raw",
                            ratio(s["p50_ms"], raw["p50_ms"]),
                            "delay p50, gql-media / bare broadcast; target <= 2 at N=1",
                        )
                if n == COUNTS[-1]:
                    await many_jobs(report, many_table, servers, clients, n)
                for group in clients.values():
                    await asyncio.gather(*(c.ws.close() for c in group))
        finally:
            for server in [*servers.values(), publisher]:
                await server.stop()
    report.config = {
        "counts": COUNTS,
        "events": EVENTS,
        "many_events": MANY_EVENTS,
        "reps": REPS,
        "warmup": WARMUP,
    }
    report.notes += [
        "Delay: CLOCK_MONOTONIC at publish to receipt in the client process. "
        "Memory bus: published in the API process, as the in-process runner does "
        "(all 100 at once: the bus never blocks). Redis bus: published one after "
        "another by a separate process with its own RedisBus, as a worker does. "
        "The delay of later events includes waiting behind earlier ones.",
        "events/s: frames delivered over first publish -> last receipt; "
        "`delivered`: the share of the 100 events each subscriber received (the "
        "app coalesces: one that falls behind gets the latest state). final p99: "
        "the p99 over subscribers of the delay until each has the final state.",
        "Each burst starts once the subscriptions are set up (Redis confirmed "
        "them), 50 ms later, after one ping and pong per client.",
        "Each round checks that every subscriber got increasing sequence numbers "
        "ending with the terminal event, then `complete`; and that the bus had one "
        "subscriber (the app: one shared execution per selection) or N (raw).",
        f"Many jobs: updates/s = N x {MANY_EVENTS} states over first publish -> "
        "the moment the last subscriber has its final state (a coalesced state "
        "counts as conveyed "
        "by the later one it was folded into). Server CPU per frame: the server "
        "process's CPU time over the round (its threads' schedstat) per frame "
        "it sent; the memory bus and the raw server publish in that process, the "
        "Redis one does not (its reader does).",
        "Neither server compresses (the app's GQL_MEDIA_WS_PER_MESSAGE_DEFLATE "
        "default; the raw server with compression=None).",
        "Clients and servers share this machine's 2 cores; all 1,000 clients run "
        "in one process, which also bounds the baseline.",
    ]


if __name__ == "__main__":
    main("fanout", run)
