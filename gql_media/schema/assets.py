"""Asset operations: the Query and Mutation fields of the asset domain."""

import strawberry
from strawberry.file_uploads import Upload

from gql_media.resolvers import assets as resolve
from gql_media.schema.assets import results
from gql_media.schema.assets.inputs import (
    AssetFilter,
    ImportAssetInput,
    UpdateAssetInput,
    UploadAssetInput,
)
from gql_media.schema.assets.stats import Stats
from gql_media.schema.assets.types import Asset, AssetConnection
from gql_media.schema.common.context import Info
from gql_media.schema.common.enums import AssetOrder


@strawberry.type
class AssetQuery:
    @strawberry.field(description="One asset by id; null if unknown or deleted.")
    async def asset(self, info: Info, id: strawberry.ID) -> Asset | None:
        return await resolve.asset(info, id)

    @strawberry.field(
        description="The owner's assets, newest first by default; `first` <= 100."
    )
    async def assets(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: AssetFilter | None = None,
        order_by: AssetOrder = AssetOrder.CREATED_AT_DESC,
    ) -> AssetConnection:
        return await resolve.asset_list(info, first, after, filter, order_by)

    @strawberry.field(description="Totals over the owner's live assets.")
    async def stats(self, info: Info) -> Stats:
        return await resolve.stats(info)


@strawberry.type
class AssetMutation:
    @strawberry.mutation(
        description="Upload a file (GraphQL multipart request; send the "
        "GraphQL-Require-Preflight header). Known bytes return the existing asset."
    )
    async def upload_asset(
        self, info: Info, file: Upload, input: UploadAssetInput | None = None
    ) -> results.UploadAssetResult:
        return await resolve.upload_asset(info, file, input)

    @strawberry.mutation(description="Import a file from an http(s) URL, as a job.")
    async def import_asset(
        self, info: Info, input: ImportAssetInput
    ) -> results.ImportAssetResult:
        return await resolve.import_asset(info, input)

    @strawberry.mutation(description="Rename, re-tag or replace metadata.")
    async def update_asset(
        self, info: Info, id: strawberry.ID, input: UpdateAssetInput
    ) -> results.UpdateAssetResult:
        return await resolve.update_asset(info, id, input)

    @strawberry.mutation(description="Hide an asset from default lists.")
    async def archive_asset(
        self, info: Info, id: strawberry.ID
    ) -> results.ArchiveAssetResult:
        return await resolve.archive_asset(info, id)

    @strawberry.mutation(description="Bring an archived asset back.")
    async def restore_asset(
        self, info: Info, id: strawberry.ID
    ) -> results.RestoreAssetResult:
        return await resolve.restore_asset(info, id)

    @strawberry.mutation(
        description="Delete an asset; its file goes when no other asset uses it."
    )
    async def delete_asset(
        self, info: Info, id: strawberry.ID
    ) -> results.DeleteAssetResult:
        return await resolve.delete_asset(info, id)

    @strawberry.mutation(description="Make the thumbnail again at a time, as a job.")
    async def regenerate_thumbnail(
        self, info: Info, id: strawberry.ID, at_seconds: float = 0.0
    ) -> results.RegenerateThumbnailResult:
        return await resolve.regenerate_thumbnail(info, id, at_seconds)
