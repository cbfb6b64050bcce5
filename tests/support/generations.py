"""Helpers for generation tests: GraphQL documents, tiny distinct clips, a fast
seeder of whole trees, and a counter of SQL statements."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from gql_media import models
from gql_media.models import AssetKind, AssetStatus, GenerationStatus, SceneStatus
from tests.support.graphql import data
from tests.support.media import make_video

CREATE = """
mutation ($input: CreateGenerationInput!) {
  createGeneration(input: $input) {
    __typename
    ... on CreateGenerationSuccess {
      generation { id status revision variants { variantType scenes { id number } } }
    }
    ... on InvalidInputError { field }
    ... on Error { code message }
  }
}
"""

ATTACH = """
mutation ($sceneId: ID!, $input: AttachSceneVideoInput) {
  attachSceneVideo(sceneId: $sceneId, input: $input) {
    __typename
    ... on AttachSceneVideoSuccess { isDuplicate scene { id status } job { id } }
    ... on InvalidInputError { field }
    ... on Error { code message }
  }
}
"""

PROGRESS = """
subscription ($id: ID!) {
  generationProgress(id: $id) {
    revision status isFinished deleted
    progress { scenesCompleted totalScenes fraction }
    scene { number status }
  }
}
"""

TREE = """
query ($first: Int!) {
  generations(first: $first) {
    totalCount
    edges {
      node {
        id status
        variants {
          variantType
          scenes { number status video { id durationSeconds thumbnailUrl } }
        }
        metadata { prompts }
      }
    }
  }
}
"""

OWNER = "local"


async def video_row(
    status: AssetStatus = AssetStatus.READY,
    kind: AssetKind | None = AssetKind.VIDEO,
    owner: str = OWNER,
    n: int = 0,
) -> models.Asset:
    """An asset row as a finished (or pending) import leaves it."""
    digest = f"{n:064x}"
    ready = status is AssetStatus.READY
    return await models.Asset.create(
        owner_id=owner,
        kind=kind,
        status=status,
        source_type=models.SourceType.IMPORTED,
        checksum=digest if ready else None,
        dedup_key=digest if ready else None,
        size_bytes=1000 + n if ready else None,
        storage_key=f"blobs/sha256/00/00/{digest}" if ready else None,
    )


async def video_scene_ids(generation: models.Generation) -> list[list[str]]:
    """A generation row's scene ids by variant (in order), each by number."""
    out = []
    for v in await models.Variant.filter(generation_id=generation.id).order_by(
        "position"
    ):
        rows = await models.Scene.filter(variant_id=v.id).order_by("number")
        out.append([str(s.id) for s in rows])
    return out


async def create(base_url: str, **input: Any) -> dict[str, Any]:
    """createGeneration that must succeed; returns the generation."""
    values: dict[str, Any] = {"sourceUrl": "https://cdn.example.com/source.mp4"}
    result = (await data(base_url, CREATE, {"input": values | input}))[
        "createGeneration"
    ]
    assert result["__typename"] == "CreateGenerationSuccess", result
    generation: dict[str, Any] = result["generation"]
    return generation


def scene_ids(generation: dict[str, Any]) -> list[str]:
    """Every scene id, variant by variant, scene by scene."""
    return [s["id"] for v in generation["variants"] for s in v["scenes"]]


def make_clips(folder: Path, count: int) -> list[Path]:
    """`count` tiny clips with distinct bytes (each a different width)."""
    return [
        make_video(
            folder / f"clip{i}.mp4", width=160 + 8 * i, height=90, fps=10, seconds=0.5
        )
        for i in range(count)
    ]


async def seed_trees(count: int, variants: int = 2, scenes: int = 2) -> None:
    """`count` COMPLETED generations with READY videos and prompts metadata,
    written in a few bulk statements (no jobs, no files)."""
    gens, rows, scene_rows, assets, docs = [], [], [], [], []
    for g in range(count):
        gen = models.Generation(
            owner_id="local",
            name=f"g{g}",
            source_url="https://cdn.example.com/s.mp4",
            source_type=models.GenerationSourceType.URL,
            status=GenerationStatus.COMPLETED,
            variant_types=[f"v{v}" for v in range(variants)],
            scenes_per_variant=scenes,
            total_scenes=variants * scenes,
            scenes_completed=variants * scenes,
            completed_at=datetime.now(UTC) - timedelta(minutes=g),
        )
        gens.append(gen)
        docs.append(
            models.GenerationMetadata(
                generation_id=gen.id, kind=models.MetadataKind.PROMPTS, data={"g": g}
            )
        )
        for v in range(variants):
            variant = models.Variant(
                generation_id=gen.id,
                variant_type=f"v{v}",
                position=v,
                status=GenerationStatus.COMPLETED,
                total_scenes=scenes,
                scenes_completed=scenes,
            )
            rows.append(variant)
            for s in range(1, scenes + 1):
                digest = f"{len(assets):064x}"
                asset = models.Asset(
                    owner_id="local",
                    kind=AssetKind.VIDEO,
                    status=AssetStatus.READY,
                    source_type=models.SourceType.IMPORTED,
                    checksum=digest,
                    dedup_key=digest,
                    size_bytes=100,
                    duration_seconds=0.5,
                    storage_key=f"blobs/sha256/00/00/{digest}",
                    thumbnail_key=f"thumbs/sha256/00/00/{digest}/w320_t0.jpg",
                )
                assets.append(asset)
                scene_rows.append(
                    models.Scene(
                        variant_id=variant.id,
                        number=s,
                        status=SceneStatus.READY,
                        asset_id=asset.id,
                    )
                )
    await models.Generation.bulk_create(gens)
    await models.Variant.bulk_create(rows)
    await models.Asset.bulk_create(assets)
    await models.Scene.bulk_create(scene_rows)
    await models.GenerationMetadata.bulk_create(docs)


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())


@contextmanager
def count_statements() -> Iterator[list[str]]:
    """Collect every SQL statement Tortoise sends while the block runs (it logs
    each one on `tortoise.db_client` at DEBUG)."""
    logger = logging.getLogger("tortoise.db_client")
    counter = _Counter()
    level = logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter.statements
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
