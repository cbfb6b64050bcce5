"""The shape of the house: import contracts kept, modules of a readable size."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400


def test_import_contracts_are_kept() -> None:
    # The contracts (pyproject.toml) say imports point down the layers, schema/
    # never imports resolvers/, and services/jobs imports no domain.
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_is_over_the_size_cap() -> None:
    package = ROOT / "gql_media"
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in package.rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert too_long == {}
