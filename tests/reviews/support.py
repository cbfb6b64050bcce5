"""Helpers of the review tests: version mutations over real HTTP."""

import json
from pathlib import Path
from typing import Any

import httpx

from gql_media import models
from tests.support.graphql import PREFLIGHT, data
from tests.support.tls import TLS

VERSION_FIELDS = """
__typename
... on CreateAssetVersionSuccess {
  asset { id project task version versionLabel author reviewStatus status
          previousVersion { id version } }
  job { id }
}
... on Error { code message }
"""

CREATE = (
    "mutation ($input: CreateAssetVersionInput!) {"
    f" createAssetVersion(input: $input) {{ {VERSION_FIELDS} }} }}"
)

DECISION = """
__typename
... on ReviewDecisionSuccess { asset { id version reviewStatus approvedBy } }
... on Error { code message }
"""


async def create_version(base_url: str, **input: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await data(base_url, CREATE, {"input": input}))[
        "createAssetVersion"
    ]
    return result


async def upload_version(base_url: str, path: Path, **input: Any) -> dict[str, Any]:
    """createAssetVersion with `path` as the multipart file of `input.file`."""
    operations = {"query": CREATE, "variables": {"input": {**input, "file": None}}}
    with path.open("rb") as fh:
        files = {
            "operations": (None, json.dumps(operations), "application/json"),
            "map": (None, json.dumps({"0": ["variables.input.file"]}), "text/json"),
            "0": (path.name, fh, "application/octet-stream"),
        }
        async with httpx.AsyncClient(
            verify=TLS, base_url=base_url, timeout=60
        ) as client:
            response = await client.post("/graphql", files=files, headers=PREFLIGHT)
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["createAssetVersion"]
    return result


async def decide(
    base_url: str,
    mutation: str,
    asset_id: str,
    note: str = "",
    *,
    token: str | None = None,
) -> dict[str, Any]:
    query = (
        f"mutation ($id: ID!, $note: String) {{ {mutation}(assetId: $id, note: $note)"
        f" {{ {DECISION} }} }}"
    )
    result: dict[str, Any] = (
        await data(base_url, query, {"id": asset_id, "note": note}, token=token)
    )[mutation]
    return result


async def ready_asset(
    owner_id: str = "local", *, duration: float = 2.0, fps: float = 24.0, n: int = 0
) -> models.Asset:
    """A READY video row, as if processed (for tests that need no bytes)."""
    return await models.Asset.create(
        owner_id=owner_id,
        name=f"clip{n}",
        kind=models.AssetKind.VIDEO,
        status=models.AssetStatus.READY,
        source_type=models.SourceType.UPLOADED,
        checksum=f"{n:064x}",
        dedup_key=f"{n:064x}",
        duration_seconds=duration,
        fps=fps,
        width=320,
        height=180,
    )


async def counts() -> dict[str, int]:
    """Rows of every table the reviews domain writes (to prove nothing was)."""
    return {
        "asset": await models.Asset.all().count(),
        "placed": await models.Asset.filter(task__isnull=False).count(),
        "events": await models.ReviewEvent.all().count(),
        "annotations": await models.Annotation.all().count(),
        "counters": await models.TaskCounter.all().count(),
        "jobs": await models.Job.all().count(),
    }
