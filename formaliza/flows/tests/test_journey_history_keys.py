"""The history's "Número do Contrato" filter finds a journey's conversation by each of its
contracts' numbers as soon as a message of the journey went out (issue 12, gap: journeys must
write the `contract` key)."""

import pytest

from formaliza.accounts.actors import Actor
from formaliza.conversations.models import Conversation, ConversationKey
from formaliza.conversations.services import TemplateInput, message_send_template, template_save
from formaliza.conversations.tests.conftest import fake_api  # noqa: F401
from formaliza.conversations.tests.helpers import whatsapp_channel
from formaliza.core import clock
from formaliza.core.testing import run_queued_tasks
from formaliza.history.selectors import HistoryFilters, history_search
from formaliza.journeys import services as journeys
from formaliza.journeys.adapters.fake import FakeMessenger
from formaliza.journeys.evidence_bundle import conversation_reference
from formaliza.journeys.tests.helpers import open_formalization


@pytest.fixture
def journey(kit, make_input, settings, tmp_path, fake_api):  # noqa: F811
    """A started journey whose invitation went out through the conversations layer with the
    journey's reference (what the WhatsApp messenger does); the link goes by the fake."""
    settings.JOURNEY_MESSENGER = "formaliza.journeys.adapters.fake.FakeMessenger"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    FakeMessenger.reset()
    formalization = open_formalization(kit, make_input, count=2)
    journey = journeys.journey_start(request_id=formalization.pk).journey
    channel = whatsapp_channel(kit.tenant, fake_api)
    template_save(tenant=kit.tenant, channel_id=channel.pk,
                  data=TemplateInput(name="convite", language="pt_BR", category="utility",
                                     components=[{"type": "BODY", "text": "Olá {{1}}"}]))  # fmt: skip
    message_send_template(
        actor=Actor.of_system(kit.tenant, "jornadas"), channel=channel, to=journey.phone,
        template="convite", variables=[journey.client_name],
        reference=conversation_reference(journey),
    )  # fmt: skip
    yield journey
    FakeMessenger.reset()


def _found_by_contract(tenant, number):
    today = clock.today()
    filters = HistoryFilters(start=today, end=today, contract=number)
    return list(history_search(tenant=tenant, filters=filters).rows)


def test_a_journey_in_progress_is_found_by_its_contract_numbers(kit, journey):
    contracts = list(journey.contracts.select_related("proposal"))
    assert _found_by_contract(kit.tenant, contracts[0].number) == []

    run_queued_tasks()  # the journey's link message goes out

    ours = Conversation.objects.get(handle__address=journey.phone)
    for contract in contracts:
        assert _found_by_contract(kit.tenant, contract.number) == [ours]
    assert _found_by_contract(kit.tenant, "99999999") == []
    keys = set(ConversationKey.objects.filter(conversation=ours).values_list("kind", "value"))
    assert {("cpf", journey.cpf), ("journey", str(journey.pk))} <= keys
    assert "document_key" not in {k for k, _v in keys}  # only once sealed
