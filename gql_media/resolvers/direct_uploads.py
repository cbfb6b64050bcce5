"""Direct-upload root fields: open a presigned S3 multipart upload, complete it."""

import strawberry

from gql_media.schema.assets.direct import (
    CompleteDirectUploadResult,
    CompleteDirectUploadSuccess,
    CreateDirectUploadInput,
    CreateDirectUploadResult,
    CreateDirectUploadSuccess,
    DirectUpload,
    DirectUploadPart,
)
from gql_media.schema.assets.types import Asset
from gql_media.schema.common.context import Info
from gql_media.schema.common.mutations import mutation
from gql_media.schema.jobs.types import Job
from gql_media.services.assets import direct


@strawberry.type
class DirectUploadMutation:
    @mutation(
        description="Start sending a file straight to S3 (S3 storage only): PUT "
        "each part to its URL, then call completeDirectUpload."
    )
    async def create_direct_upload(
        self, info: Info, input: CreateDirectUploadInput
    ) -> CreateDirectUploadResult:
        row, urls = await direct.create(
            info.context.runtime, info.context.owner_id, input.to_domain()
        )
        return CreateDirectUploadSuccess(
            upload=DirectUpload.from_model(row),
            parts=[
                DirectUploadPart(number=number, url=url)
                for number, url in enumerate(urls, start=1)
            ],
        )

    @mutation(
        description="Join the parts, check the declared size and SHA-256, and "
        "register the asset like any upload; a mismatch FAILS the upload."
    )
    async def complete_direct_upload(
        self, info: Info, id: strawberry.ID
    ) -> CompleteDirectUploadResult:
        done = await direct.complete(
            info.context.runtime, info.context.owner_id, str(id)
        )
        return CompleteDirectUploadSuccess(
            upload=DirectUpload.from_model(done.upload),
            asset=Asset.from_model(done.asset),
            job=Job.from_model(done.job) if done.job else None,
            is_duplicate=done.duplicate,
        )
