"""Hostile and clumsy input: each ends with a typed error, a FAILED job and asset
where one was created, no temp files, and nothing of a local file in any output."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from gql_media import models
from tests.conftest import Server, wait_for_job
from tests.support import media
from tests.support.graphql import data, upload
from tests.support.http_server import serve_files

IMPORT = """
mutation ($input: ImportAssetInput!) {
  importAsset(input: $input) {
    __typename
    ... on ImportAssetSuccess { asset { id } job { id } }
    ... on Error { code message }
  }
}
"""

CONCAT_PLAYLIST = (
    "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n"
    "concat:/etc/passwd|/etc/hostname\n#EXT-X-ENDLIST\n"
)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


BAD_FILES: dict[str, Callable[[Path], Path]] = {
    "text.mp4": media.make_text_as_mp4,
    "random.mp4": lambda p: media.make_random_bytes(p, 50_000),
    "hls.mp4": media.make_hls_playlist_attack,
    "list.ffconcat": media.make_ffconcat_attack,
    "concat.m3u8": lambda p: _write(p, CONCAT_PLAYLIST),
    # TGA has no magic number: a .tga name alone must not make bytes a picture.
    "random.tga": lambda p: media.make_random_bytes(p, 50_000),
    "hls.tga": media.make_hls_playlist_attack,
    "forged.tga": media.make_forged_tga,  # a coherent header, garbage pixels
}


def _assert_nothing_leaked(*texts: object) -> None:
    blob = json.dumps([str(t) for t in texts])
    assert "root:" not in blob and "/bin/" not in blob, blob


async def _expect_failed_upload(server: Server, path: Path) -> models.Job:
    result = (await upload(server.url, path)).json()["data"]["uploadAsset"]
    assert result["__typename"] == "UploadAssetSuccess"
    job = await wait_for_job(result["job"]["id"])
    assert job.status is models.JobStatus.FAILED
    asset = await models.Asset.get(id=result["asset"]["id"])
    assert asset.status is models.AssetStatus.FAILED
    assert asset.error_code == job.error_code
    assert asset.storage_key is None and asset.thumbnail_key is None
    stored = list((server.settings.storage_dir).rglob("*"))
    assert not [p for p in stored if p.is_file()], "the bad blob was kept"
    _assert_nothing_leaked(job.error_message, asset.error_message, job.message)
    return job


@pytest.mark.parametrize("name", sorted(BAD_FILES))
async def test_unreadable_uploads_fail_with_a_media_code(
    server: Server, tmp_path: Path, name: str, no_stray_files: None
) -> None:
    path = BAD_FILES[name](tmp_path / name)
    job = await _expect_failed_upload(server, path)
    assert job.error_code in ("INVALID_MEDIA", "UNSUPPORTED_FORMAT")


async def test_truncated_mp4_fails(server: Server, tmp_path: Path) -> None:
    whole = media.make_video(tmp_path / "whole.mp4", faststart=False)
    path = media.make_truncated_mp4(whole, tmp_path / "cut.mp4")
    job = await _expect_failed_upload(server, path)
    assert job.error_code == "INVALID_MEDIA"


async def test_empty_upload_is_refused_at_once(server: Server, tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    result = (await upload(server.url, path)).json()["data"]["uploadAsset"]
    assert result["__typename"] == "InvalidInputError"
    assert await models.Asset.all().count() == 0


async def test_image_over_max_pixels_fails(server: Server, tmp_path: Path) -> None:
    server.settings.limits.max_pixels = 100 * 100
    path = media.make_image(tmp_path / "big.png", 200, 200)
    job = await _expect_failed_upload(server, path)
    assert job.error_code == "TOO_LARGE"


async def _import(server: Server, url: str) -> dict[str, object]:
    result: dict[str, object] = (
        await data(server.url, IMPORT, {"input": {"url": url}})
    )["importAsset"]
    return result


async def _expect_failed_import(server: Server, url: str, code: str) -> models.Job:
    result = await _import(server, url)
    assert result["__typename"] == "ImportAssetSuccess", result
    job = await wait_for_job(result["job"]["id"])  # type: ignore[index]
    assert job.status is models.JobStatus.FAILED
    assert job.error_code == code, (job.error_code, job.error_message)
    asset = await models.Asset.get(id=result["asset"]["id"])  # type: ignore[index]
    assert asset.status is models.AssetStatus.FAILED
    assert asset.error_code == code
    return job


async def test_import_over_the_cap_with_a_lying_length(
    server: Server, no_stray_files: None
) -> None:
    server.settings.limits.max_import_bytes = 10_000
    async with serve_files({}) as source:
        await _expect_failed_import(
            server,
            source.url("/_/lying?declared=100&actual=50000&chunked=1"),
            "TOO_LARGE",
        )
        await _expect_failed_import(server, source.url("/_/bytes?n=50000"), "TOO_LARGE")
        await _expect_failed_import(
            server, source.url("/_/bytes?n=50000&chunked=1"), "TOO_LARGE"
        )


async def test_import_of_a_stalled_source_times_out(server: Server) -> None:
    server.settings.import_.idle_timeout_seconds = 0.5
    async with serve_files({}) as source:
        job = await _expect_failed_import(
            server, source.url("/_/stall?n=100&seconds=10"), "FETCH_TIMEOUT"
        )
        # A timeout is transient: retried with backoff up to the attempt limit.
        assert job.attempts == job.max_attempts == 3
        assert len(source.requests) == 3


async def test_import_of_a_missing_file(server: Server) -> None:
    async with serve_files({}) as source:
        job = await _expect_failed_import(
            server, source.url("/_/status/404"), "FETCH_FAILED"
        )
    assert "404" in (job.error_message or "")


async def test_import_of_a_text_file_fails_as_media(server: Server) -> None:
    async with serve_files({"/fake.mp4": b"hello, this is text\n" * 100}) as source:
        await _expect_failed_import(server, source.url("/fake.mp4"), "INVALID_MEDIA")


FORBIDDEN = [
    "file:///etc/passwd",
    "ftp://example.com/a.mp4",
    "gopher://127.0.0.1:70/",
    "data:video/mp4;base64,AAAA",
    "http://127.0.0.1:{port}/clip.mp4",
    "http://[::1]:{port}/clip.mp4",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/a.mp4",
    "http://192.168.1.10/a.mp4",
    "http://[::ffff:127.0.0.1]:{port}/a.mp4",
    "http://2130706433:{port}/a.mp4",
    "http://0x7f000001:{port}/a.mp4",
]


@pytest.mark.parametrize("template", FORBIDDEN)
async def test_refused_urls_get_forbidden_url_and_reach_nothing(
    server: Server, template: str
) -> None:
    server.settings.import_.allow_networks = []
    async with serve_files({"/clip.mp4": b"x"}) as source:
        result = await _import(server, template.format(port=source.port))
        assert result["__typename"] == "ForbiddenUrlError", result
        assert result["code"] == "FORBIDDEN_URL"
        assert source.connections == 0
    assert await models.Asset.all().count() == 0
    assert await models.Job.all().count() == 0


async def test_redirect_to_a_refused_address_is_not_followed(server: Server) -> None:
    async with serve_files({"/x": b"secret"}, host="127.0.0.2") as internal:
        async with serve_files({}) as public:
            job = await _expect_failed_import(
                server,
                public.url(f"/_/redirect?to={internal.url('/x')}"),
                "FORBIDDEN_URL",
            )
        assert internal.connections == 0
    assert "redirect" in (job.error_message or "")
