"""SIGKILL of a worker mid-upload in the distributed mode: the next worker's
sweeper takes the job back, the attempt resumes the platform's session, and the
publication ends SUCCESS with exactly one post.

The worker processes find the test platform through a real entry point: a
`.dist-info` folder on their PYTHONPATH declares it in `gql_media.uploaders`."""

import asyncio
import os
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from gql_media import models
from gql_media.services.publishing import registry
from gql_media.settings import Settings
from tests.conftest import Server
from tests.publishing.conftest import events, publish, store_video, transitions
from tests.publishing.fake_platform import FakePlatforms
from tests.publishing.loopback import LoopbackUploader
from tests.support.processes import BIN, REPO, Proc

pytestmark = pytest.mark.timeout(180)


def plugin_site(folder: Path) -> Path:
    """A folder that makes `loopback` an installed uploader plugin."""
    info = folder / "loopback_uploader-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: loopback-uploader\nVersion: 0\n"
    )
    (info / "entry_points.txt").write_text(
        "[gql_media.uploaders]\nloopback = tests.publishing.loopback:build\n"
    )
    return folder


@pytest.mark.only("postgres")  # worker processes share PostgreSQL
async def test_sigkill_mid_upload_ends_with_one_post(
    settings: Settings,
    private_redis: str,
    platforms: FakePlatforms,
    tmp_path: Path,
) -> None:
    client = aioredis.from_url(private_redis)
    await client.flushall()
    await client.aclose()
    settings.redis_url = private_redis
    settings.auth.allow_anonymous = True  # about crashes, not access
    registry.register(
        "loopback", lambda s: LoopbackUploader("loopback", platforms.url("loopback"))
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{plugin_site(tmp_path / 'site')}:{REPO}",
        "LOOPBACK_PLATFORM_URL": platforms.url("loopback"),
        "GQL_MEDIA_DATABASE_URL": settings.db_url,
        "GQL_MEDIA_REDIS_URL": private_redis,
        "GQL_MEDIA_DATA_DIR": str(settings.data_dir),
        "GQL_MEDIA_SECRET_KEY": "test-secret",
        "GQL_MEDIA_JOB_HEARTBEAT_SECONDS": "0.3",
        "GQL_MEDIA_JOB_STALE_SECONDS": "1.5",
        "GQL_MEDIA_JOB_SWEEP_SECONDS": "0.5",
    }
    server = Server(settings)
    await server.start()
    workers: list[Proc] = []
    try:
        asset = await store_video(server.runtime, os.urandom(3_000_000))
        platform = platforms["loopback"]
        platform.faults.extend(["", "slow"])  # the session, then a slow PUT
        pub_id = (await publish(server.url, asset.id))["publication"]["id"]
        args = [str(BIN / "arq"), "worker.WorkerSettings"]
        workers.append(Proc("worker0", args, env, tmp_path))
        async with asyncio.timeout(60):
            while not any(len(s.received) for s in platform.sessions.values()):
                assert workers[0].alive(), workers[0].output()
                await asyncio.sleep(0.05)
        workers[0].kill()  # SIGKILL, mid-upload
        row = await models.Publication.get(id=pub_id)
        assert row.status is models.PublicationStatus.IN_PROGRESS
        assert row.resume_state.get("session")  # saved before the bytes went
        workers.append(Proc("worker1", args, env, tmp_path))
        async with asyncio.timeout(90):
            while (await models.Publication.get(id=pub_id)).status in (
                models.PublicationStatus.IN_PROGRESS,
                models.PublicationStatus.PENDING,
            ):
                await asyncio.sleep(0.1)
        row = await models.Publication.get(id=pub_id)
        assert row.status is models.PublicationStatus.SUCCESS, workers[1].output()
        assert len(platform.posts) == 1
        assert len(platform.sessions) == 1
        trail = transitions(await events(server.url, pub_id))
        assert trail == [
            (None, "PENDING"),
            ("PENDING", "IN_PROGRESS"),
            ("IN_PROGRESS", "IN_PROGRESS"),  # resumed by the next worker
            ("IN_PROGRESS", "SUCCESS"),
        ]
    finally:
        for worker in workers:
            worker.stop()
        registry.unregister("loopback")
        await server.stop()
