"""``sim report`` in a real browser: Chromium from the OS packages, driven by Playwright.

The report must load with no console error and no network request, draw its charts, show a
tooltip on hover, show an act's source on click, toggle series, and show both runs of a
fork. Screenshots go to ``SIM_SCREENSHOTS`` (default: the test's temporary directory) for a
person to look at.

Where no browser can be installed the tests skip with the reason; under CI (``CI`` set)
they fail instead, because ``.ci/run`` installs Chromium and a skip would hide a report
that no longer works.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.report_helpers import run_into, sim

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    path = _chromium()
    if path is None:
        _unavailable("no Chromium here: apt-get install -y chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = Path(os.environ.get("SIM_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    where.mkdir(parents=True, exist_ok=True)
    return where


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("reports")
    history = run_into(root, "history-2016-2022")
    fork = run_into(root, "what-if-stockholm-2021")
    spiral = run_into(root, "tit-for-tat-spiral")
    out = {"single": root / "spiral.html", "fork": root / "fork.html"}
    for name, dirs in (("single", [spiral]), ("fork", [fork, history])):
        code, _, err = sim("report", *dirs, "--out", out[name])
        assert code == 0, err
    return out


class Page:
    """A loaded report page with what it logged and requested."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("#staffing-chart[data-rendered='true']", timeout=30_000)

    def remote(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]


@pytest.fixture
def fork_page(browser: Any, reports: dict[str, Path]) -> Iterator[Page]:
    page = Page(browser, reports["fork"])
    yield page
    page.page.close()


def test_loads_offline_with_no_error_and_draws_its_charts(
    browser: Any, reports: dict[str, Path], shots: Path
) -> None:
    page = Page(browser, reports["single"])
    try:
        assert page.errors == [] and page.remote() == []
        paths = page.page.locator("#staffing-chart .scatterlayer path.js-line")
        assert paths.count() >= 2
        assert all(len(paths.nth(i).get_attribute("d") or "") > 100 for i in range(2))
        graph = page.page.locator("img.graph").first
        assert graph.evaluate("img => img.complete && img.naturalWidth > 500")
        page.page.screenshot(path=shots / "report-top.png")
        page.page.locator("#graph").scroll_into_view_if_needed()
        page.page.screenshot(path=shots / "report-graph.png")
    finally:
        page.page.close()


def test_hover_shows_the_date_and_the_counts(fork_page: Page, shots: Path) -> None:
    page = fork_page.page
    page.locator("#staffing").scroll_into_view_if_needed()
    area = page.locator("#staffing-chart .nsewdrag").first.bounding_box()
    page.mouse.move(area["x"] + area["width"] * 0.3, area["y"] + area["height"] * 0.5)
    tooltip = page.locator("#staffing-chart .hoverlayer")
    page.wait_for_function("document.querySelector('#staffing-chart .hoverlayer').textContent.length > 0")
    text = tooltip.text_content() or ""
    assert "people" in text and "US mission total" in text
    assert any(year in text for year in ("2017-", "2018-", "2019-")), text
    page.screenshot(path=shots / "report-hover.png")


def test_clicking_an_act_shows_its_source_and_what_it_answered(fork_page: Page, shots: Path) -> None:
    page = fork_page.page
    act = page.locator("li[data-source='documented']").nth(3)
    detail = act.locator("dl.act-detail")
    assert not detail.is_visible()
    act.locator("summary").click()
    assert detail.is_visible()
    text = detail.text_content() or ""
    assert "Source" in text and "Codes" in text
    assert act.locator("a[href^='http']").count() >= 1
    answered = page.locator("li[data-source='documented']:has(a.act-link)").first
    answered.locator("summary").click()
    answered.locator("a.act-link").first.click()
    assert page.locator("li:target details[open]").count() == 1
    act.scroll_into_view_if_needed()
    page.screenshot(path=shots / "report-act.png")


def test_toggles_show_and_hide_missions_and_roles(fork_page: Page) -> None:
    page = fork_page.page

    def shown() -> list[dict[str, str]]:
        return page.evaluate(
            "Array.from(document.getElementById('staffing-chart').data)"
            ".filter(t => t.visible === true).map(t => t.meta)"
        )

    before = shown()
    assert {m["role"] for m in before} == {"total", "acts"}
    page.locator("input[name='role'][value='diplomat']").check()
    assert {m["role"] for m in shown()} == {"total", "acts", "diplomat"}
    page.locator("input[name='mission'][value='US']").uncheck()
    assert {m["mission"] for m in shown()} == {"RU"}


def test_a_fork_report_shows_both_runs(fork_page: Page, shots: Path) -> None:
    page = fork_page.page
    legend = page.locator("#staffing-chart .legend").text_content() or ""
    assert "history-2016-2022" in legend and "what-if-stockholm-2021" in legend
    headings = page.locator("#acts h3").all_text_contents()
    assert [h.split(":")[0] for h in headings] == ["history-2016-2022", "what-if-stockholm-2021"]
    summary = page.locator("#summary").text_content() or ""
    assert "what-if-stockholm-2021 - history-2016-2022" in summary
    assert page.locator("#observed table tbody tr").count() >= 2
    assert page.locator("img.graph").count() == 2
    assert fork_page.errors == [] and fork_page.remote() == []
    page.locator("#summary").scroll_into_view_if_needed()
    page.screenshot(path=shots / "report-fork-summary.png")
