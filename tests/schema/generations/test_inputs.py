"""Generation mutations over HTTP: uploads to scenes, and every bad input gets a
typed error and changes nothing."""

from pathlib import Path
from typing import Any

import httpx
import pytest

from gql_media import models
from gql_media.models import AssetKind, AssetStatus
from tests.conftest import Server, wait_for_job
from tests.support.generations import (
    ATTACH,
    CREATE,
    create,
    make_clips,
    scene_ids,
    seed_trees,
)
from tests.support.graphql import data, upload
from tests.support.tls import TLS

UPLOAD_TO_SCENE = """
mutation ($file: Upload!, $input: AttachSceneVideoInput) {
  attachSceneVideo(sceneId: "%s", file: $file, input: $input) {
    __typename
    ... on AttachSceneVideoSuccess { isDuplicate scene { status } job { id } }
    ... on Error { code message }
  }
}
"""


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clips(tmp_path_factory.mktemp("upload-clip"), 1)[0]


async def test_uploads_attach_and_known_bytes_are_duplicates(
    server: Server, clip: Path, no_stray_files: None
) -> None:
    generation = await create(server.url, variantTypes=["soft"], scenesPerVariant=2)
    first, second = scene_ids(generation)
    response = await upload(server.url, clip, query=UPLOAD_TO_SCENE % first)
    result = response.json()["data"]["attachSceneVideo"]
    assert result["isDuplicate"] is False
    assert result["scene"]["status"] == "PROCESSING"
    await wait_for_job(result["job"]["id"])
    response = await upload(server.url, clip, query=UPLOAD_TO_SCENE % second)
    again = response.json()["data"]["attachSceneVideo"]
    assert again == {
        "__typename": "AttachSceneVideoSuccess",
        "isDuplicate": True,
        "scene": {"status": "READY"},
        "job": None,
    }
    row = await models.Generation.get(id=generation["id"])
    assert (row.status, row.scenes_completed) == (
        models.GenerationStatus.COMPLETED,
        2,
    )
    empty = clip.parent / "empty.mp4"
    empty.write_bytes(b"")
    other = await create(server.url, variantTypes=["soft"], scenesPerVariant=1)
    response = await upload(
        server.url, empty, query=UPLOAD_TO_SCENE % scene_ids(other)[0]
    )
    assert response.json()["data"]["attachSceneVideo"]["code"] == "INVALID_INPUT"

    # Deleting the generation deletes the video it made, and its stored files.
    await data(
        server.url,
        "mutation ($id: ID!) { deleteGeneration(id: $id) { __typename } }",
        {"id": generation["id"]},
    )
    assert await models.Asset.filter(deleted_at=None).count() == 0
    files = [p for p in server.settings.storage_dir.rglob("*") if p.is_file()]
    assert files == []


@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"scenesPerVariant": 0}, "scenesPerVariant"),
        ({"scenesPerVariant": 65}, "scenesPerVariant"),
        ({"variantTypes": [f"style {i}" for i in range(17)]}, "variantTypes"),
        ({"costEstimate": "-0.5"}, "costEstimate"),
        ({"prompts": [{"number": 5, "prompt": "x"}]}, "prompts"),
        ({"prompts": [{"number": 1, "prompt": "a"}, {"number": 1, "prompt": "b"}]},
         "prompts"),
        ({"sourceUrl": "ftp://example.com/a.mp4"}, "sourceUrl"),
    ],
)  # fmt: skip
async def test_bad_generations_are_refused(
    server: Server, input: dict[str, Any], field: str
) -> None:
    values = {"sourceUrl": "https://cdn.example.com/a.mp4"} | input
    result = (await data(server.url, CREATE, {"input": values}))["createGeneration"]
    assert result["__typename"] == "InvalidInputError", result
    assert result["field"] == field
    assert await models.Generation.all().count() == 0


async def mutate(server: Server, call: str, variables: dict[str, Any]) -> Any:
    """Run one mutation field and return its __typename (and code)."""
    name = call.split("(", 1)[0]
    query = f"mutation ($id: ID!) {{ {call} {{ __typename ... on Error {{ code }} }} }}"
    return (await data(server.url, query, variables))[name]


