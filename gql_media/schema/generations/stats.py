"""Totals over the owner's generations."""

from decimal import Decimal

import strawberry

from gql_media.schema.assets.stats import Count
from gql_media.schema.common.scalars import BigInt
from gql_media.services.generations import queries


@strawberry.type(description="Totals over the owner's generations.")
class GenerationStats:
    generation_count: int
    by_status: list[Count]
    total_cost_estimate: Decimal
    total_actual_cost: Decimal
    scenes_completed: int = strawberry.field(description="Scenes that are READY.")
    scenes_failed: int
    total_stored_bytes: BigInt = strawberry.field(
        description="Bytes of the scene videos (each stored file once)."
    )

    @classmethod
    def from_domain(cls, stats: queries.GenerationStats) -> "GenerationStats":
        counts = sorted(stats.by_status.items())
        return cls(
            generation_count=stats.generation_count,
            by_status=[Count(key=k, count=v) for k, v in counts],
            total_cost_estimate=stats.total_cost_estimate,
            total_actual_cost=stats.total_actual_cost,
            scenes_completed=stats.scenes_completed,
            scenes_failed=stats.scenes_failed,
            total_stored_bytes=BigInt(stats.total_stored_bytes),
        )
