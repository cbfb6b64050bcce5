"""The generation tree read in one piece, shaped by the query.

`Generation.variants` reads the variants together with as much of the tree below as
the query selects: their scenes if `scenes` is selected, the scenes' videos if
`video` is, with only the columns the selected fields use (`schema/common/reads.py`),
and signs the thumbnails ahead if `thumbnailUrl` is selected. It costs the statements
the three levels' loaders cost (one per level read, whatever the page size), and
below it `scenes`, `video` and `thumbnailUrl` answer from what was read: plain
values, no coroutine, DataLoader future or ORM row per scene. Objects built elsewhere
(a mutation's scene, a subscription's variant) still load their fields themselves.
"""

from dataclasses import dataclass
from typing import Any

from graphql.pyutils import Path

from gql_media.dataloaders.generations import TreeColumns, VariantTree
from gql_media.schema.assets.types import ASSET_READS, Asset
from gql_media.schema.common.context import Info
from gql_media.schema.common.links import sign_ahead
from gql_media.schema.common.reads import Plan, fields_by_name, sub_selections
from gql_media.schema.generations.types import SCENE_READS, VARIANT_READS, Variant


@dataclass(frozen=True)
class TreeShape:
    """What one `variants` selection reads: a plan per level (None: not read)."""

    variant: Plan
    scene: Plan | None
    asset: Plan | None
    thumbnails: bool  # sign the videos' thumbnails ahead
    columns: TreeColumns  # the loader's part of the key


async def read_variants(info: Info, generation_id: str) -> list[Variant]:
    """The generation's variants, with the tree below as far as it is selected."""
    shape = shape_of(info)
    loader = info.context.loaders.variant_trees_by_generation_id
    trees = await loader.load((generation_id, shape.columns))
    variants, thumbnails = _build(trees, shape)
    if thumbnails:
        await sign_ahead(info, thumbnails)
    return variants


def shape_of(info: Info) -> TreeShape:
    """The shape of this `variants` field's selection, worked out once per request
    for each place in the query (every generation of a page shares it)."""
    place = _place(info)
    shapes = info.context.loaders.shapes
    shape = shapes.get(place)
    if not isinstance(shape, TreeShape):
        shape = shapes[place] = _shape(info)
    return shape


def _place(info: Info) -> tuple[Any, ...]:
    """The field's response path without list indices, each key with the type it
    is selected on (the members of a union can select one key differently)."""
    keys: list[Any] = ["tree"]
    path: Path | None = info.path
    while path is not None:
        if isinstance(path.key, str):
            keys += (path.key, path.typename)
        path = path.prev
    return tuple(keys)


def _shape(info: Info) -> TreeShape:
    variant_fields = fields_by_name(sub_selections(info.selected_fields))
    scene_fields = asset_fields = None
    if "scenes" in variant_fields:
        scene_fields = fields_by_name(sub_selections(variant_fields["scenes"]))
        if "video" in scene_fields:
            asset_fields = fields_by_name(sub_selections(scene_fields["video"]))
    variant = VARIANT_READS.plan(variant_fields)
    scene = SCENE_READS.plan(scene_fields) if scene_fields is not None else None
    asset = ASSET_READS.plan(asset_fields) if asset_fields is not None else None
    return TreeShape(
        variant=variant,
        scene=scene,
        asset=asset,
        thumbnails=asset_fields is not None and "thumbnailUrl" in asset_fields,
        columns=TreeColumns(
            variant.columns,
            scene.columns if scene else None,
            asset.columns if asset else None,
        ),
    )


def _build(
    trees: list[VariantTree], shape: TreeShape
) -> tuple[list[Variant], list[str]]:
    """The variants with their scenes and videos; the thumbnail keys to sign."""
    variants = []
    thumbnails: list[str] = []
    scene_plan, asset_plan = shape.scene, shape.asset
    for tree in trees:
        variant = VARIANT_READS.build(tree.values, shape.variant)
        variants.append(variant)
        if scene_plan is None:
            continue
        if isinstance(tree.scenes, BaseException) or tree.scenes is None:
            variant.loaded_scenes = tree.scenes
            continue
        scenes = []
        for item in tree.scenes:
            scene = SCENE_READS.build(item.values, scene_plan)
            scenes.append(scene)
            if asset_plan is None:
                continue
            video = item.video
            if isinstance(video, dict):
                built: Asset = ASSET_READS.build(video, asset_plan)
                scene.loaded_video = built
                if shape.thumbnails and built.thumbnail_key:
                    thumbnails.append(built.thumbnail_key)
            else:
                scene.loaded_video = video
        variant.loaded_scenes = scenes
    return variants, thumbnails
