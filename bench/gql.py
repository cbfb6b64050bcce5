"""The GraphQL calls the benchmarks time and check, over real HTTP and WebSockets
(the test suite's small client)."""

import time
from dataclasses import dataclass
from typing import Any

from bench.common import check
from bench.services import Deployment
from gql_media.storage.keys import blob_key
from tests.support.graphql import data, subscribe

IMPORT = """
mutation ($u: String!) {
  importAsset(input: {url: $u}) {
    __typename ... on ImportAssetSuccess { asset { id } job { id status } }
    ... on Error { code message }
  }
}
"""
PROGRESS = """
subscription ($id: ID!) {
  jobProgress(jobId: $id) { status stage progress isDuplicate errorCode errorMessage }
}
"""
ASSET = "query ($id: ID!) { asset(id: $id) { status checksum sizeBytes } }"
JOB = "query ($id: ID!) { job(id: $id) { status isDuplicate startedAt } }"
DELETE = """
mutation ($id: ID!) {
  deleteAsset(id: $id) { __typename ... on Error { code message } }
}
"""


async def start_import(url: str, source: str) -> tuple[str, str]:
    """importAsset; returns (asset id, job id)."""
    result = (await data(url, IMPORT, {"u": source}))["importAsset"]
    check(result["__typename"] == "ImportAssetSuccess", f"importAsset: {result}")
    return result["asset"]["id"], result["job"]["id"]


async def wait_for_job(url: str, job_id: str) -> dict[str, Any]:
    """Follow jobProgress to its terminal event, as a client would."""
    last: dict[str, Any] = {}
    async for event in subscribe(url, PROGRESS, {"id": job_id}):
        last = event["data"]["jobProgress"]
    return last


@dataclass
class Imported:
    asset_id: str
    seconds: float


async def import_until_ready(
    deployment: Deployment, source: str, sha256: str, size: int
) -> Imported:
    """Import `source` and wait for the job's end; then check that the asset is
    READY with the source's checksum and size and that the store holds the bytes.

    The timed span is importAsset sent -> terminal event received.
    """
    started = time.perf_counter()
    asset_id, job_id = await start_import(deployment.url, source)
    final = await wait_for_job(deployment.url, job_id)
    seconds = time.perf_counter() - started
    check(final.get("status") == "SUCCEEDED", f"import job ended with {final}")
    check(not final["isDuplicate"], "a fresh import was taken for a duplicate")
    asset = (await data(deployment.url, ASSET, {"id": asset_id}))["asset"]
    check(asset["status"] == "READY", f"asset not READY: {asset}")
    check(asset["checksum"] == sha256, f"checksum {asset['checksum']} != {sha256}")
    check(int(asset["sizeBytes"]) == size, f"size {asset['sizeBytes']} != {size}")
    stored = await deployment.stored_size(blob_key(sha256))
    check(stored == size, f"stored blob has {stored} bytes, not {size}")
    return Imported(asset_id, seconds)


async def delete_asset(deployment: Deployment, asset_id: str, sha256: str) -> None:
    """Delete the asset and check its blob went too, so the next import of the
    same bytes does all the work again instead of finding a duplicate."""
    result = (await data(deployment.url, DELETE, {"id": asset_id}))["deleteAsset"]
    check(result["__typename"] == "DeleteAssetSuccess", f"deleteAsset: {result}")
    left = await deployment.stored_size(blob_key(sha256))
    check(left is None, "the deleted asset's blob is still stored")
