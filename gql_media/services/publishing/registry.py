"""Finding uploaders: the entry-point group `gql_media.uploaders`.

Each entry point is named after its platform and names a factory
`build(settings) -> Uploader | None` (None: not configured). A team adds a
platform by installing a package that declares one; the built-in ones are
declared in our own pyproject.toml. `register` adds factories in this process
only (tests, embedding applications); they win over entry points of the same name.
"""

import functools
import logging
import re
from collections.abc import Callable
from importlib.metadata import entry_points

from gql_media.errors import GqlMediaError, InvalidInput
from gql_media.services.publishing.uploaders.base import Uploader
from gql_media.settings import Settings

logger = logging.getLogger(__name__)

GROUP = "gql_media.uploaders"
Factory = Callable[[Settings], Uploader | None]
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")

_registered: dict[str, Factory] = {}

# The setting to set for each built-in platform (named in the error).
SETTING_HINTS = {
    "webhook": "GQL_MEDIA_PUBLISHING__WEBHOOK_URL and __WEBHOOK_SECRET",
    "youtube": "the GQL_MEDIA_PLATFORMS__YOUTUBE__* settings",
    "tiktok": "the GQL_MEDIA_PLATFORMS__TIKTOK__* settings",
    "instagram": "the GQL_MEDIA_PLATFORMS__INSTAGRAM__* settings",
}


class PlatformNotConfigured(GqlMediaError):
    """A known platform whose credentials or URL are not set."""

    code = "PLATFORM_NOT_CONFIGURED"


def register(platform: str, factory: Factory) -> None:
    """Add (or replace) a platform's factory in this process."""
    _registered[platform] = factory


def unregister(platform: str) -> None:
    _registered.pop(platform, None)


@functools.cache
def _installed() -> dict[str, Factory]:
    """The entry points of the installed distributions, loaded once per process."""
    found: dict[str, Factory] = {}
    for point in entry_points(group=GROUP):
        if not _NAME.match(point.name):
            logger.warning("uploader entry point %r: bad platform name", point.name)
            continue
        try:
            found[point.name] = point.load()
        except Exception as exc:  # one broken plugin must not hide the others
            logger.warning("uploader entry point %r does not load: %s", point.name, exc)
    return found


def factories() -> dict[str, Factory]:
    """Every platform's factory: entry points, then this process's registrations."""
    return {**_installed(), **_registered}


def platforms() -> list[str]:
    """The platform names known in this process, sorted."""
    return sorted(factories())


def check_platform(platform: str) -> str:
    """The platform name, or InvalidInput naming the known ones."""
    name = platform.strip().lower()
    known = factories()
    if name not in known:
        raise InvalidInput(
            f"unknown platform {platform!r}; known: {', '.join(sorted(known))}",
            field="platform",
        )
    return name


def build(settings: Settings, platform: str) -> Uploader:
    """A fresh uploader for `platform` (close it after use); InvalidInput for an
    unknown platform, PlatformNotConfigured when its settings are missing."""
    factory = factories().get(check_platform(platform))
    assert factory is not None
    uploader = factory(settings)
    if uploader is None:
        hint = SETTING_HINTS.get(platform, "its settings")
        raise PlatformNotConfigured(
            f"publishing to {platform} is not configured: set {hint}"
        )
    return uploader
