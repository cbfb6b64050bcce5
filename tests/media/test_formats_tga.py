"""TGA images, which have no magic number: recognized by a checked header plus
the 2.0 footer or the client's name/type, probed and thumbnailed through the
targa decoder, uploaded and imported; look-alikes stay refused."""

import shutil
import tempfile
from pathlib import Path

import pytest

from gql_media.errors import MediaError, TooLarge, UnsupportedFormat
from gql_media.media import targa
from gql_media.media.probe import probe
from gql_media.media.thumbnail import make_thumbnail
from gql_media.models.enums import AssetKind, JobStatus
from gql_media.settings import MediaSettings
from tests.conftest import Server, wait_for_job
from tests.support import media
from tests.support.graphql import data, upload
from tests.support.http_server import serve_files

SETTINGS = MediaSettings(probe_timeout_seconds=20)
ASSET = """query ($id: ID!) { asset(id: $id) { kind status mimeType colorSpace
  container codec width height thumbnailUrl errorCode } }"""
REGENERATE = """mutation ($id: ID!) { regenerateThumbnail(id: $id, atSeconds: 1) {
  ... on RegenerateThumbnailSuccess { job { id } } } }"""
IMPORT = """mutation ($url: String!) { importAsset(input: {url: $url}) {
  __typename ... on ImportAssetSuccess { asset { id } job { id } }
  ... on Error { code message } } }"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tga")


@pytest.fixture
def probe_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the probe's ".tga" link goes, watched to be left empty."""
    where = tmp_path / "probe-tmp"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    return where


def blob(path: Path) -> Path:
    """A copy without the suffix, as a stored blob or a job's download is kept."""
    dest = path.with_name(path.stem + "_blob")
    shutil.copyfile(path, dest)
    return dest


@pytest.mark.parametrize(
    ("pix_fmt", "rle", "color_space"),
    [
        ("bgr24", True, "srgb"),
        ("bgr24", False, "srgb"),
        ("bgra", True, "srgb"),
        ("rgb555le", True, "srgb"),
        ("pal8", True, "srgb"),
        ("gray", True, "gray"),
    ],
)
async def test_a_tga_blob_is_probed_and_thumbnailed(
    folder: Path, probe_tmp: Path, pix_fmt: str, rle: bool, color_space: str
) -> None:
    path = blob(media.make_tga(folder / f"{pix_fmt}{int(rle)}.tga", pix_fmt=pix_fmt,
                               rle=rle))  # fmt: skip
    result = await probe(path, SETTINGS)  # no hint: the footer is enough
    assert result.kind is AssetKind.IMAGE
    assert (result.format_name, result.codec) == ("image2", "targa")
    assert (result.width, result.height) == (160, 90)
    assert result.mime_type == "image/x-tga"
    assert result.color_space == color_space
    assert result.duration_seconds is None and result.fps is None
    thumb = folder / f"{pix_fmt}{int(rle)}.jpg"
    await make_thumbnail(path, thumb, kind=result.kind, width=80, duration=None,
                         settings=SETTINGS, codec=result.codec)  # fmt: skip
    assert thumb.read_bytes()[:2] == b"\xff\xd8"  # a JPEG
    assert list(probe_tmp.iterdir()) == []


@pytest.mark.parametrize(
    "hint", ["plate.TGA", "image/x-tga", "https://cdn.example/a/plate.tga?sig=1"]
)
async def test_a_footerless_tga_needs_the_clients_word(
    folder: Path, probe_tmp: Path, hint: str
) -> None:
    path = blob(media.make_tga(folder / "v1.tga", footer=False))
    with pytest.raises(MediaError) as refused:
        await probe(path, SETTINGS, hints=("plate.png", None, "image/png"))
    assert refused.value.code == "INVALID_MEDIA"
    result = await probe(path, SETTINGS, hints=(None, hint))
    assert (result.codec, result.width, result.height) == ("targa", 160, 90)
    assert list(probe_tmp.iterdir()) == []


async def test_look_alikes_named_tga_are_refused(folder: Path, probe_tmp: Path) -> None:
    hints = ("fake.tga", "image/x-tga")
    random_bytes = media.make_random_bytes(folder / "random", 50_000)
    with pytest.raises(MediaError) as refused:
        await probe(random_bytes, SETTINGS, hints=hints)
    assert type(refused.value) is MediaError
    text = folder / "text"
    text.write_text("not a picture\n" * 100)
    with pytest.raises(MediaError) as refused:
        await probe(text, SETTINGS, hints=hints)
    assert "text" in refused.value.message
    # A refused format is not retried as a TGA.
    playlist = media.make_hls_playlist_attack(folder / "hls")
    with pytest.raises(UnsupportedFormat):
        await probe(playlist, SETTINGS, hints=hints)
    assert list(probe_tmp.iterdir()) == []


async def test_a_forged_header_gets_no_further_than_the_decoder(
    folder: Path, probe_tmp: Path
) -> None:
    # Run-length packets of random bytes run out before the picture is whole.
    forged = media.make_forged_tga(folder / "forged", image_type=10)
    result = await probe(forged, SETTINGS, hints=("x.tga",))
    with pytest.raises(MediaError):
        await make_thumbnail(
            forged, folder / "f.jpg", kind=result.kind, width=80, duration=None,
            settings=SETTINGS, codec="targa",
        )  # fmt: skip
    assert not (folder / "f.jpg").exists()
    # A header that announces more pixels than allowed is refused before decoding.
    big = media.make_tga(folder / "big.tga", width=400, height=300)
    with pytest.raises(TooLarge):
        await probe(blob(big), SETTINGS, max_pixels=320 * 240)
    assert list(probe_tmp.iterdir()) == []


