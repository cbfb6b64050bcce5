"""A task's life over real HTTP: three versions from an upload, a URL and an
existing asset; review, annotations, approval; the task read in one query at a
constant SQL statement count; every activity heard live, in order."""

import asyncio
from pathlib import Path
from typing import Any

import pytest

from gql_media.bus.memory import MemoryBus
from gql_media.services.reviews.activity import review_channel
from tests.conftest import Server, wait_for_job
from tests.reviews.support import (
    create_version,
    decide,
    ready_asset,
    upload_version,
)
from tests.support.generations import count_statements
from tests.support.graphql import data, subscribe, upload
from tests.support.http_server import serve_files
from tests.support.media import make_video

ACTIVITY = """
subscription ($project: String!) {
  reviewActivity(project: $project) {
    kind task version principal note reviewStatus annotationId
  }
}
"""

ANNOTATE = """
mutation ($id: ID!, $input: AddAnnotationInput!) {
  addAnnotation(assetId: $id, input: $input) {
    __typename
    ... on AnnotationSuccess {
      annotation { id atSeconds frame position { x y } shape width height parentId }
    }
    ... on Error { code message }
  }
}
"""

TASK = """
query ($project: String!, $task: String!) {
  task(project: $project, task: $task) {
    versions {
      versionLabel reviewStatus author tags
      previousVersion { versionLabel }
      annotations(fromSeconds: 1.0, toSeconds: 2.0) {
        text frame shape replies { text author }
      }
      reviewHistory { action principal }
    }
    latest { versionLabel }
    approved { versionLabel approvedBy approvedAt }
    history { action fromStatus toStatus principal note versionLabel
              asset { versionLabel } }
  }
}
"""


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("review-clips")
    # Three different clips (different lengths), so no bytes are shared.
    return [
        make_video(folder / f"v{i}.mp4", width=320, height=180, fps=24, seconds=s)
        for i, s in ((1, 2.0), (2, 2.5), (3, 3.0))
    ]


async def listen(server: Server, project: str) -> tuple[asyncio.Task[Any], list[Any]]:
    """Subscribe to reviewActivity; returns once the server listens on the bus."""
    events: list[dict[str, Any]] = []

    async def run() -> None:
        async for payload in subscribe(server.url, ACTIVITY, {"project": project}):
            events.append(payload["data"]["reviewActivity"])

    task = asyncio.create_task(run())
    bus = server.runtime.bus
    assert isinstance(bus, MemoryBus)
    async with asyncio.timeout(10):
        while not bus.subscriber_count(review_channel("local", project)):
            await asyncio.sleep(0.01)
    return task, events


async def test_three_versions_reviewed_annotated_and_approved(
    server: Server, clips: list[Path]
) -> None:
    listener, events = await listen(server, "SWA")
    try:
        await review_a_task(server, clips, listener, events)
    finally:  # closed before the server stops, whatever failed
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)


