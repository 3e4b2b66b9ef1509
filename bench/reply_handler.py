"""The inbound handler the benchmark plugs in (CONVERSATION_INBOUND_HANDLERS): reply to every
message at once, as the flow engine's first step would."""

from django_tasks import task

from formaliza.accounts.actors import Actor
from formaliza.conversations.models import Message
from formaliza.conversations.services import message_send_text


@task(queue_name="messages")
def reply(message_id: int) -> None:
    message = Message.objects.select_related("channel__tenant", "handle").get(pk=message_id)
    message_send_text(
        actor=Actor.of_system(message.tenant, "bench"),
        channel=message.channel,
        to=message.handle,
        text="Olá! Recebemos sua mensagem.",
    )
