"""Fixtures of the web tests: a Chromium for the session and a recorded page per test."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.system_parts import CHROMIUM, chromium_available, require_system_part
from tests.web.browser import CHROMIUM_ARGS, Page


@pytest.fixture(scope="session")
def browser() -> Any:
    require_system_part(
        "Chromium",
        chromium_available(),
        f"the browser tests (-m browser) drive {CHROMIUM} with Playwright; "
        "apt-get install chromium",
    )
    from playwright import sync_api

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def web(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Any:
    """A page in a fresh browser context at 1280 x 900; fails the test on console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = Page(context.new_page(), request.node.name.removeprefix("test_"), live_server.url)
    yield page
    context.close()
    assert page.unexpected_errors() == []