async def review_a_task(
    server: Server, clips: list[Path], listener: asyncio.Task[Any], events: list[Any]
) -> None:
    project, task = "SWA", "ep01_sq010_sh020_lighting"

    v1 = await upload_version(server.url, clips[0], project=project, task=task)
    assert v1["__typename"] == "CreateAssetVersionSuccess", v1
    async with serve_files(clips[1].parent) as cdn:
        v2 = await create_version(
            server.url, project=project, task=task, url=cdn.url("/v2.mp4"),
            description="warmer key light",
        )  # fmt: skip
        assert v2["__typename"] == "CreateAssetVersionSuccess", v2
        for job in (v1["job"], v2["job"]):
            assert (await wait_for_job(job["id"])).status.value == "SUCCEEDED"
    uploaded = (await upload(server.url, clips[2])).json()["data"]["uploadAsset"]
    await wait_for_job(uploaded["job"]["id"])
    v3 = await create_version(
        server.url, project=project, task=task, assetId=uploaded["asset"]["id"]
    )
    assert [v["asset"]["version"] for v in (v1, v2, v3)] == [1, 2, 3]
    v2_id, v3_id = v2["asset"]["id"], v3["asset"]["id"]

    assert (await decide(server.url, "submitForReview", v2_id, "please look"))["asset"][
        "reviewStatus"
    ] == "PENDING"
    note = (
        await data(
            server.url,
            ANNOTATE,
            {
                "id": v2_id,
                "input": {
                    "text": "the lamp flickers here",
                    "atSeconds": 1.5,
                    "position": {"x": 0.25, "y": 0.5},
                    "shape": {"kind": "RECTANGLE", "width": 0.5, "height": 0.25},
                },
            },
        )
    )["addAnnotation"]
    assert note["__typename"] == "AnnotationSuccess", note
    assert note["annotation"]["frame"] == 36  # 1.5 s at 24 fps
    parent = note["annotation"]["id"]
    reply_input = {"text": "fixed in v003", "parentId": parent}
    reply = (await data(server.url, ANNOTATE, {"id": v2_id, "input": reply_input}))[
        "addAnnotation"
    ]
    assert reply["annotation"]["parentId"] == note["annotation"]["id"]
    assert reply["annotation"]["atSeconds"] == 1.5
    changes = await decide(server.url, "requestChanges", v2_id, "fix the lamp")
    assert changes["asset"]["reviewStatus"] == "CHANGES_REQUESTED"
    await decide(server.url, "submitForReview", v3_id)
    approved = await decide(server.url, "approveVersion", v3_id, "lovely")
    assert approved["asset"]["reviewStatus"] == "APPROVED"
    assert approved["asset"]["approvedBy"] == "local"

    with count_statements() as statements:
        tree = (await data(server.url, TASK, {"project": project, "task": task}))[
            "task"
        ]
    small = len(statements)
    assert [v["versionLabel"] for v in tree["versions"]] == ["v001", "v002", "v003"]
    assert [v["reviewStatus"] for v in tree["versions"]] == [
        "NOT_SUBMITTED",
        "CHANGES_REQUESTED",
        "APPROVED",
    ]
    assert tree["versions"][2]["previousVersion"] == {"versionLabel": "v002"}
    assert tree["versions"][1]["annotations"] == [
        {
            "text": "the lamp flickers here",
            "frame": 36,
            "shape": "RECTANGLE",
            "replies": [{"text": "fixed in v003", "author": "local"}],
        },
        {"text": "fixed in v003", "frame": 36, "shape": "RECTANGLE", "replies": []},
    ]
    assert tree["latest"] == {"versionLabel": "v003"}
    assert tree["approved"]["versionLabel"] == "v003"
    assert tree["approved"]["approvedAt"]
    assert [(h["action"], h["versionLabel"]) for h in tree["history"]] == [
        ("SUBMIT", "v002"),
        ("REQUEST_CHANGES", "v002"),
        ("SUBMIT", "v003"),
        ("APPROVE", "v003"),
    ]
    assert tree["history"][1]["note"] == "fix the lamp"
    assert tree["history"][3]["asset"] == {"versionLabel": "v003"}

    # A bigger task costs the same number of statements.
    for n in range(6):
        row = await ready_asset(n=100 + n)
        await create_version(
            server.url, project=project, task="big", assetId=str(row.id)
        )
        await decide(server.url, "submitForReview", str(row.id))
    with count_statements() as statements:
        big = (await data(server.url, TASK, {"project": project, "task": "big"}))[
            "task"
        ]
    assert len(big["versions"]) == 6 and len(big["history"]) == 6
    assert len(statements) == small, statements

    async with asyncio.timeout(10):
        while len(events) < 12:
            await asyncio.sleep(0.02)
    main_task = [e for e in events if e["task"] == task]
    assert [(e["kind"], e["version"]) for e in main_task] == [
        ("SUBMITTED", 2),
        ("ANNOTATION_ADDED", 2),
        ("ANNOTATION_ADDED", 2),
        ("CHANGES_REQUESTED", 2),
        ("SUBMITTED", 3),
        ("APPROVED", 3),
    ]
    assert main_task[3]["note"] == "fix the lamp"
    assert main_task[3]["reviewStatus"] == "CHANGES_REQUESTED"
    assert main_task[1]["annotationId"] == note["annotation"]["id"]
    assert [e["kind"] for e in events if e["task"] == "big"] == ["SUBMITTED"] * 6
