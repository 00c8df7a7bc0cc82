"""Browser-test fixtures: Debian's headless Chromium driven by Playwright, a live server, a page per role.

Playwright's sync API runs an event loop in the test thread; Django's async
safety check would then refuse database access from the same thread, so it is
lifted here for these tests only (the live server itself runs in its own thread).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "e2e"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        pytest.fail("Debian's chromium is not installed: run `make browser` (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo_data(transactional_db, settings) -> None:
    """The demo data of `manage.py seed_demo`, with the demo password known to the tests."""
    settings.DEMO_PASSWORD = "demo-e2e-password"
    call_command("seed_demo", "--force", verbosity=0)


# What axe-core (bundled in axe-playwright-python, nothing downloaded) may not find on any page a journey visits.
AXE_REFUSED_IMPACTS = ("serious", "critical")
# Downloads and API answers are no pages to audit.
NOT_PAGES = (".xlsx", ".docx", ".pdf", ".png", ".txt", "/download/", "/export", "/healthz", "/ping")


def page_address(url: str, base: str) -> str | None:
    """The address of a visited page on the live server, without its fragment; None for anything else."""
    if not url.startswith(base):
        return None
    address = url[len(base) :].split("#", 1)[0] or "/"
    return None if any(part in address for part in NOT_PAGES) else address


def axe_audit(context, addresses: list[str]) -> list[str]:
    """Each address opened again in the journey's own browser context (same user, same language, same
    viewport) and checked by axe-core; the serious and critical violations, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    axe, found = Axe(), []
    page = context.new_page()
    for address in addresses:
        # "load", not "networkidle": a page that polls (the unit's worklist) never goes quiet.
        page.goto(address, wait_until="load")
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in AXE_REFUSED_IMPACTS:
                targets = [node["target"] for node in violation["nodes"][:3]]
                found.append(f"{address}: {violation['id']} ({violation['impact']}) {targets}")
    page.close()
    return found


@pytest.fixture
def new_page(browser, live_server, transactional_db) -> Iterator[Callable]:
    """Opens fresh Chinese-language pages (one browser context each) against the live server.

    Every page a test opens is afterwards checked by axe-core in the same context: no serious or critical
    accessibility violation. The check runs after the test, on the data the test left (the database is
    kept until then: this fixture asks for it before the test's own data fixtures).
    """
    contexts = []
    csp_errors: list[str] = []
    visited: dict = {}

    def make(viewport: dict | None = None):
        context = browser.new_context(
            viewport=viewport or DESKTOP,
            locale="zh-CN",
            base_url=live_server.url,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        addresses = visited.setdefault(context, [])

        def remember(frame) -> None:
            address = page_address(frame.url, live_server.url) if frame.parent_frame is None else None
            if address and address not in addresses:
                addresses.append(address)

        page = context.new_page()
        page.on("console", lambda message: csp_errors.append(message.text) if message.type == "error" else None)
        page.on("framenavigated", remember)
        return page

    yield make
    # drf-spectacular's Swagger UI page (/api/docs/) is its own template, whose <html> carries no lang:
    # not ours to fix here; every page of ours is checked.
    ours = {context: [a for a in visited[context] if not a.startswith("/api/docs/")] for context in contexts}
    violations = [line for context in contexts for line in axe_audit(context, ours[context])]
    for context in contexts:
        context.close()
    assert not violations, "axe-core found serious or critical accessibility violations:\n" + "\n".join(violations)
    # Every page ran under the site's Content-Security-Policy: nothing may have been refused.
    refused = [text for text in csp_errors if "Content Security Policy" in text or "Refused to" in text]
    assert not refused, f"the browser refused something under the CSP: {refused[:3]}"


@pytest.fixture
def login(new_page, demo_data, settings) -> Callable:
    """login("chencheng") returns a page signed in as that demo account."""

    def sign_in(username: str, viewport: dict | None = None):
        page = new_page(viewport)
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", settings.DEMO_PASSWORD)
        page.click("button[type=submit], input[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return sign_in


def screenshot(page, name: str) -> Path:
    """Saves a full-page PNG under var/e2e/ for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
