"""The TikTok uploader against the fake Content Posting API on loopback."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gql_media.services.publishing.uploaders import tiktok
from gql_media.services.publishing.uploaders.base import (
    PermanentError,
    PublishMetadata,
    RateLimited,
    TransientError,
)
from gql_media.settings import Settings
from tests.publishing.fakes import tiktok as fake
from tests.publishing.fakes.server import Drop, LoseReply, Pass, serve
from tests.publishing.uploaders.conftest import (
    ChangedOnDisk,
    Saved,
    failing_after,
    media_of,
    sha256_of,
)

CHUNK = 200_000
META = PublishMetadata(
    caption="Behind the scenes #bts", hashtags=["drama", "bts"], privacy="public"
)


@pytest.fixture
async def platform() -> AsyncIterator[fake.FakeTikTok]:
    platform = fake.FakeTikTok()
    async with serve(platform):
        yield platform


def build(platform: fake.FakeTikTok, **overrides: object) -> tiktok.TikTokUploader:
    values = {
        "access_token": fake.ACCESS_TOKEN,
        "api_base_url": platform.base_url,
        "chunk_size_bytes": CHUNK,
        "poll_interval_seconds": 0.01,
        **overrides,
    }
    built = tiktok.build(Settings(platforms={"tiktok": values}))  # type: ignore[arg-type]
    assert isinstance(built, tiktok.TikTokUploader)
    return built


@pytest.fixture
async def uploader(platform: fake.FakeTikTok) -> AsyncIterator[tiktok.TikTokUploader]:
    built = build(platform)
    yield built
    await built.close()


async def test_posts_in_chunks_and_returns_the_post(
    platform: fake.FakeTikTok,
    uploader: tiktok.TikTokUploader,
    clip: Path,
    saved: Saved,
) -> None:
    size = clip.stat().st_size
    result = await uploader.upload(media_of(clip), META, saved.resume())

    [post] = platform.posts
    assert result.post_id == post.id and result.url is None
    assert post.sha256 == sha256_of(clip)
    assert post.title == "Behind the scenes #bts #drama"
    [init] = platform.calls("init")
    assert init.json()["source_info"] == {
        "source": "FILE_UPLOAD",
        "video_size": size,
        "chunk_size": CHUNK,
        "total_chunk_count": size // CHUNK,
    }
    assert init.json()["post_info"]["privacy_level"] == "PUBLIC_TO_EVERYONE"
    ranges = [c.headers["content-range"] for c in platform.calls("chunk")]
    assert len(ranges) == size // CHUNK > 1
    assert ranges[-1] == f"bytes {(size // CHUNK - 1) * CHUNK}-{size - 1}/{size}"
    # Saved before the first chunk went out.
    [state] = saved.saves
    assert state["publish_id"] == platform.posts[0].publish_id
    assert state["upload_url"].startswith(platform.base_url + "/upload/")


async def test_a_file_smaller_than_a_chunk_goes_up_whole(
    platform: fake.FakeTikTok, clip: Path, saved: Saved
) -> None:
    uploader = build(platform, chunk_size_bytes=64 * 1024 * 1024)
    await uploader.upload(media_of(clip), META, saved.resume())
    await uploader.close()

    [init] = platform.calls("init")
    assert init.json()["source_info"]["chunk_size"] == clip.stat().st_size
    assert len(platform.calls("chunk")) == 1 and len(platform.posts) == 1


async def test_resumes_after_a_dropped_connection_without_a_second_post(
    platform: fake.FakeTikTok,
    uploader: tiktok.TikTokUploader,
    clip: Path,
    saved: Saved,
) -> None:
    platform.inject("chunk", Pass(), Drop(after_bytes=50_000))

    with pytest.raises(TransientError):
        await uploader.upload(media_of(clip), META, saved.resume())
    assert platform.posts == []
    result = await uploader.upload(media_of(clip), META, saved.resume())

    [post] = platform.posts
    assert result.post_id == post.id and post.sha256 == sha256_of(clip)
    assert len(platform.calls("init")) == 1  # no second post was started
    # The second attempt asked first, then sent from the second chunk on.
    first_resumed = platform.calls("chunk")[1]
    assert first_resumed.headers["content-range"].startswith(f"bytes {CHUNK}-")


async def test_a_lost_answer_after_publishing_is_found_by_the_status(
    platform: fake.FakeTikTok,
    uploader: tiktok.TikTokUploader,
    clip: Path,
    saved: Saved,
) -> None:
    platform.processing_polls = 0  # the first status fetch publishes
    platform.inject("status", LoseReply())

    with pytest.raises(TransientError):
        await uploader.upload(media_of(clip), META, saved.resume())
    [post] = platform.posts
    chunks = len(platform.calls("chunk"))
    result = await uploader.upload(media_of(clip), META, saved.resume())

    assert result.post_id == post.id
    assert len(platform.posts) == 1 and len(platform.calls("init")) == 1
    assert len(platform.calls("chunk")) == chunks


async def test_an_upload_url_that_expired_starts_a_new_post_next_time(
    platform: fake.FakeTikTok,
    uploader: tiktok.TikTokUploader,
    clip: Path,
    saved: Saved,
) -> None:
    platform.inject("chunk", Pass(), fake.Response(404, b"upload expired"))

    with pytest.raises(TransientError, match="starts a new post"):
        await uploader.upload(media_of(clip), META, saved.resume())
    assert saved.state == {}
    result = await uploader.upload(media_of(clip), META, saved.resume())

    assert [post.id for post in platform.posts] == [result.post_id]
    assert len(platform.calls("init")) == 2


async def test_429_is_rate_limited_with_retry_after(
    platform: fake.FakeTikTok,
    uploader: tiktok.TikTokUploader,
    clip: Path,
    saved: Saved,
) -> None:
    platform.inject("init", fake.rate_limited(retry_after=9))

    with pytest.raises(RateLimited) as raised:
        await uploader.upload(media_of(clip), META, saved.resume())

    assert raised.value.retry_after == 9
    assert platform.publishes == {} and saved.saves == []


async def test_the_daily_post_cap_is_rate_limited(
    platform: fake.FakeTikTok,
    uploader: tiktok.TikTokUploader,
    clip: Path,
    saved: Saved,
) -> None:
    platform.inject("init", fake.too_many_posts())

    with pytest.raises(RateLimited) as raised:
        await uploader.upload(media_of(clip), META, saved.resume())

    assert "spam_risk_too_many_posts" in raised.value.message
    assert raised.value.retry_after is None


async def test_5xx_is_transient_then_the_next_attempt_succeeds(
    platform: fake.FakeTikTok,
    uploader: tiktok.TikTokUploader,
    clip: Path,
    saved: Saved,
) -> None:
    platform.inject("status", fake.internal_error())

    with pytest.raises(TransientError) as raised:
        await uploader.upload(media_of(clip), META, saved.resume())
    assert "internal_error" in raised.value.message
    result = await uploader.upload(media_of(clip), META, saved.resume())

    [post] = platform.posts
    assert result.post_id == post.id and len(platform.calls("init")) == 1


async def test_an_internal_failure_of_the_post_starts_a_new_one_next_time(
    platform: fake.FakeTikTok,
    uploader: tiktok.TikTokUploader,
    clip: Path,
    saved: Saved,
) -> None:
    platform.fail_next = "internal"

    with pytest.raises(TransientError, match="post failed: internal"):
        await uploader.upload(media_of(clip), META, saved.resume())
    assert saved.state == {}  # that post is over
    await uploader.upload(media_of(clip), META, saved.resume())

    assert len(platform.calls("init")) == 2 and len(platform.posts) == 1


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (fake.scope_not_authorized(), "did not authorize the scope"),
        (fake.error(400, "spam_risk_text", "Spam in the caption."), "spam_risk_text"),
    ],
)
async def test_permanent_rejection_carries_the_platform_message(
    platform: fake.FakeTikTok,
    uploader: tiktok.TikTokUploader,
    clip: Path,
    saved: Saved,
    fault: fake.Response,
    message: str,
) -> None:
    platform.inject("init", fault)

    with pytest.raises(PermanentError, match=message):
        await uploader.upload(media_of(clip), META, saved.resume())
    assert platform.posts == []


async def test_a_rejected_video_is_permanent(
    platform: fake.FakeTikTok,
    uploader: tiktok.TikTokUploader,
    clip: Path,
    saved: Saved,
) -> None:
    platform.fail_next = "duration_check_failed"

    with pytest.raises(PermanentError) as raised:
        await uploader.upload(media_of(clip), META, saved.resume())

    assert raised.value.message == "tiktok: post failed: duration_check_failed"


async def test_an_invalid_access_token_is_permanent(
    platform: fake.FakeTikTok, clip: Path, saved: Saved
) -> None:
    uploader = build(platform, access_token="act.revoked")
    with pytest.raises(PermanentError, match="access_token_invalid"):
        await uploader.upload(media_of(clip), META, saved.resume())
    await uploader.close()


async def test_a_post_still_processing_at_the_timeout_is_resumed_later(
    platform: fake.FakeTikTok, clip: Path, saved: Saved
) -> None:
    platform.processing_polls = 1_000_000
    uploader = build(platform, poll_timeout_seconds=0.05)
    with pytest.raises(TransientError, match="still processing"):
        await uploader.upload(media_of(clip), META, saved.resume())
    platform.processing_polls = 0

    result = await uploader.upload(media_of(clip), META, saved.resume())
    await uploader.close()

    assert [post.id for post in platform.posts] == [result.post_id]
    assert len(platform.calls("init")) == 1


@pytest.mark.parametrize(
    ("metadata", "problems"),
    [
        (PublishMetadata(caption="c" * 2200), []),
        (
            PublishMetadata(caption="c" * 2201),
            ["caption is over 2,200 characters (2,201)"],
        ),
        (
            PublishMetadata(caption="c" * 2195, hashtags=["abcd"]),
            ["caption is over 2,200 characters (2,201)"],
        ),
        (PublishMetadata(hashtags=[f"t{i}" for i in range(30)]), []),
        (
            PublishMetadata(caption="#a #b", hashtags=[f"t{i}" for i in range(29)]),
            ["caption has more than 30 hashtags"],
        ),
        (
            PublishMetadata(privacy="friends"),
            ["privacy 'friends' is not public, unlisted or private"],
        ),
    ],
)
def test_validate_limits(metadata: PublishMetadata, problems: list[str]) -> None:
    uploader = tiktok.TikTokUploader(Settings().platforms.tiktok)
    assert uploader.validate(metadata) == problems


def test_build_needs_an_access_token() -> None:
    assert tiktok.build(Settings()) is None


async def test_an_error_from_the_stream_aborts_the_upload_as_it_is(
    platform: fake.FakeTikTok,
    uploader: tiktok.TikTokUploader,
    clip: Path,
    saved: Saved,
) -> None:
    with pytest.raises(ChangedOnDisk):
        await uploader.upload(
            failing_after(media_of(clip), 300_000), META, saved.resume()
        )
    assert platform.posts == []
