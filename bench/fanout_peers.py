"""The two ends of the fanout benchmark as its driver sees them: a server process
(bench/fanout_server.py) on its stdin/stdout control line, and graphql-transport-ws
clients subscribed to one job's `jobProgress`."""

import asyncio
import json
import os
import sys
import time
from typing import Any

import orjson
import websockets
from websockets.asyncio.client import ClientConnection

from bench.common import REPO, BenchFailure, check
from tests.support.processes import free_port

# The burst starts this long after the subscriptions are in place (then a ping
# wakes both ends). The app reads the job's row once more after subscribing
# (nothing may fall between the first read and the subscription); a burst
# published during that read measured the read (about 0.35 ms of the API
# process's CPU on 2026-12-02), not the delivery. A job's events come seconds
# after its watchers subscribed, not microseconds.
SETTLE_SECONDS = 0.05
QUERY = """
subscription ($id: ID!) {
  jobProgress(jobId: $id) { status stage progress message }
}
"""


class Server:
    """One fanout_server process and its stdin/stdout control line."""

    def __init__(self, mode: str, port: int, proc: asyncio.subprocess.Process):
        self.mode = mode
        self.url = f"ws://127.0.0.1:{port}/graphql"
        self.proc = proc
        # Where "publish" goes: this process, or a separate publisher process.
        self.publisher: Server = self

    @classmethod
    async def start(cls, mode: str, work: Any, redis_url: str) -> "Server":
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GQL_MEDIA_")}
        log_file = (work / f"fanout-{mode}.log").open("ab")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.fanout_server", "--mode", mode,
            "--port", str(port), "--data-dir", str(work / mode),
            "--redis-url", redis_url,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=log_file, cwd=REPO, env=env,
        )  # fmt: skip
        server = cls(mode, port, proc)
        ready = await server._read(60)
        check(ready.get("ready") is True, f"{mode} server did not start: {ready}")
        return server

    async def call(self, **command: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(orjson.dumps(command) + b"\n")
        await self.proc.stdin.drain()
        return await self._read(300)

    async def _read(self, limit: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), limit)
        check(bool(line), f"the {self.mode} server exited; see its log")
        answer: dict[str, Any] = orjson.loads(line)
        return answer

    async def stop(self) -> None:
        if self.proc.returncode is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write(b'{"cmd": "quit"}\n')
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


class Client:
    """One graphql-transport-ws connection, reused for a subscription per round."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    async def connect(cls, url: str) -> "Client":
        ws = await websockets.connect(
            url,
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
            open_timeout=120,
            # A busy round may hold the loop longer than a ping timeout.
            ping_interval=None,
        )
        await ws.send(json.dumps({"type": "connection_init"}))
        ack = json.loads(await ws.recv())
        check(ack["type"] == "connection_ack", f"no connection_ack: {ack}")
        return cls(ws)

    async def subscribe(self, sub_id: str, job_id: str) -> None:
        """Subscribe and read the first frame (the job as stored)."""
        payload = {"query": QUERY, "variables": {"id": job_id}}
        await self.ws.send(
            json.dumps({"id": sub_id, "type": "subscribe", "payload": payload})
        )
        # The first frame is the job as stored. With Redis, the server may send
        # it before Redis confirms its SUBSCRIBE: the round asks the server to
        # wait for that (`count`) before it publishes.
        first = json.loads(await self.ws.recv())
        check(first["type"] == "next", f"subscription refused: {first}")

    async def collect(self) -> list[tuple[int, int, int, str]]:
        """(sequence, publish ns, receipt ns, status) of each event to `complete`
        (a subscriber that falls behind gets the latest state: a subsequence)."""
        received: list[tuple[int, int, int, str]] = []
        async for raw in self.ws:
            now = time.monotonic_ns()
            message = orjson.loads(raw)
            if message["type"] == "complete":
                return received
            check(message["type"] == "next", f"unexpected frame {message}")
            job = message["payload"]["data"]["jobProgress"]
            seq, published = job["message"].split()
            received.append((int(seq), int(published), now, job["status"]))
        raise BenchFailure("the connection closed before `complete`")


async def settle(clients: list[Client]) -> None:
    """Let the subscriptions' set-up end, then wake both ends with a ping."""
    await asyncio.sleep(SETTLE_SECONDS)
    pongs = await asyncio.gather(*(c.ws.ping() for c in clients))
    await asyncio.gather(*pongs)


async def connect_all(url: str, n: int) -> list[Client]:
    clients: list[Client] = []
    for start in range(0, n, 100):  # in batches: the listen backlog is finite
        batch = range(start, min(n, start + 100))
        clients += await asyncio.gather(*(Client.connect(url) for _ in batch))
    return clients
