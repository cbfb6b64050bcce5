"""reviewActivity when Redis (the progress bus) is down: a typed UNAVAILABLE
error instead of a hang or an INTERNAL error."""

from contextlib import AsyncExitStack
from pathlib import Path

from tests.services.test_follow import (  # noqa: F401 - the redis fixture
    PrivateRedis,
    error_of,
    open_subscription,
    redis,
    serve,
)

ACTIVITY = 'subscription { reviewActivity(project: "SWA") { kind } }'


async def test_review_activity_with_the_bus_down_is_unavailable(
    tmp_path: Path,
    clean_db: str,
    redis: PrivateRedis,  # noqa: F811
) -> None:
    server = await serve(tmp_path, clean_db, redis, grace=1.0)
    try:
        redis.stop()
        async with AsyncExitStack() as stack:
            sub = await open_subscription(stack, server.url, ACTIVITY, {})
            payload = error_of(await sub.next())
            assert (await sub.next())["type"] == "complete"
        assert payload["extensions"]["code"] == "UNAVAILABLE", payload
        assert "task { history }" in payload["message"]
    finally:
        await server.stop()
