"""Where a user lands after signing in (and on `/`): the first page their role may open."""

import pytest
from django.test import Client

from conftest import PASSWORD


@pytest.mark.parametrize(
    ("role", "landing"),
    [("admin", "/esteira/"), ("correspondent", "/esteira/"), ("attendant", "/atendimento/")],
)
def test_each_role_lands_on_the_first_page_of_its_menu(kit, role, landing):
    client = Client()
    response = client.post(
        "/conta/entrar/", {"username": kit.users[role].email, "password": PASSWORD}
    )
    assert (response.status_code, response["Location"]) == (302, landing)
    assert client.get("/")["Location"] == landing
    assert client.get(landing).status_code == 200


def test_a_next_page_wins_over_the_landing_page(kit):
    response = Client().post(
        "/conta/entrar/?next=/historico/",
        {"username": kit.users["attendant"].email, "password": PASSWORD, "next": "/historico/"},
    )
    assert response["Location"] == "/historico/"


def test_anonymous_visitors_of_the_root_are_asked_to_sign_in(db):
    assert Client().get("/")["Location"] == "/conta/entrar/?next=/"
