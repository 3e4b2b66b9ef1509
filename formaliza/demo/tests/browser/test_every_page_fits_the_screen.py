"""Every back-office page, on the demo data, fits a 360-pixel phone (and a desktop): nothing
makes the whole page scroll sideways (wide tables scroll inside their card). The pages come from the URL
configuration (formaliza/core/testing_urls.py) and their objects from the builder registry
(formaliza/demo/tests/pages.py), so a new page is checked the day it is added."""

from __future__ import annotations

import pytest

from formaliza.core.testing_browser import page_overflow
from formaliza.core.testing_urls import backoffice_routes
from formaliza.demo.tests.pages import BUILDERS, World, visit_of

pytestmark = pytest.mark.browser


def visits(world: World) -> dict[str, str]:
    """The URL to open for each back-office route; fails naming every route it cannot build."""
    routes = backoffice_routes()
    missing = [r.name for r in routes if r.params and r.name not in BUILDERS]
    assert not missing, (
        "Back-office pages with path parameters and no builder in formaliza/demo/tests/pages.py "
        f"(add one with @builds): {', '.join(missing)}"
    )
    return {r.name: visit_of(r.name, world).url(r.name) for r in routes}


def test_the_builder_registry_names_only_real_routes(db):
    names = {r.name for r in backoffice_routes()}
    assert set(BUILDERS) - names == set()


def test_no_backoffice_page_scrolls_sideways_on_a_phone_or_a_desktop(new_page):
    world = World()
    urls = visits(world)
    phone = new_page("phone", user=world.admin)
    not_ok, pages = [], []
    for name, url in urls.items():
        response = phone.request.get(url)
        if response.status != 200:
            not_ok.append(f"{name} {url} → {response.status}")
        elif response.headers.get("content-type", "").startswith("text/html"):
            pages.append(url)  # the others are downloads and JSON polls: nothing to lay out
    assert not not_ok, "pages that did not open: " + "; ".join(not_ok)
    assert len(pages) >= 45, pages
    for size, page in (("phone", phone), ("desktop", new_page("desktop", user=world.admin))):
        too_wide = []
        for url in pages:
            page.goto(url)
            if overflow := page_overflow(page):
                too_wide.append(f"{url} ({page.viewport_size['width'] + overflow} px)")
        assert not too_wide, f"pages wider than the {size}'s screen: " + ", ".join(too_wide)
