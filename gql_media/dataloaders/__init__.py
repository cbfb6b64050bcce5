"""Per-request DataLoaders, named <thing>_by_<key>. Never module-level: their cache
must not outlive the request."""

from dataclasses import dataclass, field, fields
from uuid import UUID

from strawberry.dataloader import DataLoader

from gql_media import models
from gql_media.dataloaders import generations as gen
from gql_media.dataloaders import publishing as pub
from gql_media.dataloaders import reviews as rev
from gql_media.dataloaders import workflows as wf


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


@dataclass
class Loaders:
    """The loaders of one request, and its other per-request memos."""

    # Links signed in this request by (key, file name), with the monotonic time
    # they were signed: a key is signed once per request (schema/common/links.py).
    links: dict[tuple[str, str | None], tuple[str, float]] = field(default_factory=dict)
    # Selection analyses of this request, by the field's place in the query.
    shapes: dict[object, object] = field(default_factory=dict)

    assets_by_id: DataLoader[str, models.Asset | None] = field(
        default_factory=lambda: DataLoader(load_fn=_assets_by_id)
    )
    tags_by_asset_id: DataLoader[str, list[str]] = field(
        default_factory=lambda: DataLoader(load_fn=_tags_by_asset_id)
    )
    jobs_by_id: DataLoader[str, models.Job | None] = field(
        default_factory=lambda: DataLoader(load_fn=gen.rows_by_id(models.Job))
    )
    # The generation tree (dataloaders/generations.py).
    generations_by_id: DataLoader[str, models.Generation | None] = field(
        default_factory=lambda: DataLoader(load_fn=gen.rows_by_id(models.Generation))
    )
    variants_by_id: DataLoader[str, models.Variant | None] = field(
        default_factory=lambda: DataLoader(load_fn=gen.rows_by_id(models.Variant))
    )
    scenes_by_id: DataLoader[str, models.Scene | None] = field(
        default_factory=lambda: DataLoader(load_fn=gen.rows_by_id(models.Scene))
    )
    scenes_by_variant_id: DataLoader[str, list[models.Scene]] = field(
        default_factory=lambda: DataLoader(load_fn=gen.scenes_by_variant_id)
    )
    metadata_by_generation_id: DataLoader[str, list[models.GenerationMetadata]] = field(
        default_factory=lambda: DataLoader(load_fn=gen.metadata_by_generation_id)
    )
    cover_asset_id_by_generation_id: DataLoader[str, str | None] = field(
        default_factory=lambda: DataLoader(load_fn=gen.cover_asset_id_by_generation_id)
    )
    # Variants with their scenes and videos, only the columns the query selects.
    variant_trees_by_generation_id: DataLoader[gen.TreeKey, list[gen.VariantTree]] = (
        field(
            default_factory=lambda: DataLoader(
                load_fn=gen.variant_trees_by_generation_id
            )
        )
    )
    # The workflow tree (dataloaders/workflows.py).
    workflows_by_id: DataLoader[str, models.Workflow | None] = field(
        default_factory=lambda: DataLoader(load_fn=gen.rows_by_id(models.Workflow))
    )
    revisions_by_workflow_id: DataLoader[str, list[models.WorkflowRevision]] = field(
        default_factory=lambda: DataLoader(load_fn=wf.revisions_by_workflow_id)
    )
    executions_by_workflow_id: DataLoader[str, list[models.WorkflowExecution]] = field(
        default_factory=lambda: DataLoader(load_fn=wf.executions_by_workflow_id)
    )
    node_runs_by_execution_id: DataLoader[str, list[models.NodeRun]] = field(
        default_factory=lambda: DataLoader(load_fn=wf.node_runs_by_execution_id)
    )
    workflow_videos_by_workflow_id: DataLoader[str, list[models.WorkflowVideo]] = field(
        default_factory=lambda: DataLoader(load_fn=wf.workflow_videos_by_workflow_id)
    )
    workflow_videos_by_execution_id: DataLoader[str, list[models.WorkflowVideo]] = (
        field(
            default_factory=lambda: DataLoader(
                load_fn=wf.workflow_videos_by_execution_id
            )
        )
    )
    workflow_videos_by_asset_id: DataLoader[str, list[models.WorkflowVideo]] = field(
        default_factory=lambda: DataLoader(load_fn=wf.workflow_videos_by_asset_id)
    )
    # Publishing (dataloaders/publishing.py).
    publications_by_asset_id: DataLoader[str, list[models.Publication]] = field(
        default_factory=lambda: DataLoader(load_fn=pub.publications_by_asset_id)
    )
    # The reviews domain (dataloaders/reviews.py).
    versions_by_task: DataLoader[rev.TaskKey, list[models.Asset]] = field(
        default_factory=lambda: DataLoader(load_fn=rev.versions_by_task)
    )
    review_events_by_task: DataLoader[rev.TaskKey, list[models.ReviewEvent]] = field(
        default_factory=lambda: DataLoader(load_fn=rev.review_events_by_task)
    )
    review_events_by_asset_id: DataLoader[str, list[models.ReviewEvent]] = field(
        default_factory=lambda: DataLoader(load_fn=rev.review_events_by_asset_id)
    )
    annotations_by_asset_id: DataLoader[str, list[models.Annotation]] = field(
        default_factory=lambda: DataLoader(load_fn=rev.annotations_by_asset_id)
    )

    def release(self) -> None:
        """Drop what the request loaded, once it is answered. graphql-core's
        execution context holds the request's context in a reference cycle, so
        without this every row read would wait for a full garbage collection
        (thousands of objects a tree answer, scanned by every young collection
        until then)."""
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, DataLoader):
                value.clear_all()
                value.batch = None
            elif isinstance(value, dict):
                value.clear()
