"""Playwright on Debian's Chromium: the journeys' browser fixtures (mobile 360×740 `phone`)
plus desktop contexts signed in as a given user for the back office."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from formaliza.journeys.tests.browser.conftest import MOBILE, chromium, phone  # noqa: F401


@pytest.fixture
def desk(chromium, live_server):  # noqa: F811
    """desk(user) -> a desktop page signed in as `user` (its own cookies)."""
    contexts = []

    def open_as(user):
        client = Client()
        client.force_login(user)
        context = chromium.new_context(
            viewport={"width": 1280, "height": 900}, locale="pt-BR", base_url=live_server.url
        )
        context.add_cookies([{
            "name": django_settings.SESSION_COOKIE_NAME, "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        }])  # fmt: skip
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_as
    for context in contexts:
        context.close()


assert MOBILE["viewport"] == {"width": 360, "height": 740}
