"""Signed links are reused within a request, never long enough to go stale."""

import time
from types import SimpleNamespace
from typing import Any

from gql_media.dataloaders import Loaders
from gql_media.schema.common.links import REUSE_SECONDS, link_now


def _info(ttl: int) -> Any:
    settings = SimpleNamespace(url_ttl_seconds=ttl)
    context = SimpleNamespace(
        loaders=Loaders(), runtime=SimpleNamespace(settings=settings)
    )
    return SimpleNamespace(context=context)


def test_a_link_is_reused_for_a_minute_or_half_its_ttl() -> None:
    now = time.monotonic()
    info = _info(ttl=3600)
    links = info.context.loaders.links
    links["k", None] = ("/files/k?fresh", now - 1)
    links["old", None] = ("/files/old?stale", now - REUSE_SECONDS - 1)
    assert link_now(info, "k") == "/files/k?fresh"
    assert link_now(info, None) is None
    again = link_now(info, "old")  # signed again: an awaitable, not the old link
    assert not isinstance(again, str)
    again.close()  # type: ignore[attr-defined]

    short = _info(ttl=10)
    short.context.loaders.links["k", None] = ("/files/k?x", now - 6)
    later = link_now(short, "k")
    assert not isinstance(later, str)
    later.close()  # type: ignore[attr-defined]
