"""Shared fixtures. Tests never touch the internet and never use ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own state folder, so nothing leaks between tests or into $HOME."""
    home = tmp_path / "briefing-home"
    monkeypatch.setenv("BRIEFING_HOME", str(home))
    monkeypatch.delenv("BRIEFING_CONFIG", raising=False)
    return home
