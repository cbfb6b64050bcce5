"""The Instagram uploader against the fake Graph API on loopback; the fake
fetches the video from a real loopback file server, as Instagram cURLs it."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gql_media.services.publishing.uploaders import instagram
from gql_media.services.publishing.uploaders.base import (
    Media,
    PermanentError,
    PublishMetadata,
    RateLimited,
    TransientError,
)
from gql_media.settings import Settings
from tests.publishing.fakes import instagram as fake
from tests.publishing.fakes.server import Drop, LoseReply, Pass, serve
from tests.publishing.uploaders.conftest import Saved, media_of, sha256_of
from tests.support.http_server import serve_files

META = PublishMetadata(caption="Episode 3 is out", hashtags=["drama", "ep3"])


@pytest.fixture
async def platform() -> AsyncIterator[fake.FakeInstagram]:
    platform = fake.FakeInstagram()
    async with serve(platform):
        yield platform
    for task in list(platform.downloads):
        task.cancel()
    await asyncio.gather(*platform.downloads, return_exceptions=True)


@pytest.fixture
async def media(clip: Path) -> AsyncIterator[Media]:
    """The clip, with a 'presigned' URL on a loopback file server."""
    async with serve_files(clip.parent) as files:
        yield media_of(clip, files.url("/" + clip.name))


def build(
    platform: fake.FakeInstagram, **overrides: object
) -> instagram.InstagramUploader:
    values = {
        "access_token": fake.ACCESS_TOKEN,
        "ig_user_id": fake.IG_USER_ID,
        "graph_base_url": platform.base_url + "/v21.0",
        "poll_interval_seconds": 0.02,
        **overrides,
    }
    built = instagram.build(Settings(platforms={"instagram": values}))  # type: ignore[arg-type]
    assert isinstance(built, instagram.InstagramUploader)
    return built


@pytest.fixture
async def uploader(
    platform: fake.FakeInstagram,
) -> AsyncIterator[instagram.InstagramUploader]:
    built = build(platform)
    yield built
    await built.close()


async def test_publishes_a_reel_from_the_presigned_url(
    platform: fake.FakeInstagram,
    uploader: instagram.InstagramUploader,
    media: Media,
    clip: Path,
    saved: Saved,
) -> None:
    result = await uploader.upload(media, META, saved.resume())

    [post] = platform.media
    assert result.post_id == post.id and result.url == post.permalink
    assert post.sha256 == sha256_of(clip)  # Instagram fetched the real bytes
    assert post.caption == "Episode 3 is out #drama #ep3"
    [create] = platform.calls("create")
    assert create.form()["media_type"] == "REELS"
    assert create.form()["video_url"] == await media.presigned_url()
    assert [s["container_id"] for s in saved.saves] == [post.container_id]


async def test_a_lost_publish_answer_is_found_without_a_second_post(
    platform: fake.FakeInstagram,
    uploader: instagram.InstagramUploader,
    media: Media,
    saved: Saved,
) -> None:
    # The connection drops after Instagram published: we never hear the media id.
    platform.inject("publish", LoseReply())

    with pytest.raises(TransientError):
        await uploader.upload(media, META, saved.resume())
    [post] = platform.media
    result = await uploader.upload(media, META, saved.resume())

    assert (result.post_id, result.url) == (post.id, post.permalink)
    assert len(platform.media) == 1 and len(platform.containers) == 1
    assert len(platform.calls("publish")) == 1


async def test_resumes_polling_the_same_container_after_a_dropped_connection(
    platform: fake.FakeInstagram,
    uploader: instagram.InstagramUploader,
    media: Media,
    saved: Saved,
) -> None:
    platform.inject("status", Drop())

    with pytest.raises(TransientError):
        await uploader.upload(media, META, saved.resume())
    result = await uploader.upload(media, META, saved.resume())

    [post] = platform.media
    assert result.post_id == post.id and len(platform.containers) == 1


async def test_an_expired_container_is_made_again(
    platform: fake.FakeInstagram,
    uploader: instagram.InstagramUploader,
    media: Media,
    saved: Saved,
) -> None:
    platform.inject("publish", fake.unexpected())
    with pytest.raises(TransientError):
        await uploader.upload(media, META, saved.resume())
    [old] = platform.containers.values()
    old.status_code = "EXPIRED"  # a day later, unpublished

    result = await uploader.upload(media, META, saved.resume())

    assert len(platform.containers) == 2
    assert [m.id for m in platform.media] == [result.post_id]
    assert saved.state["container_id"] != old.id


async def test_429_is_rate_limited_with_retry_after(
    platform: fake.FakeInstagram,
    uploader: instagram.InstagramUploader,
    media: Media,
    saved: Saved,
) -> None:
    platform.inject("create", fake.too_many_calls(retry_after=30))

    with pytest.raises(RateLimited) as raised:
        await uploader.upload(media, META, saved.resume())

    assert raised.value.retry_after == 30
    assert platform.containers == {} and saved.saves == []


async def test_an_account_limit_waits_for_the_estimated_time(
    platform: fake.FakeInstagram,
    uploader: instagram.InstagramUploader,
    media: Media,
    saved: Saved,
) -> None:
    platform.inject("publish", fake.publishing_limit())

    with pytest.raises(RateLimited) as raised:
        await uploader.upload(media, META, saved.resume())

    assert raised.value.retry_after == 12 * 60
    assert "code 32" in raised.value.message
    assert platform.media == []


async def test_5xx_is_transient_then_the_next_attempt_succeeds(
    platform: fake.FakeInstagram,
    uploader: instagram.InstagramUploader,
    media: Media,
    saved: Saved,
) -> None:
    platform.inject("publish", fake.unexpected())

    with pytest.raises(TransientError, match="unexpected error"):
        await uploader.upload(media, META, saved.resume())
    result = await uploader.upload(media, META, saved.resume())

    [post] = platform.media
    assert result.post_id == post.id and len(platform.containers) == 1


async def test_an_invalid_token_is_permanent(
    platform: fake.FakeInstagram, media: Media, saved: Saved
) -> None:
    uploader = build(platform, access_token="EAAG-expired")
    with pytest.raises(PermanentError) as raised:
        await uploader.upload(media, META, saved.resume())
    await uploader.close()

    assert raised.value.message == (
        "instagram: Error validating access token: Session has expired. (code 190)"
    )


async def test_a_video_instagram_cannot_fetch_is_rejected_permanently(
    platform: fake.FakeInstagram,
    uploader: instagram.InstagramUploader,
    clip: Path,
    saved: Saved,
) -> None:
    async with serve_files({}) as files:
        gone = media_of(clip, files.url("/expired-link.mp4"))
        with pytest.raises(PermanentError, match="Media download has failed"):
            await uploader.upload(gone, META, saved.resume())

    assert platform.media == [] and saved.state == {}


async def test_a_rejected_caption_is_permanent(
    platform: fake.FakeInstagram,
    uploader: instagram.InstagramUploader,
    media: Media,
    saved: Saved,
) -> None:
    platform.inject("create", Pass())
    too_long = PublishMetadata(caption="c" * 2201)

    with pytest.raises(PermanentError, match="caption is too long"):
        await uploader.upload(media, too_long, saved.resume())


@pytest.mark.parametrize(
    ("metadata", "problems"),
    [
        (PublishMetadata(caption="c" * 2200), []),
        (
            PublishMetadata(caption="c" * 2201),
            ["caption is over 2,200 characters (2,201)"],
        ),
        (
            PublishMetadata(caption=" ".join(f"#t{i}" for i in range(31))),
            ["caption has more than 30 hashtags"],
        ),
        (PublishMetadata(caption="#same", hashtags=["same", "#SAME"]), []),
    ],
)
def test_validate_limits(metadata: PublishMetadata, problems: list[str]) -> None:
    uploader = instagram.InstagramUploader(Settings().platforms.instagram)
    assert uploader.validate(metadata) == problems


def test_build_needs_a_token_and_an_account() -> None:
    assert instagram.build(Settings()) is None
    only_token = {"instagram": {"access_token": "EAAG"}}
    assert instagram.build(Settings(platforms=only_token)) is None  # type: ignore[arg-type]
