"""Browser journeys: Playwright for Python driving Debian's chromium against the real local stack.

The stack is the e2e tier's (tests/support/local_stack.py: `make dev` in a subprocess on free ports,
web client included; one for both tiers when the tier runner starts it). Playwright's own browser
download cannot work here, so the tests use /usr/bin/chromium (`make test` installs the `chromium`
package when it is missing). Each step saves a screenshot under tests/artifacts/, and `axe_check`
runs axe-core in the page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.local_stack import LocalStack, tier_stack

CHROMIUM = Path("/usr/bin/chromium")
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
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    """The tier's stack (FLINT_E2E_API...), else one of this session's own. FLINT_BROWSER_WEB +
    FLINT_BROWSER_API point the tests at an already running `make dev` instead."""
    web, api = os.environ.get("FLINT_BROWSER_WEB"), os.environ.get("FLINT_BROWSER_API")
    if web and api:
        yield LocalStack(api, requests.get(f"{api}/config", timeout=10).json(), web)
        return
    with tier_stack() as stack:
        yield stack


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("chromium is not installed: run `apt-get install -y chromium` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Journey:
    """One browser context (one visitor) with screenshots and page checks."""

    def __init__(self, stack: LocalStack, context: Any, name: str):
        self.stack = stack
        self.context = context
        self.page = context.new_page()
        self.name = name
        self.step = 0
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.set_default_timeout(40_000)  # generous: the tier runs beside CPU-bound tier 1
        # The page's API calls in flight, for `settled()`
        self._fetching: set[Any] = set()
        self.page.on("request", lambda r: r.resource_type in ("fetch", "xhr") and self._fetching.add(r))
        self.page.on("requestfinished", lambda r: self._fetching.discard(r))
        self.page.on("requestfailed", lambda r: self._fetching.discard(r))

    def open(self, route: str = "/") -> None:
        self.page.goto(f"{self.stack.web}/#{route}")

    def sign_in(self, email: str, password: str) -> None:
        self.open("/signin")
        self.page.get_by_label("E-mail").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()

    def settled(self, quiet_ms: int = 500) -> None:
        """Wait until the page has made no API call for `quiet_ms`: every section of the page has
        loaded. (Playwright's "networkidle" is no help here: it fires once per document, and the
        app's pages are hash routes of one document, so it returns at once.)"""
        quiet, waited = 0, 0
        while quiet < quiet_ms:
            assert waited < 40_000, f"still loading: {sorted(r.url for r in self._fetching)}"
            self.page.wait_for_timeout(100)  # the request events arrive while Playwright waits
            quiet, waited = (0 if self._fetching else quiet + 100), waited + 100

    def shot(self, label: str) -> Path:
        self.step += 1
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{self.step:02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower())}.png"
        self.page.screenshot(path=str(path))
        return path

    def axe(self) -> list[dict[str, Any]]:
        """Serious or critical accessibility violations on the current page."""
        if not self.page.evaluate("() => Boolean(window.axe)"):
            self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result
            if v["impact"] in ("serious", "critical")
        ]


@pytest.fixture
def journey(browser: Any, local_stack: LocalStack, request: pytest.FixtureRequest) -> Iterator[Any]:
    """`journey(viewport)` -> a fresh visitor; contexts are closed after the test."""
    contexts = []

    def make(viewport: dict[str, int] = DESKTOP, suffix: str = "", strict_csp: bool = False) -> Journey:
        # The harness injects axe and evaluates string predicates, which the site's CSP forbids
        # (script-src 'self', no eval); one journey keeps the policy on to prove the site needs no more.
        context = browser.new_context(viewport=viewport, device_scale_factor=1, bypass_csp=not strict_csp)
        contexts.append(context)
        return Journey(local_stack, context, request.node.name.removeprefix("test_") + suffix)

    yield make
    for context in contexts:
        context.close()
