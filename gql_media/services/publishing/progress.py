"""Follow an owner's publications (`publicationProgress`): read the latest
transition, then the owner's bus channel, through the one follow helper.

The followed "row" is the owner's trail filtered by platform, asset or
publication: its state is the newest matching event. Every transition is
pushed as it happens: the owner's channel carries every publication's events,
so they are queued, not coalesced (a newer event may be another publication's).
A socket too slow to take them gets the latest answer when it can; if the bus
drops, the helper re-reads the newest event. Either way transitions may be
skipped then (the trail has them all: `publicationEvents`). The stream does not
end by itself.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from gql_media import models
from gql_media.runtime import Runtime
from gql_media.services.follow import Followed, follow
from gql_media.services.publishing import audit, ledger


@dataclass(frozen=True)
class ProgressFilter:
    platform: str | None = None
    asset_id: str | None = None
    publication_id: str | None = None

    def matches(self, event: dict[str, Any]) -> bool:
        return (
            (self.platform is None or event.get("platform") == self.platform)
            and (self.asset_id is None or event.get("asset_id") == self.asset_id)
            and (
                self.publication_id is None
                or event.get("publication_id") == self.publication_id
            )
        )


# The state before any matching transition exists.
NOTHING: dict[str, Any] = {"id": None, "publication_id": None, "revision": 0}


def _newer(new: dict[str, Any], seen: dict[str, Any]) -> bool:
    if new.get("id") is None or new["id"] == seen.get("id"):
        return False
    if new["publication_id"] == seen.get("publication_id"):
        return int(new["revision"]) > int(seen["revision"])
    return True


def publications(owner_id: str, wanted: ProgressFilter) -> Followed[dict[str, Any]]:
    async def read() -> dict[str, Any]:
        query = models.PublicationEvent.filter(owner_id=owner_id)
        if wanted.platform:
            query = query.filter(platform=wanted.platform)
        if wanted.asset_id:
            query = query.filter(asset_id=wanted.asset_id)
        if wanted.publication_id:
            query = query.filter(publication_id=wanted.publication_id)
        event = await query.order_by("-at", "-id").first()
        return audit.record(event) if event is not None else NOTHING

    def parse(event: dict[str, Any]) -> dict[str, Any]:
        # Events of other publications on the owner's channel read as "nothing
        # new", so the helper skips them.
        return event if wanted.matches(event) else NOTHING

    return Followed(
        name=f"publications of {owner_id}",
        channel=ledger.channel(owner_id),
        read=read,
        parse=parse,
        newer=_newer,
        finished=lambda state: False,
        readable="the trail stays readable with publicationEvents",
        coalesce=False,
    )


def follow_publications(
    runtime: Runtime, owner_id: str, wanted: ProgressFilter
) -> AsyncIterator[dict[str, Any]]:
    grace = runtime.settings.bus_unavailable_grace_seconds
    return follow(publications(owner_id, wanted), runtime.bus, grace)
