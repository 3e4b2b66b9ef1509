"""Every call from the cases app into the conversations app, in one place.

Messages go to the conversations outbox (`message_send_*`), written in the caller's transaction
and dispatched by the workers; what happened is kept as a `CaseNotification` (the outbox
message, or why no message could be written). WhatsApp uses free text inside the 24-hour window
and the tenant's approved template outside it (settings.CASE_*_TEMPLATE); e-mail goes through
the tenant's first active e-mail channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings

from formaliza.accounts.actors import Actor
from formaliza.accounts.models import Tenant
from formaliza.cases.models import CaseNotification
from formaliza.conversations.errors import MessageRefused
from formaliza.conversations.models import Channel
from formaliza.conversations.services import (
    message_send_email,
    message_send_template,
    message_send_text,
)
from formaliza.core.errors import ApplicationError

logger = logging.getLogger(__name__)
ACTOR_NAME = "casos"


@dataclass(frozen=True)
class WhatsAppNote:
    phone: str
    text: str
    template: str
    variables: tuple[str, ...]


@dataclass(frozen=True)
class EmailNote:
    address: str
    subject: str
    text: str


def _channel(tenant: Tenant, kind: str) -> Channel | None:
    return Channel.objects.filter(tenant=tenant, kind=kind, is_active=True).order_by("pk").first()


def _whatsapp(tenant: Tenant, note: WhatsAppNote, *, reference: str, key: str):
    channel = _channel(tenant, Channel.Kind.WHATSAPP)
    if channel is None:
        raise MessageRefused("no_channel", "Nenhum canal de WhatsApp ativo.")
    actor = Actor.of_system(tenant, ACTOR_NAME)
    try:
        return message_send_text(
            actor=actor, channel=channel, to=note.phone, text=note.text, reference=reference,
            idempotency_key=f"{key}:texto",
        )  # fmt: skip
    except MessageRefused as exc:
        if exc.code != "window_closed":
            raise
    return message_send_template(
        actor=actor, channel=channel, to=note.phone, template=note.template,
        variables=list(note.variables), reference=reference, idempotency_key=f"{key}:modelo",
    )  # fmt: skip


def _email(tenant: Tenant, note: EmailNote, *, reference: str, key: str):
    channel = _channel(tenant, Channel.Kind.EMAIL)
    if channel is None:
        raise MessageRefused("no_channel", "Nenhum canal de e-mail ativo.")
    return message_send_email(
        actor=Actor.of_system(tenant, ACTOR_NAME), channel=channel, to=note.address,
        subject=note.subject, text=note.text, reference=reference, idempotency_key=key,
    )  # fmt: skip


def notify(
    *, tenant: Tenant, kind: str, recipient: str, key: str, case=None, client=None,
    whatsapp: WhatsAppNote | None = None, email: EmailNote | None = None, both: bool = False,
) -> list[CaseNotification]:  # fmt: skip
    """Send by WhatsApp and/or e-mail. With `both=False` e-mail is the fallback when WhatsApp
    is not possible; with `both=True` every given address gets the message."""
    reference = f"case:{case.pk}" if case is not None else f"case-client:{client.pk}"
    attempts = [("whatsapp", whatsapp, _whatsapp), ("email", email, _email)]
    sent: list[CaseNotification] = []
    for channel_kind, note, send in attempts:
        if note is None or not (note.phone if channel_kind == "whatsapp" else note.address):
            continue
        if sent and not both and sent[-1].message_id is not None:
            break
        address = note.phone if channel_kind == "whatsapp" else note.address
        row = CaseNotification(
            tenant=tenant, case=case, client=client, kind=kind, recipient=recipient,
            channel_kind=channel_kind, address=address,
        )  # fmt: skip
        try:
            row.message_id = send(tenant, note, reference=reference, key=f"{key}:{channel_kind}").pk
        except ApplicationError as exc:  # a gate, a missing template or channel: recorded
            row.refusal = f"{exc.message} ({exc.code})"[:300]
            logger.info("case notification %s to %s refused: %s", kind, channel_kind, exc.code)
        row.save()
        sent.append(row)
    return sent


def document_rejected_note(*, client, type_name: str, reason: str, link: str):
    text = (
        f"Olá, {client.name}. O documento “{type_name}” que você enviou foi recusado: {reason}. "
        f"Envie de novo por este link: {link}"
    )
    whatsapp = WhatsAppNote(
        client.phone, text, settings.CASE_DOCUMENT_REJECTED_TEMPLATE,
        (client.name, type_name, reason, link),
    )  # fmt: skip
    email = EmailNote(client.email, f"Documento recusado: {type_name}", text)
    return whatsapp, email


def protocol_notes(*, case, client, agent_phone: str, agent_email: str, number: str):
    text = f"O caso {case.number} de {client.name} foi protocolado. Número do processo: {number}."
    template = settings.CASE_PROTOCOL_TEMPLATE
    client_text = f"Olá, {client.name}. Seu processo foi protocolado com o número {number}."
    return {
        "client": (
            WhatsAppNote(client.phone, client_text, template, (client.name, case.number, number)),
            EmailNote(client.email, f"Processo protocolado: {number}", client_text),
        ),
        "agent": (
            WhatsAppNote(agent_phone, text, template, (client.name, case.number, number)),
            EmailNote(agent_email, f"Caso {case.number} protocolado", text),
        ),
    }


def payment_notes(*, case, client, agent_phone: str, agent_email: str):
    text = f"Pagamento do caso {case.number} de {client.name} confirmado."
    template = settings.CASE_PAID_TEMPLATE
    client_text = f"Olá, {client.name}. Recebemos o pagamento do seu caso {case.number}."
    return {
        "client": (
            WhatsAppNote(client.phone, client_text, template, (client.name, case.number)),
            EmailNote(client.email, f"Pagamento confirmado: caso {case.number}", client_text),
        ),
        "agent": (
            WhatsAppNote(agent_phone, text, template, (client.name, case.number)),
            EmailNote(agent_email, f"Caso {case.number} pago", text),
        ),
    }


def email_code_note(*, address: str, code: str, tenant_name: str) -> EmailNote:
    return EmailNote(
        address,
        f"Seu código de confirmação: {code}",
        f"Use o código {code} para confirmar seu e-mail no cadastro de {tenant_name}. "
        "Se você não pediu este código, ignore esta mensagem.",
    )
