"""The Simulador on a 360-pixel phone, through the formalization assistant: the pipeline opens
a formalization, the invitation template reaches the simulated WhatsApp, and the person playing
the client taps through greeting and opt-in until the journey link arrives. What they tap goes
the real way: the simulator posts to the fake Graph API, whose signed webhook reaches our real
endpoint; the workers' tasks run the flow and send the answers back through the fake."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from formaliza.conversations.tests.conftest import fake_api  # noqa: F401
from formaliza.conversations.tests.helpers import deliver, sms_channel
from formaliza.core.ids import sha256_hex
from formaliza.core.testing import failed_tasks, run_queued_tasks
from formaliza.core.testing_browser import page_overflow
from formaliza.flows.tests.assistant_helpers import (
    CLIENT_MOBILE,
    assistant_channel,
    assistant_settings,  # noqa: F401
)
from formaliza.journeys.models import Journey
from formaliza.journeys.tests.helpers import open_formalization

pytestmark = pytest.mark.browser
LINK = re.compile(r"https://formaliza\.test/j/[A-Za-z0-9_-]+")


@pytest.fixture(autouse=True)
def _wired(assistant_settings):  # noqa: F811
    assistant_settings.CONVERSATION_INBOUND_HANDLERS = [
        "formaliza.flows.tasks.flow_inbound_message"
    ]


def until_the_chat_shows(page, fake, text: str) -> None:
    """Play the workers (deliver what the fake provider posts, run the queued tasks) until the
    simulator's chat, which polls every 1.5 s, shows `text`."""
    chat = page.locator("#sim-chat")
    for _ in range(40):
        deliver(fake)
        run_queued_tasks()
        if chat.get_by_text(text).count():
            break
        page.wait_for_timeout(250)
    expect(chat.get_by_text(text).last).to_be_visible()


def test_the_simulator_plays_the_client_of_the_assistant_on_a_phone(
    new_page,
    kit,
    make_input,
    fake_api,  # noqa: F811
):
    sms_channel(kit.tenant, fake_api, name="SMS")  # sorts before WhatsApp: not the default
    channel = assistant_channel(kit.tenant, fake_api)
    open_formalization(kit, make_input, count=1, mobile=CLIENT_MOBILE)
    run_queued_tasks()  # journey_start -> the invitation template through the fake
    journey = Journey.objects.get()

    page = new_page("phone", user=kit.users["manager"])
    page.goto("/conversas/simulador/")
    expect(page.get_by_label("Canal simulado")).to_have_value(str(channel.pk))
    page.get_by_label("Telefone do cliente (com DDD)").fill(CLIENT_MOBILE)
    page.get_by_label("Nome no WhatsApp").fill(journey.client_name)
    page.get_by_role("button", name="Abrir conversa").click()
    expect(page.locator("#simulator")).to_contain_text(channel.name)
    until_the_chat_shows(page, fake_api, "Para iniciar é só responder SIM")

    page.get_by_label("Mensagem").fill("SIM")
    page.get_by_role("button", name="Enviar").click()
    until_the_chat_shows(page, fake_api, "Sim, autorizo")
    page.locator("#sim-chat").get_by_role("button", name="Sim, autorizo").click()
    until_the_chat_shows(page, fake_api, "https://formaliza.test/j/")

    token = LINK.search(page.locator("#sim-chat").inner_text()).group(0).rsplit("/j/", 1)[1]
    current = journey.links.get(revoked_at=None)  # the link the client got is the live one
    assert current.token_hash == sha256_hex(token)
    assert page_overflow(page) == 0
    assert failed_tasks() == []
    assert fake_api.refused == []
