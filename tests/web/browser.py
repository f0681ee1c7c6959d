"""What the browser tests share: a page that records console errors and saves screenshots.

Screenshots go to ``test-artifacts/browser/`` (``<test>-<step>.png``; ``shots`` saves a step at
1280 and at 400 px wide, ``<test>-<step>-1280.png`` and ``-400.png``).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery"
WIDE, NARROW = 1280, 400


class Page:
    """A browser page that records console errors and saves named screenshots."""

    def __init__(self, page: Any, name: str, base_url: str):
        self.page = page
        self.base_url = base_url
        self.name = name
        self.errors: list[str] = []
        self.allowed_errors: list[str] = []
        page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shot(self, step: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{step}.png"), full_page=True)

    def shots(self, step: str) -> None:
        """The page as it is now at 1280 and at 400 px wide (then back to the width it had)."""
        size = self.page.viewport_size or {"width": WIDE, "height": 900}
        for width in (WIDE, NARROW):
            self.page.set_viewport_size({"width": width, "height": size["height"]})
            self.page.wait_for_timeout(150)  # layout and lazy images settle
            self.page.screenshot(
                path=str(ARTIFACTS / f"{self.name}-{step}-{width}.png"), full_page=True
            )
        self.page.set_viewport_size(size)

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the page is wider than the window (0 when it fits)."""
        return int(
            self.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
        )

    def overflowing(self) -> list[str]:
        """The outermost elements that reach past the window's right edge (for the message of
        a failed overflow check): tag, classes and width."""
        return list(
            self.page.evaluate(
                """() => {
                  const limit = document.documentElement.clientWidth;
                  const found = [];
                  for (const node of document.querySelectorAll("body *")) {
                    const box = node.getBoundingClientRect();
                    if (box.right <= limit + 0.5 || box.width === 0) continue;
                    const parent = node.parentElement.getBoundingClientRect();
                    const outer = node.parentElement !== document.body;
                    if (parent.right > limit + 0.5 && outer) continue;
                    found.push(`${node.tagName.toLowerCase()}.${[...node.classList].join(".")}`
                      + ` (${Math.round(box.left)}..${Math.round(box.right)})`);
                  }
                  return found.slice(0, 8);
                }"""
            )
        )

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.goto(reverse("login"))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("[data-testid=login-form] button[type=submit]")
        self.page.wait_for_url(self.base_url + "/")

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(allowed in e for allowed in self.allowed_errors)]


def add_field(page: Any, index: int, name: str, type_name: str, description: str = "") -> None:
    """Add a field row in the schema editor and fill it."""
    page.click("[data-testid=add-field]")
    row = page.locator("[data-testid=field-row]").nth(index)
    row.locator("[data-testid=field-name]").fill(name)
    row.locator("[data-testid=field-type]").select_option(type_name)
    if description:
        row.locator("[data-testid=field-description]").fill(description)


def wait_until(check: Any, timeout: float = 15.0, interval: float = 0.1) -> Any:
    """Poll ``check()`` from Python until it is truthy (the pages' CSP forbids the string
    predicates ``page.wait_for_function`` evaluates); raises ``AssertionError`` on timeout."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {check}")
        time.sleep(interval)
