"""The stitch commands: progress parsing, the server-written concat script, and
the hardening flags of both branches."""

from pathlib import Path

import pytest

from gql_media.media import stitch
from gql_media.settings import MediaSettings


def test_progress_lines_give_the_time_written_so_far() -> None:
    parser = stitch.ProgressParser()
    parser.feed(b"frame=10\nout_time_us=1500")  # a line cut between chunks
    assert parser.seconds == 0.0
    parser.feed(b"000\nout_time_us=N/A\nprogress=continue\n")
    assert parser.seconds == 1.5
    parser.feed(b"out_time_us=1000000\n")  # never backwards
    assert parser.seconds == 1.5


def test_the_concat_script_names_only_file_urls(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    script = tmp_path / "inputs.ffconcat"
    stitch.write_script([a, b], script)
    lines = script.read_text().splitlines()
    assert lines == [
        "ffconcat version 1.0",
        f"file 'file:{a.resolve()}'",
        f"file 'file:{b.resolve()}'",
    ]
    for bad in ("it's", "line\nbreak", "back\\slash"):
        with pytest.raises(ValueError):
            stitch.write_script([tmp_path / bad], script)


def test_both_branches_keep_ffmpeg_local(tmp_path: Path) -> None:
    settings = MediaSettings()
    copy = stitch.copy_args(tmp_path / "s", tmp_path / "o.mp4", settings, audio=True)
    assert copy[copy.index("-protocol_whitelist") + 1] == "file"
    assert copy[copy.index("-f") + 1] == "concat"
    assert copy[copy.index("-progress") + 1] == "pipe:1"
    assert copy.index("-progress") < copy.index("-i")  # global options first
    layout = stitch.Layout("h264", 640, 360, "30/1", "yuv420p", None, None, None)
    encode = stitch.encode_args(
        [tmp_path / "a", tmp_path / "b"], [layout, layout], [1.0, 2.0],
        tmp_path / "o.mp4", settings,
    )  # fmt: skip
    inputs = [encode[i + 1] for i, arg in enumerate(encode) if arg == "-i"]
    assert [i for i in inputs if i.startswith("file:")] == [
        f"file:{(tmp_path / n).resolve()}" for n in ("a", "b")
    ]
    # Every other input is the server's own silence source.
    assert all(i.startswith("anullsrc=") for i in inputs if not i.startswith("file:"))
    assert encode.count("-protocol_whitelist") == 2
    assert "concat=a=1:n=2:v=1" in encode[encode.index("-filter_complex") + 1]


def test_only_matching_mp4_codecs_take_the_copy_branch() -> None:
    base = stitch.Layout("h264", 640, 360, "30/1", "yuv420p", "aac", "48000", 2)
    assert stitch.can_copy([base, base])
    other_rate = stitch.Layout("h264", 640, 360, "25/1", "yuv420p", "aac", "48000", 2)
    assert not stitch.can_copy([base, other_rate])
    silent = stitch.Layout("h264", 640, 360, "30/1", "yuv420p", None, None, None)
    assert not stitch.can_copy([base, silent])
    vp9 = stitch.Layout("vp9", 640, 360, "30/1", "yuv420p", None, None, None)
    assert not stitch.can_copy([vp9, vp9])
