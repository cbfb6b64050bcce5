"""The README documents every setting the code reads."""

from pathlib import Path

from gql_media.settings import env_names

README = Path(__file__).parents[1] / "README.md"


def test_every_setting_is_in_the_readme() -> None:
    text = README.read_text()
    missing = sorted(name for name in env_names() if f"`{name}`" not in text)
    assert missing == [], f"settings missing from README.md: {missing}"
