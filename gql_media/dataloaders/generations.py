"""Batch functions of the generation tree: one query per level, whatever its size."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from tortoise.expressions import Subquery

from gql_media import models
from gql_media.dataloaders.batch import rows_grouped_by
from gql_media.models import SceneStatus

scenes_by_variant_id = rows_grouped_by(models.Scene, "variant_id", "number")
metadata_by_generation_id = rows_grouped_by(models.GenerationMetadata, "generation_id")


async def cover_asset_id_by_generation_id(ids: list[str]) -> list[str | None]:
    """The asset of each generation's first READY scene (first variant first)."""
    rows = (
        await models.Scene.filter(
            variant__generation_id__in=[UUID(i) for i in ids],
            status=SceneStatus.READY,
            asset_id__isnull=False,
        )
        .order_by("variant__position", "number")
        .values("variant__generation_id", "asset_id")
    )
    covers: dict[str, str] = {}
    for row in rows:
        covers.setdefault(str(row["variant__generation_id"]), str(row["asset_id"]))
    return [covers.get(i) for i in ids]


# -- the tree below generations, shaped by what the query selects ------------------


@dataclass(frozen=True)
class TreeColumns:
    """The columns a tree read needs at each level; None: the level is not read."""

    variant: tuple[str, ...]
    scene: tuple[str, ...] | None
    asset: tuple[str, ...] | None

    def union(self, other: "TreeColumns") -> "TreeColumns":
        return TreeColumns(
            _merged(self.variant, other.variant),
            _merged(self.scene, other.scene),
            _merged(self.asset, other.asset),
        )


@dataclass(slots=True)
class SceneTree:
    values: dict[str, Any]
    # The live video's values, None without one; an exception when the videos
    # could not be read (the `video` field of each scene reports it).
    video: dict[str, Any] | BaseException | None = None


@dataclass(slots=True)
class VariantTree:
    values: dict[str, Any]
    # None when the scenes were not read; an exception when they failed.
    scenes: list[SceneTree] | BaseException | None = None


TreeKey = tuple[str, TreeColumns]


async def variant_trees_by_generation_id(
    keys: list[TreeKey],
) -> list[list[VariantTree]]:
    """The variants of each generation with, as far as the columns ask, their
    scenes and the scenes' live videos: one statement per level, as the loaders of
    the three levels would issue, reading only the columns asked. Keys of one
    batch share one read of the union of their columns."""
    columns = keys[0][1]
    for _, more in keys[1:]:
        columns = columns.union(more)
    ids = list(dict.fromkeys(generation_id for generation_id, _ in keys))
    rows = (
        await models.Variant.filter(generation_id__in=[UUID(i) for i in ids])
        .order_by("position")
        .values(*_merged(columns.variant, ("id", "generation_id")))
    )
    trees: dict[str, list[VariantTree]] = {i: [] for i in ids}
    variants: dict[Any, VariantTree] = {}
    for row in rows:
        tree = variants[row["id"]] = VariantTree(row)
        trees[str(row["generation_id"])].append(tree)
    if columns.scene is not None and variants:
        await _fill_scenes(ids, variants, columns)
    return [trees[generation_id] for generation_id, _ in keys]


async def _fill_scenes(
    generation_ids: list[str], variants: dict[Any, VariantTree], columns: TreeColumns
) -> None:
    # Errors past the first level stay with the fields that read them: the scenes
    # (or videos) of this batch answer with the error, as their own loaders did.
    assert columns.scene is not None
    # By generation (a join), not by a list of hundreds of variant and asset ids:
    # building those lists cost more than the statements.
    below = models.Scene.filter(variant__generation_id__in=generation_ids)
    try:
        rows = await below.order_by("number").values(
            *_merged(columns.scene, ("variant_id", "asset_id"))
        )
    except Exception as exc:
        for variant in variants.values():
            variant.scenes = exc
        return
    scenes = []
    by_variant: dict[Any, list[SceneTree]] = {}
    for variant_id, tree in variants.items():
        tree.scenes = by_variant[variant_id] = []
    for row in rows:
        listed = by_variant.get(row["variant_id"])
        if listed is None:  # a variant added since the variants were read
            continue
        scene = SceneTree(row)
        listed.append(scene)
        scenes.append(scene)
    if columns.asset is None or all(s.values["asset_id"] is None for s in scenes):
        return
    try:
        found = await models.Asset.filter(
            id__in=Subquery(below.filter(asset_id__isnull=False).values("asset_id")),
            deleted_at=None,
        ).values(*_merged(columns.asset, ("id",)))
    except Exception as exc:
        for scene in scenes:
            scene.video = exc
        return
    by_id = {row["id"]: row for row in found}
    for scene in scenes:
        asset_id = scene.values["asset_id"]
        scene.video = by_id.get(asset_id) if asset_id is not None else None


def _merged(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return tuple(dict.fromkeys(a + b))
