"""`/readyz`: whether this process can serve now, and which backend is not.

`/healthz` stays a liveness check (the process answers) so an orchestrator does
not restart a healthy server during a database or Redis outage; `/readyz` checks
the database, the storage and, in the distributed mode, Redis, each within
`readiness_timeout_seconds`, concurrently, and names what failed.
"""

import asyncio
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gql_media import db
from gql_media.runtime import Runtime

Check = Callable[[], Awaitable[None]]


async def _outcome(check: Check, seconds: float) -> str:
    try:
        async with asyncio.timeout(seconds):
            await check()
    except TimeoutError:
        return f"timed out after {seconds:g} s"
    except Exception as exc:  # any failure is "not ready", with its reason
        first = (str(exc).splitlines() or [""])[0][:200]
        return f"failed: {first or type(exc).__name__}"
    return "ok"


def readiness_route(runtime: Runtime) -> Route:
    """The /readyz route: 200 when every check is "ok", 503 otherwise."""
    checks: dict[str, Check] = {
        "database": db.ping,
        "storage": runtime.storage.check,
    }
    if runtime.settings.redis_url:
        checks["redis"] = runtime.queue.check

    async def readyz(request: Request) -> Response:
        timeout = runtime.settings.readiness_timeout_seconds
        outcomes = await asyncio.gather(
            *(_outcome(check, timeout) for check in checks.values())
        )
        results = dict(zip(checks, outcomes, strict=True))
        failed = [name for name, outcome in results.items() if outcome != "ok"]
        body: dict[str, object] = {
            "status": "not ready" if failed else "ready",
            "checks": results,
        }
        if failed:
            body["failed"] = failed
        return JSONResponse(body, status_code=503 if failed else 200)

    return Route("/readyz", readyz)