def test_the_header_check() -> None:
    def header(**fields: int) -> bytes:
        f = {"id": 0, "map": 0, "type": 2, "first": 0, "length": 0, "bits": 0,
             "w": 4, "h": 2, "depth": 24, "desc": 0, **fields}  # fmt: skip
        return (
            bytes([f["id"], f["map"], f["type"]])
            + f["first"].to_bytes(2, "little")
            + f["length"].to_bytes(2, "little")
            + bytes([f["bits"]])
            + bytes(4)
            + f["w"].to_bytes(2, "little")
            + f["h"].to_bytes(2, "little")
            + bytes([f["depth"], f["desc"]])
        )

    size = targa.HEADER_BYTES + 4 * 2 * 3
    assert targa.parse_header(header(), size) == targa.Header(2, 4, 2, 24)
    assert targa.parse_header(header(), size - 1) is None  # pixels missing
    for bad in (
        {"type": 0},  # no image
        {"type": 32},  # Huffman, not decodable
        {"w": 0},
        {"depth": 12},
        {"desc": 0x40},  # interleaved
        {"map": 2},
        {"type": 1, "depth": 8},  # color-mapped without a map
        {"type": 1, "depth": 8, "map": 1, "length": 300, "bits": 24},
    ):
        assert targa.parse_header(header(**bad), 10_000) is None, bad
    assert not targa.has_footer(b"TRUEVISION-XFILE.\0")  # too short for a footer
    assert targa.is_claimed(("IMAGE/X-TGA; charset=binary",))
    assert not targa.is_claimed(("https://x.example/a.tga.png", "a.tgax", None))


async def asset_of(server: Server, job_id: str, asset_id: str) -> dict[str, object]:
    await wait_for_job(job_id)
    found: dict[str, object] = (await data(server.url, ASSET, {"id": asset_id}))[
        "asset"
    ]
    return found


async def test_tga_uploads(server: Server, folder: Path, no_stray_files: None) -> None:
    cases = [
        # the footer
        (media.make_tga(folder / "u2.tga"), "plate", "application/octet-stream"),
        # no footer: the Content-Type, or the name
        (media.make_tga(folder / "u1a.tga", footer=False, pix_fmt="bgra"),
         "plate", "image/x-tga"),
        (media.make_tga(folder / "u1b.tga", footer=False, rle=False),
         "plate.tga", "application/octet-stream"),
    ]  # fmt: skip
    for path, name, content_type in cases:
        sent = await upload(server.url, path, filename=name, content_type=content_type)
        made = sent.json()["data"]["uploadAsset"]
        asset = await asset_of(server, made["job"]["id"], made["asset"]["id"])
        assert asset["status"] == "READY", (name, content_type, asset)
        assert asset["kind"] == "IMAGE" and asset["codec"] == "targa"
        assert (asset["mimeType"], asset["colorSpace"]) == ("image/x-tga", "srgb")
        assert (asset["width"], asset["height"]) == (160, 90)
        assert asset["thumbnailUrl"]
    # Made again from the stored blob (no name, no probe): the codec column says
    # how to read it.
    again = await data(server.url, REGENERATE, {"id": made["asset"]["id"]})
    job = await wait_for_job(again["regenerateThumbnail"]["job"]["id"])
    assert job.status is JobStatus.SUCCEEDED, job.error_message


async def test_a_footerless_tga_without_a_clue_is_refused_and_kept_nowhere(
    server: Server, folder: Path, no_stray_files: None
) -> None:
    v1 = media.make_tga(folder / "clueless.tga", footer=False)
    sent = await upload(server.url, v1, filename="plate", content_type="image/png")
    made = sent.json()["data"]["uploadAsset"]
    asset = await asset_of(server, made["job"]["id"], made["asset"]["id"])
    assert (asset["status"], asset["errorCode"]) == ("FAILED", "INVALID_MEDIA")
    stored = [p for p in server.settings.storage_dir.rglob("*") if p.is_file()]
    assert stored == []


async def test_tga_imports(server: Server, folder: Path, no_stray_files: None) -> None:
    files = {
        "/v1.tga": media.make_tga(folder / "i1.tga", footer=False).read_bytes(),
        "/moved.tga": media.make_tga(
            folder / "i3.tga", footer=False, rle=False
        ).read_bytes(),
        "/download": media.make_tga(folder / "i2.tga", pix_fmt="gray").read_bytes(),
        "/fake.tga": media.make_random_bytes(folder / "fake", 20_000).read_bytes(),
    }
    async with serve_files(files) as cdn:
        expected = {
            cdn.url("/v1.tga"): ("READY", "srgb"),  # the URL's name
            cdn.url("/_/redirect?to=/moved.tga"): ("READY", "srgb"),  # the last hop
            cdn.url("/download"): ("READY", "gray"),  # the footer
            cdn.url("/fake.tga"): ("FAILED", None),
        }
        for url, (status, color_space) in expected.items():
            made = (await data(server.url, IMPORT, {"url": url}))["importAsset"]
            asset = await asset_of(server, made["job"]["id"], made["asset"]["id"])
            assert asset["status"] == status, (url, asset)
            assert asset["colorSpace"] == color_space
            if status == "FAILED":
                assert asset["errorCode"] == "INVALID_MEDIA"
    blobs = [o.key async for o in server.runtime.storage.list_objects("blobs/")]
    assert len(blobs) == 3