async def test_bad_edits_are_typed_errors_and_change_nothing(server: Server) -> None:
    generation = await create(server.url, variantTypes=["soft"], scenesPerVariant=1)
    gid, [scene] = generation["id"], scene_ids(generation)
    image = await models.Asset.create(
        owner_id="local",
        kind=AssetKind.IMAGE,
        status=AssetStatus.READY,
        source_type=models.SourceType.UPLOADED,
    )
    unknown = "00000000-0000-0000-0000-000000000000"
    cases = [
        ("saveGenerationMetadata(generationId: $id, kind: ANALYSIS, data: [1])", gid,
         "InvalidInputError"),
        ("saveGenerationMetadata(generationId: $id, kind: ANALYSIS, data: {})",
         unknown, "NotFoundError"),
        ('setGenerationCost(id: $id, actualCost: "-1")', gid, "InvalidInputError"),
        ('setGenerationCost(id: $id, actualCost: "1")', "nope", "NotFoundError"),
        ('markGenerationFailed(id: $id, error: "")', gid, "InvalidInputError"),
        ("exportGeneration(id: $id)", gid, "InvalidStateError"),
        ("retryScene(id: $id)", scene, "InvalidStateError"),
        ('updateScene(id: $id, input: {prompt: "x"})', unknown, "NotFoundError"),
        ("attachSceneVideo(sceneId: $id)", scene, "InvalidInputError"),
        ('attachSceneVideo(sceneId: $id, input: {url: "https://a.example/x.mp4", '
         f'assetId: "{image.id}"}})', scene, "InvalidInputError"),
        (f'attachSceneVideo(sceneId: $id, input: {{assetId: "{image.id}"}})', scene,
         "InvalidInputError"),
        (f'attachSceneVideo(sceneId: $id, input: {{assetId: "{unknown}"}})', scene,
         "NotFoundError"),
        ('attachSceneVideo(sceneId: $id, input: {url: "file:///etc/passwd"})', scene,
         "ForbiddenUrlError"),
        ('attachSceneVideo(sceneId: $id, input: {url: "http://10.0.0.1/a.mp4"})',
         scene, "ForbiddenUrlError"),
        ('attachSceneVideo(sceneId: $id, input: {url: "http://127.0.0.1/a.mp4"})',
         unknown, "NotFoundError"),
        ("deleteGeneration(id: $id)", unknown, "NotFoundError"),
    ]  # fmt: skip
    for call, target, expected in cases:
        result = await mutate(server, call, {"id": target})
        assert result["__typename"] == expected, (call, result)
    row = await models.Generation.get(id=gid)
    assert (row.revision, row.status, row.actual_cost) == (
        0,
        models.GenerationStatus.PENDING,
        None,
    )
    assert await models.Job.all().count() == 0
    assert await models.Asset.all().count() == 1
    assert await models.GenerationMetadata.all().count() == 0

    # A completed generation cannot be failed; a deleted one's scenes are gone.
    await seed_trees(1)
    done = await models.Generation.get(status=models.GenerationStatus.COMPLETED)
    failed = await mutate(server, 'markGenerationFailed(id: $id, error: "x")',
                          {"id": str(done.id)})  # fmt: skip
    assert failed["__typename"] == "InvalidStateError"
    await mutate(server, "deleteGeneration(id: $id)", {"id": gid})
    gone = (
        await data(
            server.url, ATTACH, {"sceneId": scene, "input": {"assetId": str(image.id)}}
        )
    )["attachSceneVideo"]
    assert gone["__typename"] == "NotFoundError"


async def test_metadata_kind_is_an_enum_so_unknown_kinds_never_reach_the_service(
    server: Server,
) -> None:
    generation = await create(server.url, variantTypes=["soft"], scenesPerVariant=1)
    query = (
        "mutation ($id: ID!) { saveGenerationMetadata(generationId: $id, "
        'kind: "mood", data: {}) { __typename } }'
    )
    async with httpx.AsyncClient(verify=TLS, base_url=server.url, timeout=30) as client:
        body = (
            await client.post(
                "/graphql", json={"query": query, "variables": {"id": generation["id"]}}
            )
        ).json()
    assert "data" not in body or body["data"] is None
    assert "MetadataKind" in body["errors"][0]["message"]
    saved = await data(
        server.url,
        "mutation ($id: ID!) { saveGenerationMetadata(generationId: $id, kind: "
        "EVALUATION, data: {score: 1}) { ... on SaveGenerationMetadataSuccess "
        "{ metadata { evaluation } } } }",
        {"id": generation["id"]},
    )
    assert saved["saveGenerationMetadata"]["metadata"] == {"evaluation": {"score": 1}}
    assert await models.GenerationMetadata.all().count() == 1
