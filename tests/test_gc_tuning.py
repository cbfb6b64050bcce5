"""GC tuning after start-up: frozen start-up objects, a higher young threshold."""

import gc
from collections.abc import Iterator

import pytest

from gql_media.gc_tuning import tune_gc


@pytest.fixture
def restore_gc() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_tuning_freezes_start_up_and_raises_the_young_threshold(
    restore_gc: None,
) -> None:
    gc.unfreeze()
    tune_gc(50_000)
    assert gc.get_threshold()[0] == 50_000
    assert gc.get_freeze_count() > 0


def test_zero_keeps_python_defaults(restore_gc: None) -> None:
    gc.unfreeze()
    before = gc.get_threshold()
    tune_gc(0)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
