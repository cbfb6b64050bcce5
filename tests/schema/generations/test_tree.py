"""The tree read shaped by the selection (schema/generations/tree.py): the same
answers as whole rows give, field by field, with no more SQL statements."""

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from graphql import GraphQLObjectType, get_named_type, is_leaf_type
from tortoise.models import Model

from gql_media import models
from gql_media.models import AssetKind, AssetStatus, GenerationStatus, SceneStatus
from gql_media.resolvers.root import build_schema
from gql_media.schema.assets.types import ASSET_READS
from gql_media.schema.common.reads import Reads
from gql_media.schema.generations.types import (
    SCENE_READS,
    VARIANT_READS,
)
from tests.conftest import Server
from tests.support.generations import count_statements, seed_trees
from tests.support.graphql import data, gql

OWNER = "local"
TABLES: list[tuple[Reads[Any], type[Model], str]] = [
    (ASSET_READS, models.Asset, "Asset"),
    (SCENE_READS, models.Scene, "Scene"),
    (VARIANT_READS, models.Variant, "Variant"),
]
GRAPHQL = build_schema()._schema


def _from_model_attributes(cls: type) -> set[str]:
    """The attributes from_model fills: the dataclass fields without a default
    (those with one are the prefetch slots a tree read fills) that are not
    resolver fields."""
    resolvers = {
        f.python_name
        for f in cls.__strawberry_definition__.fields  # type: ignore[attr-defined]
        if f.base_resolver is not None
    }
    return {
        f.name
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
        and f.name not in resolvers
    }


def _selection(type_name: str, field: str) -> str:
    """`field` as a selection: a leaf alone, an object with `__typename`."""
    object_type = GRAPHQL.type_map[type_name]
    assert isinstance(object_type, GraphQLObjectType)
    field_type = get_named_type(object_type.fields[field].type)
    return field if is_leaf_type(field_type) else f"{field} {{ __typename }}"


def _fields(type_name: str) -> list[str]:
    object_type = GRAPHQL.type_map[type_name]
    assert isinstance(object_type, GraphQLObjectType)
    return list(object_type.fields)


async def _rich_tree() -> tuple[models.Generation, models.Asset]:
    """A generation with a variant whose first scene shows a video with every
    column set (provenance, a task version after another, archived), and a second
    scene without a video."""
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    first = await models.Asset.create(
        owner_id=OWNER,
        name="v1.mp4",
        source_type=models.SourceType.UPLOADED,
        project="SWA",
        task="ep01_sh010",
        version=1,
    )
    asset = await models.Asset.create(
        owner_id=OWNER,
        name="clip.mp4",
        kind=AssetKind.VIDEO,
        status=AssetStatus.READY,
        checksum="ab" * 32,
        size_bytes=2**40,
        mime_type="video/mp4",
        original_filename="clip.mp4",
        storage_key="blobs/sha256/ab/ab/" + "ab" * 32,
        thumbnail_key="thumbs/sha256/ab/ab/" + "ab" * 32 + "/w320_t0.jpg",
        duration_seconds=2.5,
        width=1280,
        height=720,
        fps=24.0,
        codec="h264",
        audio_codec="aac",
        bitrate=800_000,
        container="mov,mp4",
        aspect_ratio="16:9",
        color_space="bt709",
        source_type=models.SourceType.GENERATED,
        source_url="https://cdn.example.com/clip.mp4",
        metadata={"shot": 7},
        provider="replicate",
        provider_model="wan-2",
        prompt="a cat",
        generation_params={"seed": 1},
        external_job_id="p-1",
        cost=Decimal("0.125000"),
        generated_at=now,
        allow_duplicate_publish=True,
        project="SWA",
        task="ep01_sh010",
        version=2,
        author="ann",
        description="second take",
        review_status=models.ReviewStatus.APPROVED,
        previous_version_id=first.id,
        approved_by="bob",
        approved_at=now,
        archived_at=now,
        error_code=None,
        error_message=None,
    )
    await models.AssetTag.create(asset_id=asset.id, tag="hero")
    generation = await models.Generation.create(
        owner_id=OWNER,
        name="rich",
        source_url="https://cdn.example.com/s.mp4",
        source_type=models.GenerationSourceType.URL,
        status=GenerationStatus.PROCESSING,
        variant_types=["soft"],
        scenes_per_variant=2,
        total_scenes=2,
        scenes_completed=1,
    )
    variant = await models.Variant.create(
        generation_id=generation.id,
        variant_type="soft",
        position=0,
        status=GenerationStatus.PROCESSING,
        total_scenes=2,
        scenes_completed=1,
        error_message="one left",
        completed_at=now,
    )
    await models.Scene.create(
        variant_id=variant.id,
        number=1,
        prompt="a cat",
        provider_video_id="pv-1",
        provider_status="succeeded",
        status=SceneStatus.READY,
        asset_id=asset.id,
        completed_at=now,
    )
    await models.Scene.create(variant_id=variant.id, number=2)
    return generation, asset


