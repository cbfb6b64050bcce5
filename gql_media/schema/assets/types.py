"""The Asset type and its provenance: a deliberate contract built from the model."""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from gql_media import models
from gql_media.schema.assets.enums import AssetKind, AssetStatus, SourceType
from gql_media.schema.common.context import Info
from gql_media.schema.common.links import link_now
from gql_media.schema.common.pagination import Connection
from gql_media.schema.common.reads import Reads, as_id, as_optional_id
from gql_media.schema.common.scalars import BigInt
from gql_media.schema.reviews.enums import ReviewStatus

if TYPE_CHECKING:
    from gql_media.schema.reviews.types import Annotation, ReviewEvent

# The reviews domain's types, resolved when the schema is built (they import Asset).
_REVIEWS = "gql_media.schema.reviews.types"

if TYPE_CHECKING:
    from gql_media.schema.publishing.types import Publication
    from gql_media.schema.workflows.types import WorkflowVideo


@strawberry.type(description="Where an AI-generated asset came from.")
class Provenance:
    provider: str | None = strawberry.field(description="e.g. replicate, runway.")
    model: str | None = strawberry.field(description="The generating model.")
    prompt: str | None
    params: JSON | None = strawberry.field(description="Generation parameters.")
    external_job_id: str | None = strawberry.field(
        description="The provider's id of the generation (prediction id)."
    )
    cost: Decimal | None = strawberry.field(description="What the generation cost.")
    completed_at: datetime | None


PROVENANCE_COLUMNS = (
    "provider",
    "provider_model",
    "prompt",
    "generation_params",
    "external_job_id",
    "cost",
    "generated_at",
)


def _provenance(values: Mapping[str, Any]) -> Provenance | None:
    has_provenance = any(
        (
            values["provider"],
            values["provider_model"],
            values["prompt"],
            values["external_job_id"],
        )
    ) or (values["cost"] is not None)
    if not has_provenance:
        return None
    return Provenance(
        provider=values["provider"],
        model=values["provider_model"],
        prompt=values["prompt"],
        params=cast(JSON | None, values["generation_params"]),
        external_job_id=values["external_job_id"],
        cost=values["cost"],
        completed_at=values["generated_at"],
    )


