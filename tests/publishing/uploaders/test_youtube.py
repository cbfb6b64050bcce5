"""The YouTube uploader against the fake Data API on loopback."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gql_media.runtime import Runtime
from gql_media.services.publishing import limits
from gql_media.services.publishing.uploaders import youtube
from gql_media.services.publishing.uploaders.base import (
    PermanentError,
    PublishMetadata,
    RateLimited,
    TransientError,
)
from gql_media.services.publishing.uploaders.transport import (
    seconds_to_pacific_midnight,
)
from gql_media.settings import Settings
from tests.publishing.fakes import youtube as fake
from tests.publishing.fakes.server import Drop, LoseReply, Pass, serve
from tests.publishing.uploaders.conftest import (
    ChangedOnDisk,
    Saved,
    failing_after,
    media_of,
    sha256_of,
)

CHUNK = 256 * 1024
META = PublishMetadata(
    title="Launch teaser",
    caption="First look.",
    hashtags=["launch"],
    privacy="unlisted",
)


@pytest.fixture
async def platform() -> AsyncIterator[fake.FakeYouTube]:
    platform = fake.FakeYouTube()
    async with serve(platform):
        yield platform


@pytest.fixture
async def uploader(
    platform: fake.FakeYouTube,
) -> AsyncIterator[youtube.YouTubeUploader]:
    built = youtube.build(settings_for(platform))
    assert isinstance(built, youtube.YouTubeUploader)
    yield built
    await built.close()


def settings_for(platform: fake.FakeYouTube, **overrides: object) -> Settings:
    values = {
        "client_id": fake.CLIENT_ID,
        "client_secret": fake.CLIENT_SECRET,
        "refresh_token": fake.REFRESH_TOKEN,
        "token_url": platform.base_url + "/token",
        "api_base_url": platform.base_url + "/youtube/v3",
        "upload_base_url": platform.base_url + "/upload/youtube/v3",
        "chunk_size_bytes": CHUNK,
        **overrides,
    }
    return Settings(platforms={"youtube": values})  # type: ignore[arg-type]


async def test_uploads_in_chunks_and_returns_the_video(
    platform: fake.FakeYouTube,
    uploader: youtube.YouTubeUploader,
    clip: Path,
    saved: Saved,
) -> None:
    result = await uploader.upload(media_of(clip), META, saved.resume())

    [video] = platform.videos
    assert result.post_id == video.id
    assert result.url == f"https://www.youtube.com/watch?v={video.id}"
    assert (video.sha256, video.title) == (sha256_of(clip), "Launch teaser")
    chunks = platform.calls("chunk")
    assert len(chunks) == -(-clip.stat().st_size // CHUNK) > 1
    [initiate] = platform.calls("initiate")
    assert initiate.query == {"uploadType": "resumable", "part": "snippet,status"}
    assert initiate.headers["x-upload-content-length"] == str(clip.stat().st_size)
    assert initiate.json()["status"] == {"privacyStatus": "unlisted"}
    assert initiate.json()["snippet"]["tags"] == ["launch"]
    # The session was saved before the first byte went out.
    assert [list(state) for state in saved.saves] == [["session_url", "started_at"]]
    assert "upload_id=" in saved.state["session_url"]


async def test_resumes_after_a_dropped_connection_without_a_second_video(
    platform: fake.FakeYouTube, clip: Path, saved: Saved
) -> None:
    uploader = youtube.build(settings_for(platform, chunk_size_bytes=2 * CHUNK))
    assert uploader is not None
    # The first 512 KiB chunk drops after 300 KiB: YouTube keeps 256 KiB of it.
    platform.inject("chunk", Drop(after_bytes=300 * 1024))

    with pytest.raises(TransientError):
        await uploader.upload(media_of(clip), META, saved.resume())
    assert platform.videos == []

    result = await uploader.upload(media_of(clip), META, saved.resume())
    await uploader.close()

    [video] = platform.videos
    assert result.post_id == video.id and video.sha256 == sha256_of(clip)
    assert len(platform.sessions) == 1  # resumed, not started again
    [query] = platform.calls("status")
    assert query.headers["content-range"] == f"bytes */{clip.stat().st_size}"
    # It went on from the offset the platform's Range gave, not from zero.
    resumed = platform.calls("chunk")[0]
    assert resumed.headers["content-range"].startswith(f"bytes {CHUNK}-")


async def test_a_lost_final_answer_is_found_by_the_status_query(
    platform: fake.FakeYouTube,
    uploader: youtube.YouTubeUploader,
    clip: Path,
    saved: Saved,
) -> None:
    chunks = -(-clip.stat().st_size // CHUNK)
    platform.inject("chunk", *[Pass()] * (chunks - 1), LoseReply())

    with pytest.raises(TransientError):
        await uploader.upload(media_of(clip), META, saved.resume())
    [video] = platform.videos  # the platform finished it; we never heard
    result = await uploader.upload(media_of(clip), META, saved.resume())

    assert result.post_id == video.id
    assert len(platform.videos) == 1 and len(platform.sessions) == 1
    assert len(platform.calls("chunk")) == chunks  # nothing sent again


async def test_an_expired_session_starts_a_new_one(
    platform: fake.FakeYouTube,
    uploader: youtube.YouTubeUploader,
    clip: Path,
    saved: Saved,
) -> None:
    gone = platform.base_url + "/upload/youtube/v3/videos?upload_id=expired"
    saved.state = {"session_url": gone, "started_at": datetime.now(UTC).isoformat()}

    result = await uploader.upload(media_of(clip), META, saved.resume())

    [video] = platform.videos
    assert result.post_id == video.id
    assert saved.state["session_url"] != gone
    assert len(platform.calls("playlistItems")) == 1  # it looked first


async def test_a_video_finished_before_its_session_expired_is_found(
    platform: fake.FakeYouTube,
    uploader: youtube.YouTubeUploader,
    clip: Path,
    saved: Saved,
) -> None:
    chunks = -(-clip.stat().st_size // CHUNK)
    platform.inject("chunk", *[Pass()] * (chunks - 1), LoseReply())
    with pytest.raises(TransientError):
        await uploader.upload(media_of(clip), META, saved.resume())
    [video] = platform.videos
    platform.sessions.clear()  # a week later the session URI answers 404

    result = await uploader.upload(media_of(clip), META, saved.resume())

    assert result.post_id == video.id and len(platform.videos) == 1
    assert platform.sessions == {}  # no new upload was started
    [listing] = platform.calls("playlistItems")
    assert listing.query["playlistId"] == fake.UPLOADS


async def test_429_is_rate_limited_with_retry_after(
    platform: fake.FakeYouTube,
    uploader: youtube.YouTubeUploader,
    clip: Path,
    saved: Saved,
) -> None:
    platform.inject("initiate", fake.rate_limited(retry_after=7))

    with pytest.raises(RateLimited) as raised:
        await uploader.upload(media_of(clip), META, saved.resume())

    assert raised.value.retry_after == 7
    assert "rateLimitExceeded" in raised.value.message
    assert platform.sessions == {} and saved.saves == []


async def test_quota_exceeded_waits_for_midnight_pacific(
    platform: fake.FakeYouTube,
    uploader: youtube.YouTubeUploader,
    clip: Path,
    saved: Saved,
) -> None:
    platform.inject("chunk", Pass(), fake.quota_exceeded())

    before = seconds_to_pacific_midnight()
    with pytest.raises(RateLimited) as raised:
        await uploader.upload(media_of(clip), META, saved.resume())

    assert raised.value.retry_after is not None
    assert before - 60 <= raised.value.retry_after <= before
    assert "exceeded your quota" in raised.value.message
    # The session stays saved: after the reset the upload goes on from there.
    assert len(saved.saves) == 1 and platform.videos == []


def test_midnight_pacific_in_winter_and_summer() -> None:
    winter = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 23:00 PST
    summer = datetime(2026, 7, 1, 6, 30, tzinfo=UTC)  # 23:30 PDT
    assert seconds_to_pacific_midnight(winter) == 3600
    assert seconds_to_pacific_midnight(summer) == 1800


async def test_5xx_is_transient_then_the_next_attempt_succeeds(
    platform: fake.FakeYouTube,
    uploader: youtube.YouTubeUploader,
    clip: Path,
    saved: Saved,
) -> None:
    platform.inject("chunk", Pass(), fake.backend_error())

    with pytest.raises(TransientError) as raised:
        await uploader.upload(media_of(clip), META, saved.resume())
    assert "Backend Error" in raised.value.message
    result = await uploader.upload(media_of(clip), META, saved.resume())

    [video] = platform.videos
    assert result.post_id == video.id and video.sha256 == sha256_of(clip)
    assert len(platform.sessions) == 1


async def test_an_expired_access_token_is_refreshed_once(
    platform: fake.FakeYouTube,
    uploader: youtube.YouTubeUploader,
    clip: Path,
) -> None:
    await uploader.upload(media_of(clip), META, Saved().resume())
    platform.expire_tokens()

    result = await uploader.upload(media_of(clip), META, Saved().resume())

    assert [video.id for video in platform.videos][-1] == result.post_id
    assert len(platform.calls("token")) == 2


async def test_a_token_expiring_mid_upload_is_refreshed_and_the_upload_goes_on(
    platform: fake.FakeYouTube,
    uploader: youtube.YouTubeUploader,
    clip: Path,
    saved: Saved,
) -> None:
    unauthorized = fake.error(401, "authError", "Invalid Credentials", "global")
    platform.inject("chunk", Pass(), unauthorized)

    result = await uploader.upload(media_of(clip), META, saved.resume())

    [video] = platform.videos
    assert result.post_id == video.id and video.sha256 == sha256_of(clip)
    assert len(platform.calls("token")) == 2
    assert len(platform.calls("status")) == 1  # asked where to go on from


async def test_a_revoked_refresh_token_is_permanent(
    platform: fake.FakeYouTube, clip: Path, saved: Saved
) -> None:
    uploader = youtube.build(settings_for(platform, refresh_token="1//revoked"))
    assert uploader is not None

    with pytest.raises(PermanentError) as raised:
        await uploader.upload(media_of(clip), META, saved.resume())
    await uploader.close()

    assert "refresh failed" in raised.value.message
    assert platform.sessions == {}


async def test_permanent_rejection_carries_the_platform_message(
    platform: fake.FakeYouTube,
    uploader: youtube.YouTubeUploader,
    clip: Path,
    saved: Saved,
) -> None:
    platform.inject("initiate", fake.forbidden("This channel may not upload."))

    with pytest.raises(PermanentError) as raised:
        await uploader.upload(media_of(clip), META, saved.resume())

    assert raised.value.message == "youtube: This channel may not upload. (forbidden)"
    assert platform.videos == [] and saved.saves == []


async def test_invalid_metadata_rejected_by_the_platform_is_permanent(
    platform: fake.FakeYouTube,
    uploader: youtube.YouTubeUploader,
    clip: Path,
    saved: Saved,
) -> None:
    # validate() is the caller's job; the platform's own 400 still maps right.
    bad = PublishMetadata(title="x" * 101)

    with pytest.raises(PermanentError) as raised:
        await uploader.upload(media_of(clip), bad, saved.resume())

    assert "invalidTitle" in raised.value.message


@pytest.mark.parametrize(
    ("metadata", "problems"),
    [
        (PublishMetadata(title="t" * 100, caption="d" * 5000), []),
        (PublishMetadata(title="t" * 101), ["title is over 100 characters (101)"]),
        (PublishMetadata(title="  "), ["title is required"]),
        (PublishMetadata(caption="no title"), ["title is required"]),
        (PublishMetadata(title="a <b>"), ["title may not contain < or >"]),
        (
            PublishMetadata(title="ok", caption="d" * 5001),
            ["description is over 5,000 characters (5,001 UTF-8 bytes)"],
        ),
        (PublishMetadata(title="ok", caption="é" * 2500), []),
        (
            PublishMetadata(title="ok", caption="é" * 2501),
            ["description is over 5,000 characters (5,002 UTF-8 bytes)"],
        ),
        (
            PublishMetadata(title="ok", caption="a > b"),
            ["description may not contain < or >"],
        ),
        (
            PublishMetadata(title="ok", hashtags=["x" * 250, "#" + "y" * 251]),
            ["hashtags are over 500 characters in all (501)"],
        ),
        (
            PublishMetadata(title="ok", privacy="friends"),
            ["privacy 'friends' is not public, unlisted or private"],
        ),
    ],
)
def test_validate_limits(metadata: PublishMetadata, problems: list[str]) -> None:
    uploader = youtube.YouTubeUploader(Settings().platforms.youtube)
    assert uploader.validate(metadata) == problems


def test_build_needs_the_client_and_the_refresh_token() -> None:
    assert youtube.build(Settings()) is None
    partial = {"youtube": {"client_id": "a", "client_secret": "b"}}
    assert youtube.build(Settings(platforms=partial)) is None  # type: ignore[arg-type]


def test_chunk_size_must_be_a_multiple_of_256_kib() -> None:
    with pytest.raises(ValueError, match="262144"):
        Settings(platforms={"youtube": {"chunk_size_bytes": 300_000}})  # type: ignore[arg-type]


async def test_an_error_from_the_stream_aborts_the_upload_as_it_is(
    platform: fake.FakeYouTube,
    uploader: youtube.YouTubeUploader,
    clip: Path,
    saved: Saved,
) -> None:
    # The ledger's checksum check raises inside Media.open; it must reach the
    # caller unchanged (not as a retryable TransientError), with nothing posted.
    with pytest.raises(ChangedOnDisk):
        await uploader.upload(
            failing_after(media_of(clip), 300 * 1024), META, saved.resume()
        )
    assert platform.videos == []


async def test_every_request_of_an_attempt_keeps_the_platform_rate(
    platform: fake.FakeYouTube,
    uploader: youtube.YouTubeUploader,
    clip: Path,
    saved: Saved,
    runtime: Runtime,
) -> None:
    """An attempt pays for its first request; the token refresh, the session and
    each chunk after it take the next tokens, so the platform never sees more
    than the limit in any second however many requests one upload makes."""
    runtime.settings.publishing.requests_per_second = 3
    async with limits.attempt(runtime, "youtube"):
        await uploader.upload(media_of(clip), META, saved.resume())
    assert len(platform.requests) >= 6  # token, initiate and four chunks or more
    assert platform.busiest_second() <= 3