@pytest.mark.parametrize(("reads", "model", "name"), TABLES)
async def test_a_build_of_every_column_equals_from_model(
    clean_db: str, reads: Reads[Any], model: type[Model], name: str
) -> None:
    await _rich_tree()
    assert set(reads.fills) == _from_model_attributes(reads.cls), name
    rows = await model.all()
    values = await model.all().values(*reads.everything.columns)
    assert len(rows) == len(values) >= 1
    by_id = {str(v["id"]): v for v in values}
    from_model = reads.cls.from_model  # type: ignore[attr-defined]
    for row in rows:
        built = vars(reads.build(by_id[str(row.pk)], reads.everything))
        whole = from_model(row)
        assert built == {name: getattr(whole, name) for name in reads.fills}, name


@pytest.mark.parametrize(("reads", "model", "name"), TABLES)
def test_every_field_says_what_it_reads(
    reads: Reads[Any], model: type[Model], name: str
) -> None:
    """A field missing from a table would read whole rows (safe, but slow): a new
    field must say which attributes it uses."""
    for field in _fields(name):
        assert reads.plan([field]) is not reads.everything, f"{name}.{field}"
    # Every field together reads everything from_model fills.
    assert set(reads.plan(_fields(name)).attributes) == set(reads.fills)


TREE = "query ($id: ID!) { generation(id: $id) { variants { %s } } }"


async def test_each_field_alone_answers_as_with_every_field(server: Server) -> None:
    generation, asset = await _rich_tree()
    variables = {"id": str(generation.id)}

    async def tree(variant: str) -> list[dict[str, Any]]:
        answer = await data(server.url, TREE % variant, variables)
        variants: list[dict[str, Any]] = answer["generation"]["variants"]
        return variants

    def everything(type_name: str) -> str:
        return " ".join(_selection(type_name, f) for f in _fields(type_name))

    video_all = everything("Asset")
    scene_all = everything("Scene").replace(
        "video { __typename }", f"video {{ {video_all} }}"
    )
    whole = await tree(everything("Variant").replace(
        "scenes { __typename }", f"scenes {{ {scene_all} }}"
    ))  # fmt: skip
    scenes = whole[0]["scenes"]
    assert [s["number"] for s in scenes] == [1, 2]
    assert scenes[1]["video"] is None
    video = scenes[0]["video"]
    # The video as the asset's own root field (whole row, from_model) shows it.
    alone = await data(
        server.url, f"query ($id: ID!) {{ asset(id: $id) {{ {video_all} }} }}",
        {"id": str(asset.id)},
    )  # fmt: skip
    assert _unsigned(video) == _unsigned(alone["asset"])
    assert video["tags"] == ["hero"] and video["provenance"]["__typename"]

    for field in _fields("Asset"):
        got = await tree(f"scenes {{ video {{ {_selection('Asset', field)} }} }}")
        assert _unsigned(got[0]["scenes"][0]["video"]) == {
            field: _unsigned(video)[field]
        }, field
    for field in _fields("Scene"):
        got = await tree(f"scenes {{ {_selection('Scene', field)} }}")
        want = [{field: s[field]} for s in scenes]
        if field == "video":
            want = [{"video": {"__typename": "Asset"}}, {"video": None}]
        assert got[0]["scenes"] == want, field
    for field in _fields("Variant"):
        got = await tree(_selection("Variant", field))
        want_value = whole[0][field]
        if field == "scenes":
            want_value = [{"__typename": "Scene"}] * 2
        assert got == [{field: want_value}], field


