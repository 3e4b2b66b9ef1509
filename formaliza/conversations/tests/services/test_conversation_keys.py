"""Business keys on conversations, written by higher layers for history search."""

import pytest

from formaliza.accounts.roles import Role
from formaliza.conversations.models import ConversationKey
from formaliza.conversations.services import (
    conversation_keys_add,
    conversation_keys_add_for_reference,
    message_send_text,
)
from formaliza.conversations.tests.helpers import CLIENT_PHONE, client_says
from formaliza.core.testing import run_queued_tasks


@pytest.fixture
def sent(kit, fake_api, channel):
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()  # the inbound message opens the 24-hour window
    return message_send_text(
        actor=kit.actor(Role.ADMIN), channel=channel, to=CLIENT_PHONE, text="Olá",
        reference="journey:j-1",
    )  # fmt: skip


def test_keys_are_normalized_and_idempotent(sent):
    conversation = sent.conversation
    keys = [("cpf", "529.982.247-25"), ("full_name", "Maria  da SILVA"), ("birth_date", "30/04/1958"),
            ("proposal", " 00000012 ")]  # fmt: skip
    assert len(conversation_keys_add(conversation=conversation, keys=keys)) == 4
    assert conversation_keys_add(conversation=conversation, keys=keys) == []
    stored = set(ConversationKey.objects.values_list("kind", "value"))
    assert stored == {("cpf", "52998224725"), ("full_name", "maria da silva"),
                      ("birth_date", "1958-04-30"), ("proposal", "00000012")}  # fmt: skip


def test_unknown_kind_is_refused(sent):
    with pytest.raises(ValueError, match="unknown"):
        conversation_keys_add(conversation=sent.conversation, keys=[("nope", "1")])
    assert ConversationKey.objects.count() == 0


def test_keys_by_reference_reach_only_that_tenants_conversations(kit, other_kit, sent):
    assert (
        conversation_keys_add_for_reference(
            tenant_id=other_kit.tenant.pk, reference="journey:j-1", keys=[("journey", "j-1")]
        )
        == 0
    )
    assert (
        conversation_keys_add_for_reference(
            tenant_id=kit.tenant.pk, reference="journey:j-1", keys=[("journey", "j-1")]
        )
        == 1
    )
    (key,) = ConversationKey.objects.all()
    assert (key.conversation_id, key.tenant_id) == (sent.conversation_id, kit.tenant.pk)
