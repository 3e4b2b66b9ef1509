"""The back office's menu: settings.NAVIGATION's areas, filtered by the user's permissions,
with the current page marked, and entries not yet placed in an area shown last."""

from django.conf import settings as django_settings
from django.test import RequestFactory

from formaliza.core.context_processors import navigation


def menu(user, path="/esteira/") -> list[tuple[str, list[str]]]:
    request = RequestFactory().get(path)
    request.user = user
    return [(g.label, [i.label for i in g.items]) for g in navigation(request)["nav"]]


def test_the_menu_groups_every_entry_by_area(kit):
    groups = menu(kit.users["admin"])
    areas = [(label, entries) for label, entries in django_settings.NAVIGATION]
    assert [label for label, _ in groups] == [label for label, _ in areas]
    assert [label for label, _ in areas[:3]] == ["Formalização", "Atendimento", "Histórico e envio"]
    assert [len(items) for _, items in groups] == [len(entries) for _, entries in areas]
    assert dict(groups)["Atendimento"] == ["Caixa de atendimento", "Conversas", "Simulador"]


def test_a_role_sees_only_the_areas_and_entries_it_may_open(kit):
    assert menu(kit.users["attendant"]) == [("Atendimento", ["Caixa de atendimento", "Conversas"])]
    correspondent = dict(menu(kit.users["correspondent"]))
    assert correspondent == {
        "Formalização": ["Esteira", "Nova proposta", "Formalizações"],
        "Atendimento": ["Conversas"],
        "Histórico e envio": ["Histórico", "Portal de Envio"],
    }


def test_the_most_specific_entry_holding_the_page_is_current(kit):
    request = RequestFactory().get("/esteira/formalizacoes/abc/")
    request.user = kit.users["admin"]
    groups = navigation(request)["nav"]
    current = [(g.label, i.label) for g in groups for i in g.items if i.active]
    assert current == [("Formalização", "Formalizações")]
    assert [g.label for g in groups if g.active] == ["Formalização"]


def test_an_entry_outside_any_area_shows_in_a_last_group_and_unknown_urls_are_left_out(
    kit, settings
):
    settings.NAVIGATION = [
        ("Formalização", [("Esteira", "proposals:pipeline", "proposal.view")]),
        ("Nada", "app_inexistente:lista", None),  # an app not installed here: no URL
        ("Webhooks", "webhooks:deliveries", None),
    ]
    assert menu(kit.users["correspondent"]) == [
        ("Formalização", ["Esteira"]),
        ("Outros", ["Webhooks"]),
    ]


def test_anonymous_visitors_get_no_menu(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/conta/entrar/")
    request.user = AnonymousUser()
    assert navigation(request) == {"nav": []}
