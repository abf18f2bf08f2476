"""The intranet page in a real browser: headless Chromium, with axe-core checking WCAG 2.1 AA.

Needs Debian's `chromium` and `chromium-driver` and axe-core from npm in
tests/browser/node_modules (`npm ci --prefix tests/browser`); `.ci/run`
installs all three. Without them the tests skip, except under CI=true, where
a missing browser is a failure: CI must never pass by skipping them.

One browser serves the whole session. Selenium gets the driver's path, so
Selenium Manager never runs (it would try the network), and Chromium resolves
no host at all, so the pages are checked exactly as they are on disk.
Regenerate the README's screenshot with BRIEFING_REGEN_SCREENSHOT=1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from briefing.deliver.site import write_site
from tests.test_site import PWN, build_two_mornings, hostile_briefing

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOT = ROOT / "docs" / "briefing-page.png"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars",
    "--window-size=1100,1400",
)


def _missing() -> str | None:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        return "needs Debian's chromium and chromium-driver (apt-get install chromium-driver)"
    if not AXE.is_file():
        return f"needs axe-core in {AXE.parent} (npm ci --prefix tests/browser)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "needs selenium (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: in CI the browser tests must run, not skip")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path_factory.mktemp("chromium")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile / 'profile'}"):
        options.add_argument(flag)
    # Chromium writes crash reports and dconf into $HOME despite --user-data-dir.
    env = {**os.environ, "XDG_CONFIG_HOME": str(profile), "XDG_CACHE_HOME": str(profile)}
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER), env=env), options=options)
    browser.set_page_load_timeout(20)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser-site") / "intranet"
    build_two_mornings(folder)
    return folder


def open_page(driver: Any, path: Path, width: int = 1100) -> None:
    driver.set_window_size(width, 1400)
    driver.get(path.as_uri())


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the loaded page (axe is injected each time)."""
    driver.execute_script(AXE.read_text("utf-8"))
    result = driver.execute_script(
        "return axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
        " resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes']][:5]}"
        for v in violations
    )


def horizontal_overflow(driver: Any) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    overflow: int = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return overflow


@pytest.mark.parametrize("name", ["index.html", "2023-06-07.html"])
def test_demo_site_has_no_wcag_violations(driver: Any, demo_site: Path, name: str) -> None:
    open_page(driver, demo_site / name)
    assert driver.title.startswith("Säkerhetsbriefing Järfälla — ")
    violations = axe_violations(driver)
    assert violations == [], describe(violations)


@pytest.mark.parametrize("width", [640, 320])
def test_page_reflows_at_200_and_400_percent_zoom(driver: Any, demo_site: Path, width: int) -> None:
    # 640 and 320 CSS pixels are what a 1280 pixel wide window shows at 200 % and 400 %.
    open_page(driver, demo_site / "index.html", width)
    assert horizontal_overflow(driver) <= 0
    map_width = driver.execute_script(
        "return document.querySelector('svg.district-map').getBoundingClientRect().width"
    )
    assert 0 < map_width <= width


def test_screenshot_of_the_index_is_not_empty(driver: Any, demo_site: Path) -> None:
    open_page(driver, demo_site / "index.html")
    png = driver.get_screenshot_as_png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    visible = driver.execute_script("return document.body.innerText")
    assert "Översikt per kommundel" in visible and "Arkiv: tidigare morgnar" in visible
    if os.environ.get("BRIEFING_REGEN_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        SCREENSHOT.write_bytes(png)


def test_hostile_feed_text_runs_no_script_and_stays_accessible(driver: Any, tmp_path: Path) -> None:
    write_site(hostile_briefing(), tmp_path)
    for name in ("index.html", "2023-06-08.html"):
        open_page(driver, tmp_path / name)
        assert driver.title != "PWNED"
        assert driver.title.startswith("Säkerhetsbriefing Järfälla")
        assert driver.execute_script("return document.querySelectorAll('img, script').length") == 0
        hrefs = driver.execute_script("return [...document.links].map(a => a.protocol)")
        assert set(hrefs) <= {"https:", "file:"}, hrefs  # file: the site's own pages
        text = driver.execute_script("return document.body.innerText")
        assert "<img src=x onerror=" in text  # shown to the reader, as text
        violations = axe_violations(driver)
        assert violations == [], describe(violations)


def test_the_no_script_check_can_fail(driver: Any, tmp_path: Path) -> None:
    # The same markup unescaped and without the page's CSP does run: so the check above is real.
    page = tmp_path / "unsafe.html"
    page.write_text(f'<title>ok</title><img src="x" onerror="{PWN}">', "utf-8")
    open_page(driver, page)
    driver.execute_script("return new Promise(done => setTimeout(done, 50))")
    assert driver.title == "PWNED"


def test_axe_reports_violations_on_a_bad_page(driver: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><title>bad</title></head><body>"
        '<img src="chart.png"><p style="color:#bbb;background:#fff">pale text</p>'
        '<a href="/somewhere"></a></body></html>',
        "utf-8",
    )
    open_page(driver, bad)
    found = {v["id"] for v in axe_violations(driver)}
    assert {"html-has-lang", "image-alt", "color-contrast", "link-name"} <= found


def test_keyboard_reaches_the_skip_link_first_and_sees_focus(driver: Any, demo_site: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    open_page(driver, demo_site / "index.html")
    ActionChains(driver).send_keys(Keys.TAB).perform()
    focused = driver.execute_script(
        "const a = document.activeElement, r = a.getBoundingClientRect();"
        "const s = getComputedStyle(a);"
        "return [a.getAttribute('href'), r.left >= 0 && r.width > 0,"
        " s.outlineStyle, s.outlineWidth]"
    )
    assert focused == ["#main", True, "solid", "3px"]
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    assert driver.current_url.endswith("#main")


def test_print_shows_the_briefing_without_the_navigation(driver: Any, demo_site: Path) -> None:
    open_page(driver, demo_site / "index.html")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        hidden = driver.execute_script(
            "return ['nav.site', '.skip', 'main'].map(s => getComputedStyle("
            "document.querySelector(s)).display)"
        )
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert hidden == ["none", "none", "block"]
    assert pdf["data"]
