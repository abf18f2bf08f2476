"""The collector held off while a briefing is judged, and as it was after."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from briefing.judge import collector


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    (gc.enable if enabled else gc.disable)()


class _Node:
    other: _Node | None = None


def test_no_collection_inside_and_cycles_collected_after() -> None:
    gc.enable()
    with collector.held_off():
        assert not gc.isenabled()
        a, b = _Node(), _Node()
        a.other, b.other = b, a  # a cycle: only the collector frees it
        alive = weakref.ref(a)
        del a, b
        for _ in range(3):
            [object() for _ in range(10_000)]  # would trigger passes if enabled
        assert alive() is not None
    assert gc.isenabled()
    gc.collect()
    assert alive() is None


def test_enabled_again_after_an_error() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), collector.held_off():
        raise RuntimeError("a source's broken record")
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off() -> None:
    gc.disable()
    with collector.held_off():
        pass
    assert not gc.isenabled()
