"""The fake platforms' own bookkeeping that other tests rely on."""

from tests.publishing.fakes.server import FakePlatform, Request


def _at(*times: float) -> FakePlatform:
    platform = FakePlatform()
    for at in times:
        platform.requests.append(("x", Request("GET", "/", {}, {}, received_at=at)))
    return platform


def test_busiest_second_counts_a_sliding_one_second_window() -> None:
    assert _at().busiest_second() == 0
    # Windows are [t, t + 1): 0.5, 0.99 and 1.0 share one; 0.5 and 1.5 do not.
    assert _at(0.0, 0.5, 0.99, 1.0, 1.5).busiest_second() == 3
    assert _at(0.0, 1.0, 2.0, 3.0).busiest_second() == 1
    assert _at(5.0, 5.0, 5.0).busiest_second() == 3
