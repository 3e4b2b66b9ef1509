"""The back office's menu in a real browser: on a phone it collapses behind one button (with
aria-expanded, usable from the keyboard), it still works without JavaScript, and on a desktop
each area is a drop-down, one open at a time."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_on_a_phone_the_menu_collapses_behind_one_button(new_page, kit):
    page = new_page("phone", user=kit.users["admin"])
    page.goto("/esteira/")
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Esteira", exact=True)).to_be_hidden()
    assert page.locator("#topbar").bounding_box()["height"] < 70

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    current = page.get_by_role("link", name="Esteira", exact=True)
    expect(current).to_be_visible()  # the current page's area opens with the menu
    expect(current).to_have_attribute("aria-current", "page")
    page.locator("summary", has_text="Histórico e envio").click()
    page.get_by_role("link", name="Portal de Envio").click()

    expect(page).to_have_url(f"{page.url.split('/historico/')[0]}/historico/portal/")
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")


def test_on_a_phone_the_menu_works_from_the_keyboard(new_page, kit):
    page = new_page("phone", user=kit.users["admin"])
    page.goto("/esteira/")
    toggle = page.get_by_role("button", name="Menu")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")

    page.keyboard.press("Tab")  # the first area, already open: its first entry is next
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Esteira"
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("document.activeElement.className") == "menu-toggle"

    page.keyboard.press("Enter")
    for _ in range(1 + 1 + 7):  # the area "Formalização", its seven entries, the next area
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Atendimento"
    page.keyboard.press("Enter")  # opens it
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Atendimento")


def test_without_javascript_the_menu_is_shown_by_area_and_each_area_opens(new_page, kit):
    page = new_page("phone", user=kit.users["admin"], javascript=False)
    page.goto("/esteira/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    areas = page.locator("#menu summary")
    expect(areas).to_have_text([label for label, _ in settings.NAVIGATION])
    expect(page.get_by_role("link", name="Usuários")).to_be_hidden()
    areas.filter(has_text="Configuração").click()
    page.get_by_role("link", name="Usuários").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Usuários")


def test_on_a_desktop_each_area_is_a_drop_down_one_open_at_a_time(new_page, kit):
    page = new_page("desktop", user=kit.users["admin"])
    page.goto("/esteira/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    formalization = page.locator("details.nav-group", has_text="Formalização")
    settings_area = page.locator("details.nav-group", has_text="Configuração")
    formalization.locator("summary").click()
    expect(page.get_by_role("link", name="Jornadas")).to_be_visible()
    settings_area.locator("summary").click()
    expect(page.get_by_role("link", name="Jornadas")).to_be_hidden()
    expect(page.get_by_role("link", name="Chaves de API")).to_be_visible()

    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Chaves de API")).to_be_hidden()
    assert page.evaluate("document.activeElement.textContent") == "Configuração"
    settings_area.locator("summary").click()
    page.get_by_role("heading", level=1).click()  # anywhere else
    expect(page.get_by_role("link", name="Chaves de API")).to_be_hidden()
    expect(formalization).to_have_class("nav-group current")
