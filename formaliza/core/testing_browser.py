"""Browser-test fixtures for every app: a pytest plugin (registered by the root conftest.py).

Playwright drives Debian's Chromium (/usr/bin/chromium; never `playwright install`) against
pytest-django's live_server: one browser per test session (per xdist worker), a fresh context
(its own cookies) per page. Mark browser tests `@pytest.mark.browser`.

- `phone` / `desktop`: a page in a 360×740 Android phone / a 1280×800 desktop context.
- `new_page(size="phone", user=None, javascript=True)`: more pages in one test, each its own
  context, signed in as `user` when given (a session cookie, no form: fast).
- `sign_in(page, email=..., password=...)`: sign in through the real login form.
- `chromium`: the browser. A test package that needs other Chromium flags (the journey's fake
  camera) overrides it with `launch_chromium(playwright_driver, extra_args=[...])`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "pt-BR",
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 10; SM-A105M) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Mobile Safari/537.36"
    ),
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "pt-BR"}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
TIMEOUT_MS = 30_000  # a loaded 2-core CI machine renders slowly; a wait, not a speed check


@pytest.fixture(scope="session")
def playwright_driver():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-packages.sh (make test does)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread for the whole session;
    # Django would then refuse ORM calls from the tests ("async context"). They are synchronous
    # test code, so the check is turned off for this test process only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        yield playwright


def launch_chromium(playwright, *, extra_args: list[str] = ()):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])


@pytest.fixture(scope="session")
def chromium(playwright_driver):
    browser = launch_chromium(playwright_driver)
    yield browser
    browser.close()


def session_cookie(user, *, url: str) -> dict:
    """A signed-in session for `user` (as the login form would leave it), as a browser cookie."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": url}


def sign_in(page, *, email: str, password: str) -> None:
    """Through the real login form; waits until the browser has left it."""
    page.goto("/conta/entrar/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Senha").fill(password)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(lambda url: "/conta/entrar/" not in url)


@pytest.fixture
def new_page(chromium, live_server) -> Iterator:
    contexts = []

    def open_page(size: str = "phone", *, user=None, javascript: bool = True, **options):
        context = chromium.new_context(
            **SIZES[size], base_url=live_server.url, java_script_enabled=javascript, **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if user is not None:
            context.add_cookies([session_cookie(user, url=live_server.url)])
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_page):
    return new_page("phone")


@pytest.fixture
def desktop(new_page):
    return new_page("desktop")


@pytest.fixture
def phone_without_js(new_page):
    return new_page("phone", javascript=False)


def page_overflow(page) -> int:
    """How many CSS pixels the page is wider than its screen (0 when nothing scrolls sideways).
    A mobile browser widens its layout viewport to fit a too-wide page (innerWidth grows with
    it), so the page is measured against the device's viewport width instead."""
    width = page.viewport_size["width"]
    return max(0, page.evaluate("document.documentElement.scrollWidth") - width)
