"""The client's pages: unknown or expired links are the same 404, a rotated agent link ends."""

from __future__ import annotations

import datetime as dt

import time_machine

from formaliza.cases import services
from formaliza.cases.models import ClientDocument
from formaliza.cases.tests.helpers import agent_of, saved_case


def test_unknown_links_are_404(client, db):
    assert client.get("/c/nao-existe/").status_code == 404
    assert client.get("/c/acesso/abc/").status_code == 404
    assert client.get("/c/documentos/").status_code == 404
    assert client.get("/c/calculo/").status_code == 404


def test_an_expired_documents_link_opens_nothing(kit, client):
    case = saved_case(kit)
    url = services.client_access_url(client=case.client)
    path = "/c/" + url.split("/c/", 1)[1]
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31)):
        assert client.get(path).status_code == 404
        assert client.post("/c/documentos/", {}).status_code == 404
    assert not ClientDocument.objects.exists()


def test_rotating_the_agents_link_ends_the_old_one(kit, client):
    old = services.agent_profile_ensure(user=agent_of(kit)).signup_token
    assert client.get(f"/c/{old}/").status_code == 302
    services.agent_profile_update(user=agent_of(kit), phone="", rotate_link=True)
    assert client.get(f"/c/{old}/").status_code == 404
    assert client.get("/c/calculo/").status_code == 404  # the session's link no longer works
