"""Settings of the built-in publishing platforms (`GQL_MEDIA_PLATFORMS__*`): a
group of `Settings`, kept in its own module so settings.py stays readable."""

from pydantic import BaseModel, Field, field_validator


class YouTubeSettings(BaseModel):
    """YouTube Data API v3: an OAuth client and a refresh token of the channel."""

    client_id: str | None = None
    client_secret: str | None = None
    refresh_token: str | None = None
    token_url: str = "https://oauth2.googleapis.com/token"
    # Where the channel's uploads are listed, to find a video an interrupted
    # attempt may have finished after its upload session expired.
    api_base_url: str = "https://www.googleapis.com/youtube/v3"
    upload_base_url: str = "https://www.googleapis.com/upload/youtube/v3"
    # Resumable upload chunks must be multiples of 256 KiB (Google's rule).
    chunk_size_bytes: int = Field(default=8 * 1024 * 1024, ge=256 * 1024)

    @field_validator("chunk_size_bytes")
    @classmethod
    def _multiple_of_256_kib(cls, value: int) -> int:
        if value % (256 * 1024):
            raise ValueError("must be a multiple of 262144 (256 KiB)")
        return value


class TikTokSettings(BaseModel):
    """TikTok Content Posting API (Direct Post) with a user access token."""

    access_token: str | None = None
    api_base_url: str = "https://open.tiktokapis.com"
    # TikTok takes chunks of 5 to 64 MB; smaller files go up as one chunk.
    chunk_size_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    poll_interval_seconds: float = Field(default=5.0, gt=0)
    poll_timeout_seconds: float = Field(default=600.0, gt=0)


class InstagramSettings(BaseModel):
    """Instagram Graph API (Reels) for one professional account."""

    access_token: str | None = None
    ig_user_id: str | None = None
    graph_base_url: str = "https://graph.facebook.com/v21.0"
    poll_interval_seconds: float = Field(default=5.0, gt=0)
    poll_timeout_seconds: float = Field(default=600.0, gt=0)


class PlatformSettings(BaseModel):
    """Credentials and endpoints of the built-in publishing platforms; a platform
    whose credentials are unset is not offered."""

    youtube: YouTubeSettings = Field(default_factory=YouTubeSettings)
    tiktok: TikTokSettings = Field(default_factory=TikTokSettings)
    instagram: InstagramSettings = Field(default_factory=InstagramSettings)