def _unsigned(value: Any) -> Any:
    """Links without their query string (expiry and signature), which differ
    between two answers a second apart."""
    if isinstance(value, dict):
        return {k: _unsigned(v) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("/files/"):
        return value.partition("?")[0]
    return value


PAGE = """
query ($first: Int!) { generations(first: $first) { edges { node { %s } } } }
"""


@pytest.mark.parametrize(
    ("selection", "statements"),
    [
        ("id", 1),
        ("variants { variantType }", 2),
        ("variants { scenes { number } }", 3),
        ("variants { scenes { video { id thumbnailUrl } } }", 4),
        # Two selections of one level share one read of each level.
        (
            "a: variants { variantType } "
            "b: variants { scenes { video { durationSeconds } } } "
            "c: variants { scenes { number video { thumbnailUrl tags } } }",
            5,  # + one for the tags
        ),
    ],
)
async def test_statements_per_level_whatever_the_page(
    server: Server, selection: str, statements: int
) -> None:
    await seed_trees(30)
    for first in (3, 30):
        with count_statements() as seen:
            edges = (await data(server.url, PAGE % selection, {"first": first}))[
                "generations"
            ]["edges"]
        assert len(edges) == first
        assert len(seen) == statements, (first, seen)


async def test_a_key_is_signed_once_per_request(server: Server) -> None:
    generation, asset = await _rich_tree()
    # The second scene shows the same video.
    await models.Scene.filter(number=2).update(asset_id=asset.id)
    storage = server.runtime.storage
    signed: list[str] = []
    sign = storage.url

    async def counting(key: str, *args: Any, **kwargs: Any) -> str:
        signed.append(key)
        return await sign(key, *args, **kwargs)

    storage.url = counting  # type: ignore[method-assign]
    try:
        query = TREE % "scenes { video { url thumbnailUrl } a: video { thumbnailUrl } }"
        answer = await data(server.url, query, {"id": str(generation.id)})
    finally:
        storage.url = sign  # type: ignore[method-assign]
    videos = [s["video"] for s in answer["generation"]["variants"][0]["scenes"]]
    assert videos[0] == videos[1] and videos[0]["thumbnailUrl"]
    assert videos[0]["url"] is not None
    assert sorted(signed) == sorted([asset.storage_key, asset.thumbnail_key])


async def test_objects_built_elsewhere_load_their_own_tree(server: Server) -> None:
    """A scene from a mutation was not read as a tree: its video loads itself."""
    await _rich_tree()
    scene = await models.Scene.get(number=2)
    other = await models.Asset.create(
        owner_id=OWNER,
        name="other.mp4",
        status=AssetStatus.READY,
        source_type=models.SourceType.UPLOADED,
        thumbnail_key="thumbs/other.jpg",
        duration_seconds=1.0,
    )
    answer = await gql(
        server.url,
        """mutation ($scene: ID!, $asset: ID!) {
          attachSceneVideo(sceneId: $scene, input: {assetId: $asset}) {
            __typename
            ... on AttachSceneVideoSuccess {
              scene { number video { id durationSeconds thumbnailUrl } }
            }
          }
        }""",
        {"scene": str(scene.id), "asset": str(other.id)},
    )
    result = answer["data"]["attachSceneVideo"]
    assert result["__typename"] == "AttachSceneVideoSuccess", answer
    video = result["scene"]["video"]
    assert video["id"] == str(other.id) and video["durationSeconds"] == 1.0
    assert video["thumbnailUrl"].startswith("/files/thumbs/other.jpg?")
