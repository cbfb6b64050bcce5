"""Asset resolvers: parse input, call services, map rows to types."""

from gql_media.errors import FetchFailed, InvalidInput
from gql_media.resolvers.common import is_uuid, result_of
from gql_media.schema.assets import results
from gql_media.schema.assets.inputs import (
    AssetFilter,
    ImportAssetInput,
    UpdateAssetInput,
    UploadAssetInput,
)
from gql_media.schema.assets.stats import Stats
from gql_media.schema.assets.types import Asset, AssetConnection, AssetEdge, PageInfo
from gql_media.schema.common.context import Info
from gql_media.schema.common.enums import AssetOrder
from gql_media.schema.jobs.types import Job
from gql_media.services.assets import imports
from gql_media.services.assets import library as assets
from gql_media.services.assets import queries as asset_queries
from gql_media.services.assets.validation import ReceivedFile


async def asset(info: Info, id: str) -> Asset | None:
    row = await info.context.loaders.assets_by_id.load(id) if is_uuid(id) else None
    if row is None or row.owner_id != info.context.owner_id:
        return None
    return Asset.from_model(row)


async def asset_list(
    info: Info,
    first: int | None,
    after: str | None,
    filter: AssetFilter | None,
    order_by: AssetOrder,
) -> AssetConnection:
    f = filter or AssetFilter()
    search = asset_queries.AssetSearch(
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
    )
    page = await asset_queries.search_assets(
        info.context.owner_id, search, order_by.value, first, after
    )
    edges = [
        AssetEdge(cursor=c, node=Asset.from_model(r))
        for r, c in zip(page.rows, page.cursors, strict=True)
    ]
    return AssetConnection(
        edges=edges,
        page_info=PageInfo.from_page(page),
        total_count=page.total_count,
    )


async def stats(info: Info) -> Stats:
    return Stats.from_domain(await asset_queries.stats(info.context.owner_id))


async def upload_asset(
    info: Info, file: ReceivedFile, input: UploadAssetInput | None
) -> results.UploadAssetResult:
    async def run() -> results.UploadAssetSuccess:
        if not isinstance(file, ReceivedFile):
            raise InvalidInput("file must be a multipart upload", field="file")
        details = (input or UploadAssetInput()).to_domain()
        row, job, duplicate = await assets.create_from_upload(
            info.context.runtime, info.context.owner_id, file, details
        )
        return results.UploadAssetSuccess(
            asset=Asset.from_model(row),
            job=Job.from_model(job) if job else None,
            is_duplicate=duplicate,
        )

    return await result_of(results.UploadAssetResult, run)


async def import_asset(
    info: Info, input: ImportAssetInput
) -> results.ImportAssetResult:
    async def run() -> results.ImportAssetSuccess:
        details = input.to_domain()
        try:
            row, job = await imports.start_import(
                info.context.runtime, info.context.owner_id, input.url, details
            )
        except FetchFailed as exc:
            raise InvalidInput(exc.message, field="url") from exc
        return results.ImportAssetSuccess(
            asset=Asset.from_model(row), job=Job.from_model(job)
        )

    return await result_of(results.ImportAssetResult, run)


async def update_asset(
    info: Info, id: str, input: UpdateAssetInput
) -> results.UpdateAssetResult:
    async def run() -> results.UpdateAssetSuccess:
        row = await assets.update(
            info.context.owner_id,
            id,
            name=input.name,
            tags=input.tags,
            metadata=input.metadata,
        )
        info.context.loaders.tags_by_asset_id.clear_all()  # tags just changed
        return results.UpdateAssetSuccess(asset=Asset.from_model(row))

    return await result_of(results.UpdateAssetResult, run)


async def archive_asset(info: Info, id: str) -> results.ArchiveAssetResult:
    async def run() -> results.ArchiveAssetSuccess:
        row = await assets.set_archived(info.context.owner_id, id, archived=True)
        return results.ArchiveAssetSuccess(asset=Asset.from_model(row))

    return await result_of(results.ArchiveAssetResult, run)


async def restore_asset(info: Info, id: str) -> results.RestoreAssetResult:
    async def run() -> results.RestoreAssetSuccess:
        row = await assets.set_archived(info.context.owner_id, id, archived=False)
        return results.RestoreAssetSuccess(asset=Asset.from_model(row))

    return await result_of(results.RestoreAssetResult, run)


async def delete_asset(info: Info, id: str) -> results.DeleteAssetResult:
    async def run() -> results.DeleteAssetSuccess:
        deleted = await assets.delete(info.context.runtime, info.context.owner_id, id)
        return results.DeleteAssetSuccess(deleted_id=deleted)

    return await result_of(results.DeleteAssetResult, run)


async def regenerate_thumbnail(
    info: Info, id: str, at_seconds: float
) -> results.RegenerateThumbnailResult:
    async def run() -> results.RegenerateThumbnailSuccess:
        row, job = await assets.start_thumbnail(
            info.context.runtime, info.context.owner_id, id, at_seconds
        )
        return results.RegenerateThumbnailSuccess(
            asset=Asset.from_model(row), job=Job.from_model(job)
        )

    return await result_of(results.RegenerateThumbnailResult, run)
