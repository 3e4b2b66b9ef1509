"""Helpers for runtime tests: publish a flow document as a live version, and have a client
write on a WhatsApp channel (through the conversation layer's real inbound path)."""

from __future__ import annotations

import hashlib
import itertools

from formaliza.conversations.models import Message
from formaliza.conversations.ports import InboundMessage
from formaliza.conversations.services import inbound_message_record
from formaliza.conversations.tests.helpers import PNID, whatsapp_channel
from formaliza.core import clock
from formaliza.flows.format import dumps, parse
from formaliza.flows.models import Flow, FlowVersion

CLIENT = "5511987654321"
_ids = itertools.count(1)


def publish(tenant, data: dict, *, trigger: str = Flow.Trigger.MANUAL, flow: Flow | None = None):
    """Create (or add a version to) the flow with `data`'s key and make the version live."""
    doc = parse(data)
    text = dumps(doc)
    if flow is None:
        flow = Flow.objects.filter(tenant=tenant, key=doc.key).first()
    if flow is None:
        flow = Flow.objects.create(
            tenant=tenant, key=doc.key, name=doc.name, trigger=trigger, draft=data
        )
    number = (flow.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = FlowVersion.objects.create(
        flow=flow, number=number, document=data,
        checksum=hashlib.sha256(text.encode()).hexdigest(), published_at=clock.now(),
    )  # fmt: skip
    flow.live = version
    flow.save(update_fields=["live", "updated_at"])
    return flow


def channel_of(tenant, **overrides):
    return whatsapp_channel(tenant, **overrides)


def client_writes(
    channel, text: str = "", *, kind: str = "text", reply_id: str = "", reply_title: str = "",
    sender: str = CLIENT, media=None, message_id: str | None = None,
) -> Message:  # fmt: skip
    """The client's message, stored as the webhook path stores it (window, conversation,
    choice id resolution). Returns the stored message (None for a duplicate)."""
    item = InboundMessage(
        provider_message_id=message_id or f"wamid.T{next(_ids)}", sender=sender,
        timestamp=clock.now(), kind=kind, channel_address=PNID, profile_name="Maria",
        text=text, reply_id=reply_id, reply_title=reply_title, media=media,
    )  # fmt: skip
    return inbound_message_record(channel=channel, item=item)


def outbound(conversation) -> list[Message]:
    return list(
        Message.objects.filter(
            conversation=conversation, direction=Message.Direction.OUTBOUND
        ).order_by("id")
    )


def bodies(conversation) -> list[str]:
    return [m.body for m in outbound(conversation)]
