"""Browser fixtures: the app served by waitress on a loopback port, and headless Chromium.

Chromium is Debian's /usr/bin/chromium (scripts/install-test-deps.sh installs it); a missing
browser fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from waitress import wasyncore
from waitress.server import create_server

CHROMIUM = os.environ.get("EWARUNG_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TABLET_SIZES = {"landscape": (1280, 800), "portrait": (800, 1280)}
LAYOUT_JS = (Path(__file__).parent / "layout_problems.js").read_text()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage",
                 # a camera that shows a test pattern, allowed without a prompt
                 "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-test-deps.sh", pytrace=False)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class LiveServer:
    """The app with a real WSGI server (on 127.0.0.1 unless told), in a thread of the test
    process."""

    def __init__(self, app: Any, host: str = "127.0.0.1") -> None:
        self.server = create_server(app, host=host, port=0, threads=4)
        self.url = f"http://{host}:{self.server.effective_port}"  # type: ignore[union-attr]
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        """Close the server from inside its own loop: closing its sockets from this thread
        races the loop's select, which then fails with EBADF in the server's thread."""
        server = self.server

        def close_inside() -> None:
            server.task_dispatcher.shutdown()
            wasyncore.close_all(server._map)  # an empty map ends the loop

        server.trigger.pull_trigger(close_inside)  # type: ignore[union-attr]
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app: Any) -> Iterator[LiveServer]:
    """The app served over HTTP."""
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def tablet(browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
           ) -> Iterator[Page]:
    """A page at landscape tablet size; records requests that leave the server's origin."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True,
                                  base_url=live_server.url, locale="id-ID")
    page = context.new_page()
    page.foreign_requests = []  # type: ignore[attr-defined]
    page.on("request", lambda r: None if r.url.startswith((live_server.url, "data:", "blob:"))
            else page.foreign_requests.append(r.url))  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
    yield page
    context.close()


def screenshot(page: Page, name: str) -> None:
    """Keep a screenshot as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in_with_pin(page: Page, full_name: str, pin: str) -> None:
    """Tap the cashier's tile and the PIN on the pad."""
    page.goto("/login")
    page.get_by_text(full_name, exact=True).click()
    for digit in pin:
        page.click(f".pinpad .key[data-key='{digit}']")
    page.click(".pinpad .key[data-key='OK']")


def sign_in_with_password(page: Page, username: str, password: str) -> None:
    """Open the password form and sign in."""
    page.goto("/login")
    page.click(".password-login summary")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click(".password-login button[type=submit]")


def layout_problems(page: Page) -> list[str]:
    """Horizontal scrolling, and visible controls smaller than 44 px."""
    return page.evaluate(LAYOUT_JS)
