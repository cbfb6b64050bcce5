"""Per-request DataLoaders, named <thing>_by_<key>. Never module-level: their cache
must not outlive the request."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar, overload
from uuid import UUID

from strawberry.dataloader import DataLoader

from gql_media import models
from gql_media.dataloaders import generations as gen
from gql_media.dataloaders import publishing as pub
from gql_media.dataloaders import reviews as rev
from gql_media.dataloaders import workflows as wf
from gql_media.dataloaders.batch import rows_by_id


async def _assets_by_id(ids: list[str]) -> list[models.Asset | None]:
    rows = await models.Asset.filter(id__in=[UUID(i) for i in ids], deleted_at=None)
    by_id = {str(row.id): row for row in rows}
    return [by_id.get(i) for i in ids]


async def _tags_by_asset_id(ids: list[str]) -> list[list[str]]:
    rows = await models.AssetTag.filter(asset_id__in=[UUID(i) for i in ids]).order_by(
        "id"
    )
    tags: dict[str, list[str]] = {i: [] for i in ids}
    for row in rows:
        tags[str(row.asset_id)].append(row.tag)  # type: ignore[attr-defined]
    return [tags[i] for i in ids]


K = TypeVar("K")
V = TypeVar("V")


class _Loader(Generic[K, V]):
    """A `Loaders` attribute whose DataLoader is made on first use.

    A request uses a few of the loaders, and a subscription starts afresh on
    every event (`Loaders()` per event): building all of them each time was the
    largest cost of delivering one progress event.
    """

    def __init__(self, load_fn: Callable[[list[K]], Awaitable[Sequence[V]]]) -> None:
        self._load_fn = load_fn
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: type) -> "_Loader[K, V]": ...
    @overload
    def __get__(self, obj: object, owner: type) -> DataLoader[K, V]: ...
    def __get__(self, obj: object | None, owner: type) -> Any:
        if obj is None:
            return self
        loader = DataLoader(load_fn=self._load_fn)
        # A non-data descriptor: from now on the instance's own attribute wins.
        obj.__dict__[self._name] = loader
        return loader


class Loaders:
    """The loaders of one request, each made when first asked for, and its other
    per-request memos."""

    def __init__(self) -> None:
        # Links signed in this request by (key, file name), with the monotonic
        # time they were signed: a key is signed once per request
        # (schema/common/links.py).
        self.links: dict[tuple[str, str | None], tuple[str, float]] = {}
        # Selection analyses of this request, by the field's place in the query.
        self.shapes: dict[object, object] = {}

    def release(self) -> None:
        """Drop what the request loaded, once it is answered. graphql-core's
        execution context holds the request's context in a reference cycle, so
        without this every row read would wait for a full garbage collection
        (thousands of objects a tree answer, scanned by every young collection
        until then)."""
        for value in vars(self).values():  # only the loaders made so far
            if isinstance(value, DataLoader):
                value.clear_all()
                value.batch = None
            elif isinstance(value, dict):
                value.clear()

    assets_by_id: _Loader[str, models.Asset | None] = _Loader(_assets_by_id)
    tags_by_asset_id: _Loader[str, list[str]] = _Loader(_tags_by_asset_id)
    jobs_by_id: _Loader[str, models.Job | None] = _Loader(rows_by_id(models.Job))
    # The generation tree (dataloaders/generations.py).
    generations_by_id: _Loader[str, models.Generation | None] = _Loader(
        rows_by_id(models.Generation)
    )
    variants_by_id: _Loader[str, models.Variant | None] = _Loader(
        rows_by_id(models.Variant)
    )
    scenes_by_id: _Loader[str, models.Scene | None] = _Loader(rows_by_id(models.Scene))
    scenes_by_variant_id: _Loader[str, list[models.Scene]] = _Loader(
        gen.scenes_by_variant_id
    )
    metadata_by_generation_id: _Loader[str, list[models.GenerationMetadata]] = _Loader(
        gen.metadata_by_generation_id
    )
    cover_asset_id_by_generation_id: _Loader[str, str | None] = _Loader(
        gen.cover_asset_id_by_generation_id
    )
    # Variants with their scenes and videos, only the columns the query selects.
    variant_trees_by_generation_id: _Loader[gen.TreeKey, list[gen.VariantTree]] = (
        _Loader(gen.variant_trees_by_generation_id)
    )
    # The workflow tree (dataloaders/workflows.py).
    workflows_by_id: _Loader[str, models.Workflow | None] = _Loader(
        rows_by_id(models.Workflow)
    )
    revisions_by_workflow_id: _Loader[str, list[models.WorkflowRevision]] = _Loader(
        wf.revisions_by_workflow_id
    )
    executions_by_workflow_id: _Loader[str, list[models.WorkflowExecution]] = _Loader(
        wf.executions_by_workflow_id
    )
    node_runs_by_execution_id: _Loader[str, list[models.NodeRun]] = _Loader(
        wf.node_runs_by_execution_id
    )
    workflow_videos_by_workflow_id: _Loader[str, list[models.WorkflowVideo]] = _Loader(
        wf.workflow_videos_by_workflow_id
    )
    workflow_videos_by_execution_id: _Loader[str, list[models.WorkflowVideo]] = _Loader(
        wf.workflow_videos_by_execution_id
    )
    workflow_videos_by_asset_id: _Loader[str, list[models.WorkflowVideo]] = _Loader(
        wf.workflow_videos_by_asset_id
    )
    # Publishing (dataloaders/publishing.py).
    publications_by_asset_id: _Loader[str, list[models.Publication]] = _Loader(
        pub.publications_by_asset_id
    )
    # The reviews domain (dataloaders/reviews.py).
    versions_by_task: _Loader[rev.TaskKey, list[models.Asset]] = _Loader(
        rev.versions_by_task
    )
    review_events_by_task: _Loader[rev.TaskKey, list[models.ReviewEvent]] = _Loader(
        rev.review_events_by_task
    )
    review_events_by_asset_id: _Loader[str, list[models.ReviewEvent]] = _Loader(
        rev.review_events_by_asset_id
    )
    annotations_by_asset_id: _Loader[str, list[models.Annotation]] = _Loader(
        rev.annotations_by_asset_id
    )