@strawberry.type(description="One stored media file: a video, an image or audio.")
class Asset:
    id: strawberry.ID
    name: str
    kind: AssetKind | None = strawberry.field(
        description="Known once probed (or declared when imported)."
    )
    status: AssetStatus
    checksum: str | None = strawberry.field(description="SHA-256 of the bytes, hex.")
    size_bytes: BigInt | None
    mime_type: str | None
    original_filename: str | None
    duration_seconds: float | None
    width: int | None
    height: int | None
    fps: float | None
    codec: str | None = strawberry.field(description="Video codec, else audio codec.")
    audio_codec: str | None
    bitrate: BigInt | None = strawberry.field(description="Bits per second.")
    container: str | None = strawberry.field(description="ffprobe's format name.")
    aspect_ratio: str | None = strawberry.field(description='Such as "16:9".')
    color_space: str | None = strawberry.field(
        description="The tagged color space (bt709, ...), else the pixel format's: "
        "srgb, linear (float, e.g. EXR), gray or ycbcr."
    )
    source_type: SourceType
    source_url: str | None
    metadata: JSON
    provenance: Provenance | None
    archived_at: datetime | None
    allow_duplicate_publish: bool = strawberry.field(
        description="Publishing may post this asset again where it is already posted."
    )
    created_at: datetime
    updated_at: datetime
    error_code: str | None
    error_message: str | None
    project: str | None = strawberry.field(description="The project's code, e.g. SWA.")
    task: str | None = strawberry.field(
        description="The task this version belongs to, e.g. ep01_sq010_sh020_lighting."
    )
    version: int | None = strawberry.field(description="1, 2, ... within the task.")
    author: str | None = strawberry.field(description="Who made this version.")
    description: str | None
    review_status: ReviewStatus | None = strawberry.field(
        description="Null for an asset on no task."
    )
    approved_by: str | None
    approved_at: datetime | None
    storage_key: strawberry.Private[str | None]
    thumbnail_key: strawberry.Private[str | None]
    owner_id: strawberry.Private[str]
    previous_version_id: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, row: models.Asset) -> "Asset":
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            kind=row.kind,
            status=row.status,
            checksum=row.checksum,
            size_bytes=row.size_bytes,
            mime_type=row.mime_type,
            original_filename=row.original_filename,
            duration_seconds=row.duration_seconds,
            width=row.width,
            height=row.height,
            fps=row.fps,
            codec=row.codec,
            audio_codec=row.audio_codec,
            bitrate=row.bitrate,
            container=row.container,
            aspect_ratio=row.aspect_ratio,
            color_space=row.color_space,
            source_type=row.source_type,
            source_url=row.source_url,
            metadata=cast(JSON, row.metadata),
            provenance=_provenance(
                {column: getattr(row, column) for column in PROVENANCE_COLUMNS}
            ),
            archived_at=row.archived_at,
            allow_duplicate_publish=row.allow_duplicate_publish,
            created_at=row.created_at,
            updated_at=row.updated_at,
            error_code=row.error_code,
            error_message=row.error_message,
            project=row.project,
            task=row.task,
            version=row.version,
            author=row.author,
            description=row.description,
            review_status=row.review_status,
            approved_by=row.approved_by,
            approved_at=row.approved_at,
            storage_key=row.storage_key,
            thumbnail_key=row.thumbnail_key,
            owner_id=row.owner_id,
            previous_version_id=(
                str(row.previous_version_id)  # type: ignore[attr-defined]
                if row.previous_version_id  # type: ignore[attr-defined]
                else None
            ),
        )

    @strawberry.field(description="True when archived (hidden from default lists).")
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @strawberry.field(description="The asset's tags, in the order they were given.")
    async def tags(self, info: Info) -> list[str]:
        return await info.context.loaders.tags_by_asset_id.load(str(self.id))

    @strawberry.field(
        description="A time-limited link to the file (null until it is stored)."
    )
    def url(self, info: Info) -> str | None:
        if self.status is not models.AssetStatus.READY:
            return None
        return link_now(info, self.storage_key, filename=self.name)

    @strawberry.field(description="Where the asset is published, one per platform.")
    async def publications(
        self, info: Info
    ) -> list[
        Annotated["Publication", strawberry.lazy("gql_media.schema.publishing.types")]
    ]:
        from gql_media.schema.publishing.types import Publication

        rows = await info.context.loaders.publications_by_asset_id.load(str(self.id))
        return [Publication.from_model(row) for row in rows]

    @strawberry.field(description="A time-limited link to the JPEG thumbnail.")
    def thumbnail_url(self, info: Info) -> str | None:
        return link_now(info, self.thumbnail_key)

    @strawberry.field(
        description="The workflow nodes that produced or consumed this asset."
    )
    async def workflow_links(
        self, info: Info
    ) -> list[
        Annotated["WorkflowVideo", strawberry.lazy("gql_media.schema.workflows.types")]
    ]:
        from gql_media.schema.workflows.types import WorkflowVideo

        loader = info.context.loaders.workflow_videos_by_asset_id
        return [WorkflowVideo.from_model(r) for r in await loader.load(str(self.id))]

    @strawberry.field(description="The version as v001, v002, ... (null off a task).")
    def version_label(self) -> str | None:
        return f"v{self.version:03d}" if self.version is not None else None

    @strawberry.field(description="The version this one follows on its task.")
    async def previous_version(self, info: Info) -> "Asset | None":
        if self.previous_version_id is None:
            return None
        row = await info.context.loaders.assets_by_id.load(self.previous_version_id)
        return Asset.from_model(row) if row else None

    @strawberry.field(description="The live versions of its task, v001 first.")
    async def versions(self, info: Info) -> list["Asset"]:
        if self.project is None or self.task is None:
            return []
        key = (self.owner_id, self.project, self.task)
        rows = await info.context.loaders.versions_by_task.load(key)
        return [Asset.from_model(r) for r in rows]

    @strawberry.field(
        description="Annotations (with replies) in time order, optionally within "
        "fromSeconds..toSeconds."
    )
    async def annotations(
        self,
        info: Info,
        from_seconds: float | None = None,
        to_seconds: float | None = None,
        include_resolved: bool = True,
    ) -> list[Annotated["Annotation", strawberry.lazy(_REVIEWS)]]:
        from gql_media.schema.reviews.types import Annotation

        rows = await info.context.loaders.annotations_by_asset_id.load(str(self.id))
        return [
            Annotation.from_model(r)
            for r in rows
            if (from_seconds is None or r.at_seconds >= from_seconds)
            and (to_seconds is None or r.at_seconds <= to_seconds)
            and (include_resolved or r.resolved_at is None)
        ]

    @strawberry.field(description="This version's submissions and decisions.")
    async def review_history(
        self, info: Info
    ) -> list[Annotated["ReviewEvent", strawberry.lazy(_REVIEWS)]]:
        from gql_media.schema.reviews.types import ReviewEvent

        rows = await info.context.loaders.review_events_by_asset_id.load(str(self.id))
        return [ReviewEvent.from_model(r) for r in rows]


# The columns behind each attribute, for selection-shaped reads (a tree's videos).
_SAME = (
    "name", "kind", "status", "checksum", "size_bytes", "mime_type",
    "original_filename", "duration_seconds", "width", "height", "fps", "codec",
    "audio_codec", "bitrate", "container", "aspect_ratio", "color_space",
    "source_type", "source_url", "metadata", "archived_at", "allow_duplicate_publish",
    "created_at", "updated_at", "error_code", "error_message", "project", "task",
    "version", "author", "description", "review_status", "approved_by",
    "approved_at", "storage_key", "thumbnail_key", "owner_id",
)  # fmt: skip
ASSET_READS = Reads(
    Asset,
    attributes={
        "id": ("id", as_id),
        **{name: name for name in _SAME},
        "provenance": (PROVENANCE_COLUMNS, _provenance),
        "previous_version_id": ("previous_version_id", as_optional_id),
    },
    uses={
        "is_archived": ("archived_at",),
        "tags": ("id",),
        "url": ("status", "storage_key", "name"),
        "publications": ("id",),
        "thumbnail_url": ("thumbnail_key",),
        "workflow_links": ("id",),
        "version_label": ("version",),
        "previous_version": ("previous_version_id",),
        "versions": ("project", "task", "owner_id"),
        "annotations": ("id",),
        "review_history": ("id",),
    },
)


@strawberry.type(description="A page of assets (Relay-style connection).")
class AssetConnection(Connection[Asset]):
    pass
