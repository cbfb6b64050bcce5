"""Start-up errors of the real `gql-media` command: one or two lines naming the
variable, a non-zero exit, no traceback; a misspelt variable is a warning."""

import asyncio
from pathlib import Path

import pytest

from gql_media.startup import env_name, unknown_variables
from tests.support.processes import REPO
from tests.test_cli import BIN, env_for, run

CLOSED_PORT = "postgres://postgres@127.0.0.1:1/gql_media"


def _refused(code: int, err: str, variable: str) -> None:
    lines = err.strip().splitlines()
    assert code != 0, err
    assert 1 <= len(lines) <= 2, err
    assert variable in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GQL_MEDIA_STORAGE__BACKEND", "ftp"),
        ("GQL_MEDIA_LIMITS__MAX_UPLOAD_BYTES", "abc"),
        ("GQL_MEDIA_IMPORT__ALLOW_NETWORKS", "10.0.0.0/33"),
        ("GQL_MEDIA_DATABASE_URL", "mysql://root@127.0.0.1/media"),
        ("GQL_MEDIA_DATABASE_URL", CLOSED_PORT),
    ],
)
@pytest.mark.parametrize("command", ["serve", "migrate"])
async def test_a_bad_setting_is_one_line_naming_the_variable(
    tmp_path: Path, command: str, variable: str, value: str
) -> None:
    env = env_for(tmp_path / "data", PORT="1", **{variable: value})
    code, _, err = await run(command, env=env)
    _refused(code, err, variable)
    assert repr(value) in err or value.split(":")[0] in err


async def test_an_unwritable_data_dir_is_one_line(tmp_path: Path) -> None:
    # Under a regular file: no user, root included, can create it.
    (tmp_path / "file.txt").write_text("")
    env = env_for(tmp_path / "file.txt" / "data", PORT="1")
    code, _, err = await run("serve", env=env)
    _refused(code, err, "GQL_MEDIA_DATA_DIR")
    assert "Not a directory" in err


async def test_an_unwritable_storage_dir_names_its_variable(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("")
    env = env_for(
        tmp_path / "data",
        PORT="1",
        GQL_MEDIA_STORAGE__LOCAL_DIR=str(tmp_path / "file.txt" / "blobs"),
    )
    code, _, err = await run("serve", env=env)
    _refused(code, err, "GQL_MEDIA_STORAGE__LOCAL_DIR")


async def test_a_misspelt_variable_is_a_warning_naming_the_right_one(
    tmp_path: Path,
) -> None:
    env = env_for(tmp_path / "data", GQL_MEDIA_STORGE__BACKEND="s3")
    code, _, err = await run("migrate", env=env)
    assert code == 0, err
    warning = next(line for line in err.splitlines() if "GQL_MEDIA_STORGE" in line)
    assert warning.startswith("warning:")
    assert "GQL_MEDIA_STORAGE__BACKEND" in warning


def test_unknown_variables_skip_known_names_and_groups() -> None:
    environ = {
        "GQL_MEDIA_DATA_DIR": "x",
        "GQL_MEDIA_STORAGE": "{}",  # a whole group as JSON
        "GQL_MEDIA_REDIS_ULR": "redis://",
        "GQL_MEDIA_ZZZZZZZZ": "1",
        "PATH": "/bin",
    }
    warnings = unknown_variables(environ)
    assert len(warnings) == 2
    assert "did you mean GQL_MEDIA_REDIS_URL?" in warnings[0]
    assert "did you mean" not in warnings[1]


def test_env_name_of_a_validation_error_location() -> None:
    assert env_name(("storage", "backend")) == "GQL_MEDIA_STORAGE__BACKEND"
    assert env_name(("gql_media_import", "max_redirects")) == (
        "GQL_MEDIA_IMPORT__MAX_REDIRECTS"
    )
    assert env_name(("data_dir",)) == "GQL_MEDIA_DATA_DIR"


async def test_the_arq_worker_module_says_which_variable_too(tmp_path: Path) -> None:
    env = env_for(
        tmp_path / "data",
        GQL_MEDIA_REDIS_URL="redis://127.0.0.1:6379/0",
        GQL_MEDIA_LIMITS__MAX_PIXELS="many",
    )
    proc = await asyncio.create_subprocess_exec(
        str(BIN.parent / "arq"),
        "worker.WorkerSettings",
        env=env,
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    _refused(proc.returncode, err.decode(), "GQL_MEDIA_LIMITS__MAX_PIXELS")
