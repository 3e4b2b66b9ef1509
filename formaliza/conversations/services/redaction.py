"""Hiding what a client typed that must not stay readable (a Wi-Fi password given to a flow):
the message's text in the history and in the provider's stored message object is replaced by
a placeholder. The raw webhook body (`InboundEvent`, kept for replay) is not rewritten."""

from __future__ import annotations

import uuid
from typing import Any

from formaliza.accounts.models import Tenant
from formaliza.conversations.models import Message


def _replace(value: Any, secret: str, placeholder: str) -> Any:
    if isinstance(value, str):
        return value.replace(secret, placeholder)
    if isinstance(value, list):
        return [_replace(v, secret, placeholder) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, secret, placeholder) for k, v in value.items()}
    return value


def message_redact(*, tenant: Tenant, message_public_id: str, placeholder: str) -> bool:
    """Replace an inbound message's text by `placeholder` wherever we keep it readable.
    False when the message is not the tenant's inbound text (nothing changes)."""
    try:
        uuid.UUID(str(message_public_id))
    except ValueError:
        return False
    message = (
        Message.objects.select_for_update()
        .filter(tenant=tenant, public_id=message_public_id, direction=Message.Direction.INBOUND)
        .first()
    )
    if message is None or not message.body:
        return False
    secret = message.body
    message.body = placeholder
    message.provider_payload = _replace(message.provider_payload, secret, placeholder)
    message.content = _replace(message.content, secret, placeholder)
    message.save(update_fields=["body", "provider_payload", "content"])
    return True
