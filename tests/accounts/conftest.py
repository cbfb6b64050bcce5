"""Access tests serve the app with tokens required (no anonymous access)."""

from pathlib import Path

import pytest

from gql_media.settings import Settings
from tests.conftest import make_settings


@pytest.fixture
def settings(tmp_path: Path, clean_db: str) -> Settings:
    return make_settings(
        tmp_path / "data",
        clean_db,
        gql_media_import={"allow_networks": "127.0.0.1/32"},
        auth={"allow_anonymous": False, "recheck_seconds": 0.3},
    )
