"""Every root field, scoped to the token's owner: the suite is built from the
schema, and fails for any query, mutation or subscription field that has no
cross-owner case in tests/accounts/isolation/ (add one there for a new field)."""

import asyncio
import hashlib
import importlib
import pkgutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from gql_media import models
from gql_media.kit import clock
from gql_media.resolvers.root import build_schema
from gql_media.services.accounts import tokens
from tests.accounts import isolation
from tests.accounts.isolation import CASES, SEEDS, World
from tests.accounts.support import make_account
from tests.conftest import Server
from tests.support.generations import CREATE
from tests.support.graphql import data, upload
from tests.support.http_server import serve_files
from tests.support.media import make_video

for module in pkgutil.iter_modules(isolation.__path__):
    importlib.import_module(f"{isolation.__name__}.{module.name}")

# Run order: reads first, then subscriptions, then what writes.
ORDER = {"Query": 0, "Subscription": 1, "Mutation": 2}


def root_fields() -> list[str]:
    schema = build_schema()._schema
    names = []
    for root in (schema.query_type, schema.mutation_type, schema.subscription_type):
        if root is not None:
            names += [f"{root.name}.{name}" for name in root.fields]
    return names


def test_every_root_field_has_a_cross_owner_case() -> None:
    fields = root_fields()
    missing = sorted(set(fields) - set(CASES))
    assert not missing, (
        f"root fields without a cross-owner case: {missing}; add one to "
        "tests/accounts/isolation/<domain>.py with @case(...)"
    )
    stale = sorted(set(CASES) - set(fields))
    assert not stale, f"cases for fields the schema no longer has: {stale}"


async def test_owner_b_with_owner_a_ids_gets_what_unknown_ids_get(
    server: Server, tmp_path: Path
) -> None:
    world = await _world(server, tmp_path)
    before = await _snapshot(world.a.owner_id, server)
    failures: list[str] = []
    async with serve_files(tmp_path / "served") as source:
        world.source_url = source.url("/a.mp4")
        seen: set[Any] = set()
        for name in sorted(root_fields(), key=lambda n: (ORDER[n.split(".")[0]], n)):
            run = CASES[name]
            if run in seen:
                continue
            seen.add(run)
            try:
                await run(world)
            except Exception as exc:  # collected: one report for every field
                failures.append(f"{name}: {type(exc).__name__}: {exc}")
        await _settle()
    assert not failures, "\n".join(failures)
    assert await _snapshot(world.a.owner_id, server) == before


async def _world(server: Server, tmp_path: Path) -> World:
    a = await make_account("owner-a")
    b = await make_account("owner-b")
    c = await make_account("owner-c")
    (tmp_path / "served").mkdir()
    clip = make_video(tmp_path / "served" / "a.mp4", width=160, height=90, seconds=0.5)
    world = World(url=server.url, a=a, b=b, c=c, clip=clip)

    headers = {"GraphQL-Require-Preflight": "1", "Authorization": f"Bearer {a.token}"}
    body = (await upload(server.url, clip, headers=headers)).json()
    result = body["data"]["uploadAsset"]
    assert result["__typename"] == "UploadAssetSuccess", body
    world.ids["asset"] = result["asset"]["id"]
    world.ids["job"] = result["job"]["id"]
    await _settle()
    asset = await models.Asset.get(id=world.ids["asset"])
    assert asset.status == models.AssetStatus.READY, asset.error_message

    made = await data(
        server.url,
        CREATE,
        {
            "input": {
                "sourceUrl": "https://cdn.example.com/a.mp4",
                "costEstimate": "777.5",
            }
        },
        token=a.token,
    )
    generation = made["createGeneration"]["generation"]
    world.ids["generation"] = generation["id"]
    world.ids["scene"] = generation["variants"][0]["scenes"][0]["id"]
    # A pending direct upload of A's, written directly (the storage is local).
    pending = await models.DirectUpload.create(
        owner_id=a.owner_id,
        staging_key="staging/a",
        s3_upload_id="a",
        size_bytes=10,
        sha256="0" * 64,
        part_size_bytes=10,
        part_count=1,
        expires_at=clock.now() + timedelta(hours=1),
    )
    world.ids["direct_upload"] = str(pending.id)
    (token_row,) = await tokens.list_tokens(a.owner_id)
    world.ids["token"] = str(token_row.id)

    # B's own rows, for cases that point B's objects at A's.
    other = make_video(tmp_path / "b.mp4", width=176, height=90, seconds=0.5)
    headers = {"GraphQL-Require-Preflight": "1", "Authorization": f"Bearer {b.token}"}
    body = (await upload(server.url, other, headers=headers)).json()
    world.b_ids["asset"] = body["data"]["uploadAsset"]["asset"]["id"]
    made = await data(
        server.url,
        CREATE,
        {"input": {"sourceUrl": "https://cdn.example.com/b.mp4"}},
        token=b.token,
    )
    scenes = made["createGeneration"]["generation"]["variants"][0]["scenes"]
    world.b_ids["scene"] = scenes[0]["id"]
    for write in SEEDS:
        await write(world)
    await _settle()
    return world


async def _settle(timeout: float = 60.0) -> None:
    """Wait until no job is queued or running (B's imports included)."""
    async with asyncio.timeout(timeout):
        while await models.Job.filter(
            status__in=[models.JobStatus.QUEUED, models.JobStatus.RUNNING]
        ).exists():
            await asyncio.sleep(0.05)


async def _snapshot(owner_id: str, server: Server) -> dict[str, Any]:
    """A's rows in every table, and the bytes of A's files."""
    rows: dict[str, Any] = {}
    owned = [
        models.Asset,
        models.Job,
        models.Generation,
        models.WebhookDelivery,
        models.DirectUpload,
        models.Workflow,
        models.WorkflowExecution,
        models.Publication,
        models.PublicationEvent,
        models.ReviewEvent,
        models.Annotation,
        models.TaskCounter,
    ]
    for model in owned:
        rows[model.__name__] = await _values(model.filter(owner_id=owner_id))
    rows["AssetTag"] = await _values(models.AssetTag.filter(asset__owner_id=owner_id))
    rows["Variant"] = await _values(
        models.Variant.filter(generation__owner_id=owner_id)
    )
    rows["Scene"] = await _values(
        models.Scene.filter(variant__generation__owner_id=owner_id)
    )
    rows["GenerationMetadata"] = await _values(
        models.GenerationMetadata.filter(generation__owner_id=owner_id)
    )
    rows["ApiToken"] = await _values(models.ApiToken.filter(owner_id=owner_id))
    files = {}
    for asset in await models.Asset.filter(owner_id=owner_id):
        for key in (asset.storage_key, asset.thumbnail_key):
            if key:
                path = server.settings.storage_dir / key
                files[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    rows["files"] = files
    return rows


async def _values(query: Any) -> list[str]:
    return sorted(str(sorted(row.items())) for row in await query.values())
