"""The cases' browser tests use the shared back-office fixtures (formaliza/core/testing_browser.py):
`phone` (360×740) for the client and `desk(user)` for agents and staff."""

from __future__ import annotations

import pytest


@pytest.fixture
def desk(new_page):
    """desk(user) -> a desktop page signed in as `user` (its own cookies)."""
    return lambda user: new_page("desktop", user=user)
