"""The inbox's services on their own (no bot configured): a hand-over puts the conversation in
its department's queue with its note, attendants take, note, reply and give it back; nothing
here needs the flows app."""

import pytest

from formaliza.accounts.roles import Role
from formaliza.conversations.models import Conversation, ConversationNote, Department
from formaliza.conversations.selectors import inbox_conversations, inbox_queues
from formaliza.conversations.services import inbox
from formaliza.conversations.tests.helpers import client_says
from formaliza.core.errors import Conflict, NotFound
from formaliza.core.testing import run_queued_tasks


@pytest.fixture
def handed_over(kit, fake_api, channel, settings):
    settings.CONVERSATION_BOT = ""
    settings.CONVERSATION_INBOUND_HANDLERS = []
    Department.objects.create(tenant=kit.tenant, name="Financeiro")
    client_says(fake_api, channel, "Quero a segunda via")
    run_queued_tasks()
    conversation = Conversation.objects.get()
    inbox.conversation_hand_over(
        conversation=conversation, department="financeiro", note="Segunda via", run_id=7
    )
    return conversation


def test_a_hand_over_queues_the_conversation_with_its_note(kit, handed_over):
    # then the conversation waits in the department's queue, not taken
    (queue,) = inbox_queues(tenant=kit.tenant)
    assert (queue.department.name, queue.waiting, queue.taken) == ("Financeiro", 1, 0)
    assert list(inbox_conversations(tenant=kit.tenant, department_id=queue.department.pk)) == [
        handed_over
    ]
    note = ConversationNote.objects.get()
    assert (note.kind, note.text, note.run_id) == ("transfer", "Segunda via", 7)


def test_an_unknown_department_means_the_general_queue(kit, fake_api, handed_over):
    inbox.conversation_hand_over(conversation=handed_over, department="Jurídico")
    handed_over.refresh_from_db()
    assert (handed_over.handler, handed_over.department) == ("queue", None)
    assert inbox_conversations(tenant=kit.tenant, general=True).get() == handed_over


def test_take_note_reply_and_give_back_without_a_bot(kit, handed_over):
    actor = kit.actor(Role.ATTENDANT)
    inbox.inbox_take(actor=actor, conversation_id=handed_over.pk)
    inbox.inbox_note(actor=actor, conversation_id=handed_over.pk, text="Cliente aguarda")
    sent = inbox.inbox_reply(actor=actor, conversation_id=handed_over.pk, text="Já envio.")
    assert (sent.status, sent.body) == ("queued", "Já envio.")
    assert ConversationNote.objects.filter(kind="note", author=actor.user).count() == 1

    # with no bot, nothing can be started on a give-back, and nothing changes
    with pytest.raises(NotFound):
        inbox.inbox_release(actor=actor, conversation_id=handed_over.pk, flow_id=1)
    handed_over.refresh_from_db()
    assert handed_over.handler == "agent"
    inbox.inbox_release(actor=actor, conversation_id=handed_over.pk)
    handed_over.refresh_from_db()
    assert handed_over.handler == "bot"

    # and the bot's conversation takes no attendant reply
    with pytest.raises(Conflict):
        inbox.inbox_reply(actor=actor, conversation_id=handed_over.pk, text="Oi")
