from formaliza.accounts.roles import Role
from formaliza.conversations.models import Message
from formaliza.conversations.services import message_send_text
from formaliza.conversations.tests.helpers import client_says, deliver
from formaliza.core.testing import run_queued_tasks


def test_inbound_then_reply_round_trip(kit, fake_api, channel, handlers):
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    inbound = Message.objects.get()
    assert inbound.body == "Oi"
    assert handlers == [("inbound", inbound.pk)]

    reply = message_send_text(
        actor=kit.actor(Role.ATTENDANT), channel=channel, to=inbound.handle, text="Olá!"
    )
    run_queued_tasks()
    reply.refresh_from_db()
    assert reply.status == "accepted", (reply.error_code, reply.error_title)
    assert len(fake_api.sent) == 1
    deliver(fake_api)
    run_queued_tasks()
    reply.refresh_from_db()
    assert reply.status == "read"
    assert reply.sent_at and reply.delivered_at and reply.read_at
