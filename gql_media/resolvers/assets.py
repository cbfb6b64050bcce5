"""Asset root fields: one asset, the list, totals, and the asset mutations."""

from typing import Annotated, Any, cast

import strawberry
from strawberry.file_uploads import Upload

from gql_media.errors import InvalidInput
from gql_media.kit.ids import is_uuid
from gql_media.schema.assets import results
from gql_media.schema.assets.enums import AssetOrder
from gql_media.schema.assets.inputs import (
    AssetFilter,
    ImportAssetInput,
    UpdateAssetInput,
    UploadAssetInput,
)
from gql_media.schema.assets.stats import Stats
from gql_media.schema.assets.types import Asset, AssetConnection
from gql_media.schema.common.context import Info
from gql_media.schema.common.mutations import mutation
from gql_media.schema.jobs.types import Job
from gql_media.services.assets import cleanup, imports, library, queries
from gql_media.services.assets.validation import ReceivedFile


@strawberry.type
class AssetQuery:
    @strawberry.field(description="One asset by id; null if unknown or deleted.")
    async def asset(self, info: Info, id: strawberry.ID) -> Asset | None:
        row = await info.context.loaders.assets_by_id.load(id) if is_uuid(id) else None
        if row is None or row.owner_id != info.context.owner_id:
            return None
        return Asset.from_model(row)

    @strawberry.field(
        description="The owner's assets, newest first by default; `first` <= 100."
    )
    async def assets(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: AssetFilter | None = None,
        order_by: Annotated[
            AssetOrder | None,
            strawberry.argument(
                description="Default: RELEVANCE with a `text` filter, else "
                "CREATED_AT_DESC."
            ),
        ] = None,
    ) -> AssetConnection:
        f = filter or AssetFilter()
        search = queries.AssetSearch(
            kind=f.kind,
            status=f.status,
            source_type=f.source_type,
            tag=f.tag,
            text=f.text,
            min_duration_seconds=f.min_duration_seconds,
            max_duration_seconds=f.max_duration_seconds,
            min_size_bytes=f.min_size_bytes,
            max_size_bytes=f.max_size_bytes,
            archived=f.archived,
            workflow_id=f.workflow_id,
            project=f.project,
            task=f.task,
            version=f.version,
            author=f.author,
            review_status=f.review_status,
        )
        page = await queries.search_assets(
            info.context.owner_id,
            search,
            order_by.value if order_by else None,
            first,
            after,
        )
        return AssetConnection.of(page, Asset.from_model)

    @strawberry.field(description="Totals over the owner's live assets.")
    async def stats(self, info: Info) -> Stats:
        owner_id = info.context.owner_id
        return Stats.from_domain(await queries.stats(owner_id), owner_id)


@strawberry.type
class AssetMutation:
    @mutation(
        description="Upload a file (GraphQL multipart request; send the "
        "GraphQL-Require-Preflight header). Known bytes return the existing asset."
    )
    async def upload_asset(
        self, info: Info, file: Upload, input: UploadAssetInput | None = None
    ) -> results.UploadAssetResult:
        if not isinstance(file, ReceivedFile):
            raise InvalidInput("file must be a multipart upload", field="file")
        details = (input or UploadAssetInput()).to_domain()
        row, job, duplicate = await library.create_from_upload(
            info.context.runtime, info.context.owner_id, file, details
        )
        return results.UploadAssetSuccess(
            asset=Asset.from_model(row),
            job=Job.from_model(job) if job else None,
            is_duplicate=duplicate,
        )

    @mutation(description="Import a file from an http(s) URL, as a job.")
    async def import_asset(
        self, info: Info, input: ImportAssetInput
    ) -> results.ImportAssetResult:
        row, job = await imports.start_import(
            info.context.runtime, info.context.owner_id, input.url, input.to_domain()
        )
        return results.ImportAssetSuccess(
            asset=Asset.from_model(row), job=Job.from_model(job)
        )

    @mutation(description="Rename, re-tag or replace metadata.")
    async def update_asset(
        self, info: Info, id: strawberry.ID, input: UpdateAssetInput
    ) -> results.UpdateAssetResult:
        row = await library.update(
            info.context.owner_id,
            id,
            name=input.name,
            tags=input.tags,
            metadata=cast(dict[str, Any] | None, input.metadata),  # checked there
        )
        info.context.loaders.tags_by_asset_id.clear_all()  # tags just changed
        return results.UpdateAssetSuccess(asset=Asset.from_model(row))

    @mutation(description="Hide an asset from default lists.")
    async def archive_asset(
        self, info: Info, id: strawberry.ID
    ) -> results.ArchiveAssetResult:
        row = await library.set_archived(info.context.owner_id, id, archived=True)
        return results.ArchiveAssetSuccess(asset=Asset.from_model(row))

    @mutation(description="Bring an archived asset back.")
    async def restore_asset(
        self, info: Info, id: strawberry.ID
    ) -> results.RestoreAssetResult:
        row = await library.set_archived(info.context.owner_id, id, archived=False)
        return results.RestoreAssetSuccess(asset=Asset.from_model(row))

    @mutation(description="Delete an asset; its file goes when no other asset uses it.")
    async def delete_asset(
        self, info: Info, id: strawberry.ID
    ) -> results.DeleteAssetResult:
        deleted = await library.delete(info.context.runtime, info.context.owner_id, id)
        return results.DeleteAssetSuccess(deleted_id=strawberry.ID(deleted))

    @mutation(description="Make the thumbnail again at a time, as a job.")
    async def regenerate_thumbnail(
        self, info: Info, id: strawberry.ID, at_seconds: float = 0.0
    ) -> results.RegenerateThumbnailResult:
        row, job = await library.start_thumbnail(
            info.context.runtime, info.context.owner_id, id, at_seconds
        )
        return results.RegenerateThumbnailSuccess(
            asset=Asset.from_model(row), job=Job.from_model(job)
        )

    @mutation(
        description="Remove stored files no live asset uses (after a grace period) "
        "and dead jobs' temp directories, and mark assets whose file is missing "
        "FAILED (MISSING_FILE), as a job; `job.cleanupReport` has the counts. "
        "dryRun (the default) only reports.",
        scope="admin",
    )
    async def cleanup_storage(
        self, info: Info, dry_run: bool = True
    ) -> results.CleanupStorageResult:
        job = await cleanup.start_cleanup(
            info.context.runtime, info.context.owner_id, dry_run
        )
        return results.CleanupStorageSuccess(job=Job.from_model(job))
