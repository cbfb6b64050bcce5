"""Checks before anything is written or sent: the asset, the metadata, the
platform's limits."""

from gql_media import models
from gql_media.errors import InvalidInput, InvalidState
from gql_media.models import AssetKind, AssetStatus
from gql_media.services.publishing.uploaders.base import PublishMetadata, Uploader

PRIVACY = ("public", "unlisted", "private")
MAX_TITLE = 255
MAX_CAPTION = 5000
MAX_HASHTAGS = 100
MAX_HASHTAG_LENGTH = 100


def platform_limits(platform: str, metadata: PublishMetadata) -> list[str]:
    """The published limits of the built-in platforms (an uploader's own
    `validate` adds to these): YouTube titles <= 100 characters and descriptions
    <= 5,000; TikTok and Instagram captions <= 2,200 with at most 30 hashtags."""
    problems = []
    if platform == "youtube":
        if metadata.title and len(metadata.title) > 100:
            problems.append("title is over 100 characters")
        if len(rendered_caption(metadata)) > 5000:
            problems.append("description is over 5,000 characters")
    elif platform in ("tiktok", "instagram"):
        if len(rendered_caption(metadata)) > 2200:
            problems.append("caption is over 2,200 characters")
        if len(metadata.hashtags) > 30:
            problems.append("more than 30 hashtags")
    return problems


def rendered_caption(metadata: PublishMetadata) -> str:
    """The caption as platforms count it: the text, then the hashtags."""
    tags = " ".join(f"#{tag}" for tag in metadata.hashtags)
    return " ".join(part for part in (metadata.caption or "", tags) if part)


def check_metadata(metadata: PublishMetadata) -> PublishMetadata:
    """Normalized metadata (hashtags without '#', no blanks), or InvalidInput."""
    if metadata.privacy not in PRIVACY:
        raise InvalidInput(f"privacy must be one of {', '.join(PRIVACY)}", "privacy")
    if metadata.title is not None and len(metadata.title) > MAX_TITLE:
        raise InvalidInput(f"title is over {MAX_TITLE} characters", "title")
    if metadata.caption is not None and len(metadata.caption) > MAX_CAPTION:
        raise InvalidInput(f"caption is over {MAX_CAPTION} characters", "caption")
    if len(metadata.hashtags) > MAX_HASHTAGS:
        raise InvalidInput(f"more than {MAX_HASHTAGS} hashtags", "hashtags")
    tags = []
    for raw in metadata.hashtags:
        tag = raw.strip().lstrip("#")
        if not tag or len(tag) > MAX_HASHTAG_LENGTH or any(c.isspace() for c in tag):
            raise InvalidInput(f"bad hashtag {raw[:40]!r}", "hashtags")
        tags.append(tag)
    return PublishMetadata(
        title=metadata.title,
        caption=metadata.caption,
        hashtags=tags,
        privacy=metadata.privacy,
    )


def check_for_platform(uploader: Uploader, metadata: PublishMetadata) -> None:
    """InvalidInput listing what the platform would refuse."""
    problems = platform_limits(uploader.platform, metadata)
    problems += [p for p in uploader.validate(metadata) if p not in problems]
    if problems:
        raise InvalidInput(
            f"{uploader.platform}: " + "; ".join(problems), field="metadata"
        )


def publishable(asset: models.Asset) -> str | None:
    """Why the asset cannot be published now, or None."""
    if asset.deleted_at is not None:
        return "the asset is deleted"
    if asset.archived_at is not None:
        return "the asset is archived"
    if asset.kind is not AssetKind.VIDEO:
        return "only videos are published"
    if asset.status is not AssetStatus.READY:
        return f"the asset is {asset.status.value}, not READY"
    return None


def check_publishable(asset: models.Asset) -> None:
    reason = publishable(asset)
    if reason is not None:
        raise InvalidState(reason)
