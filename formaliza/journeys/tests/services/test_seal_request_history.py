"""A sealed journey marks its WhatsApp conversations `assinado` and searchable by its keys
(the history, issue 7)."""

import pytest

from formaliza.accounts.actors import Actor
from formaliza.conversations.models import Conversation, ConversationKey
from formaliza.conversations.services import (
    TemplateInput,
    finalization_defaults_ensure,
    message_send_template,
    template_save,
)
from formaliza.conversations.tests.conftest import fake_api  # noqa: F401
from formaliza.conversations.tests.helpers import client_says, whatsapp_channel
from formaliza.core.testing import run_queued_tasks
from formaliza.evidence.models import SealedDocument
from formaliza.evidence.selectors import sealed_document_for_subject
from formaliza.evidence.services import Subject
from formaliza.journeys.evidence_bundle import conversation_reference
from formaliza.journeys.models import Step
from formaliza.journeys.tests.helpers import walk


@pytest.fixture
def invited(kit, journey, outbox, fake_api):  # noqa: F811
    """The journey's invitation sent through the conversations layer with its reference, and
    an unrelated conversation of another client."""
    channel = whatsapp_channel(kit.tenant, fake_api)
    components = [{"type": "BODY", "text": "Olá {{1}}"}]
    template_save(tenant=kit.tenant, channel_id=channel.pk,
                  data=TemplateInput(name="convite", language="pt_BR", category="utility",
                                     components=components))  # fmt: skip
    message_send_template(
        actor=Actor.of_system(kit.tenant, "jornadas"), channel=channel, to=journey.phone,
        template="convite", variables=[journey.client_name],
        reference=conversation_reference(journey),
    )  # fmt: skip
    client_says(fake_api, channel, "Oi, sou outro cliente", phone="5521999990000")
    return channel


def test_the_sealed_journey_marks_its_conversation_signed_with_its_keys(
    kit, journey, invited, local_tsa, django_capture_on_commit_callbacks
):
    finalization_defaults_ensure(tenant=kit.tenant)
    run_queued_tasks()
    signed = walk(journey, until=Step.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()

    document = sealed_document_for_subject(
        tenant=kit.tenant, subject=Subject("journey", str(signed.pk))
    )
    assert document.status == SealedDocument.Status.SEALED
    ours = Conversation.objects.get(handle__address=signed.phone)
    other = Conversation.objects.exclude(pk=ours.pk).get()
    assert ours.finalization.code == "assinado"
    assert other.finalization is None
    keys = set(ConversationKey.objects.filter(conversation=ours).values_list("kind", "value"))
    numbers = set(signed.request.proposals.values_list("number", flat=True))
    assert {("cpf", signed.cpf), ("document_key", document.code), ("journey", str(signed.pk)),
            ("formalization", signed.request.number),
            ("full_name", signed.client_name.casefold())} <= keys  # fmt: skip
    assert {v for k, v in keys if k == "proposal"} == numbers and numbers
    contracts = {c.number for c in signed.contracts.select_related("proposal")}
    assert {v for k, v in keys if k == "contract"} == contracts and contracts
    assert not ConversationKey.objects.filter(conversation=other).exists()


def test_without_the_status_the_journey_still_adds_its_keys(
    kit, journey, invited, local_tsa, django_capture_on_commit_callbacks
):
    run_queued_tasks()
    signed = walk(journey, until=Step.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()
    ours = Conversation.objects.get(handle__address=signed.phone)
    assert ours.finalization is None
    assert ConversationKey.objects.filter(conversation=ours, kind="cpf", value=signed.cpf).exists()
