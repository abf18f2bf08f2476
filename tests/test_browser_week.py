"""The week's page in a real browser: headless Chromium and axe-core (WCAG 2.1 AA), as
tests/test_browser.py checks the morning page (same browser session, same rules: skipped
locally without Chromium, a failure under CI=true)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from tests.test_browser import axe_violations, describe, driver, horizontal_overflow, open_page
from tests.test_followups import MORNING, cli, demo_config
from tests.test_week import WEEK, hostile_drop

pytestmark = pytest.mark.slow
__all__ = ["driver"]  # the session's browser fixture, shared with tests/test_browser.py

runner = CliRunner()


@pytest.fixture(scope="module")
def week_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo history with hostile guard reports: a morning and its week in one site."""
    home = tmp_path_factory.mktemp("browser-week")
    cfg = demo_config(home, hostile_drop(home))
    site = home / "intranet"
    cli(cfg, "today", "-f", "json", *MORNING, "--site", str(site))
    cli(cfg, "week", *WEEK, "--site", str(site))
    return site


def test_week_page_has_no_wcag_violations(driver: Any, week_site: Path) -> None:
    open_page(driver, week_site / "2023-W23.html")
    assert driver.title == "Lägesbild vecka 23 2023, Järfälla"
    violations = axe_violations(driver)
    assert violations == [], describe(violations)
    assert driver.execute_script("return document.querySelectorAll('script').length") == 0
    assert driver.execute_script("return document.querySelectorAll('svg.district-map').length")


def test_week_page_reflows_and_is_reached_from_the_index(driver: Any, week_site: Path) -> None:
    open_page(driver, week_site / "index.html")
    driver.find_element("link text", "Vecka 23, 2023").click()
    assert driver.current_url.endswith("/2023-W23.html")
    open_page(driver, week_site / "2023-W23.html", 320)
    assert horizontal_overflow(driver) <= 0
    text = driver.execute_script("return document.body.innerText")
    assert '=HYPERLINK("https://evil.example/x"' in text  # shown as text, not a link
    hrefs = driver.execute_script("return [...document.links].map(a => a.protocol)")
    assert set(hrefs) <= {"file:"}, hrefs


def test_demo_week_page_without_a_site_has_no_violations(driver: Any, tmp_path: Path) -> None:
    page = tmp_path / "week.html"
    result = runner.invoke(app, ["week", "--demo", "-f", "html", "-o", str(page)])
    assert result.exit_code == 0, result.stderr
    open_page(driver, page)
    violations = axe_violations(driver)
    assert violations == [], describe(violations)
