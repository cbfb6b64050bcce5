"""Library statistics."""

import strawberry

from gql_media.schema.common.context import Info
from gql_media.schema.common.scalars import BigInt
from gql_media.services.assets import queries as asset_queries
from gql_media.services.workflows import queries as workflow_queries


@strawberry.type
class Count:
    key: str = strawberry.field(description="The kind, source type or status.")
    count: int


@strawberry.type(description="Totals over the owner's live assets.")
class Stats:
    total_stored_bytes: BigInt = strawberry.field(
        description="Bytes of stored files (each blob once)."
    )
    asset_count: int
    by_kind: list[Count]
    by_source_type: list[Count]
    by_status: list[Count]
    owner_id: strawberry.Private[str] = ""

    @classmethod
    def from_domain(cls, stats: asset_queries.Stats, owner_id: str = "") -> "Stats":
        def counts(values: dict[str, int]) -> list[Count]:
            return [Count(key=k, count=v) for k, v in sorted(values.items())]

        return cls(
            total_stored_bytes=BigInt(stats.total_stored_bytes),
            asset_count=stats.asset_count,
            by_kind=counts(stats.by_kind),
            by_source_type=counts(stats.by_source_type),
            by_status=counts(stats.by_status),
            owner_id=owner_id,
        )

    @strawberry.field(description="The owner's workflows by status.")
    async def workflows_by_status(self, info: Info) -> list[Count]:
        counts = await workflow_queries.counts_by_status(self.owner_id)
        return [Count(key=k, count=v) for k, v in sorted(counts.items())]
