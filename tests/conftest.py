"""Shared fixtures. Tests never touch the internet and never use ../shared."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
_numbers = itertools.count()


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def _homes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("homes")


@pytest.fixture(autouse=True)
def _isolated_home(_homes: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own state folder, so nothing leaks between tests or into $HOME.

    The folder is named, not made: the store makes it when a test needs it, and most
    tests never do (a tmp_path for each of ~900 tests costs seconds).
    """
    home = _homes / f"home-{next(_numbers)}"
    monkeypatch.setenv("BRIEFING_HOME", str(home))
    monkeypatch.delenv("BRIEFING_CONFIG", raising=False)
    return home
