"""Messages of the playbook, sent through the conversations outbox (its gates decide): WhatsApp
free text inside the 24-hour window, the tenant's approved WhatsApp template outside it, SMS
and then e-mail as fallbacks. An opt-out is respected: nothing else is tried."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from formaliza.accounts.actors import Actor
from formaliza.conversations.errors import InvalidContent, MessageRefused
from formaliza.conversations.models import Channel, Message
from formaliza.conversations.services import message_send_template, message_send_text
from formaliza.core.errors import ApplicationError, FieldErrors
from formaliza.triage.events import Who
from formaliza.triage.events import order_event_record as record
from formaliza.triage.messages import (
    ACCOUNTANT,
    DEFAULTS,
    LINK_OF,
    VARIABLES,
    render,
    unknown_variables,
)
from formaliza.triage.models import CertificateOrder, ContactAttempt, MessageTemplate, OrderEvent
from formaliza.triage.services.booking import booking_url
from formaliza.triage.services.contacts import contact_start
from formaliza.triage.worklists import LISTS


def template_for(*, tenant, worklist: str) -> MessageTemplate:
    """The tenant's template of the list (the seed's text until the tenant edits it)."""
    found = MessageTemplate.objects.filter(tenant=tenant, worklist=worklist).first()
    return found or MessageTemplate(tenant=tenant, worklist=worklist, body=DEFAULTS[worklist])


def template_save(
    *, tenant, worklist: str, body: str, whatsapp_template: str, user
) -> MessageTemplate:
    errors = FieldErrors()
    body = (body or "").strip()
    if worklist not in LISTS:
        errors.add("worklist", "invalid", "Lista inválida.")
    if not body:
        errors.add("body", "required", "O texto da mensagem não pode ficar vazio.")
    else:
        try:
            unknown = unknown_variables(body)
        except ValueError:
            unknown = []
            errors.add("body", "invalid_braces", "Chaves { } desbalanceadas no texto.")
        if unknown:
            allowed = ", ".join(f"{{{v}}}" for v in VARIABLES)
            errors.add("body", "unknown_variable",
                       f"Variável desconhecida: {{{unknown[0]}}}. Use {allowed}.")  # fmt: skip
    errors.raise_if_any()
    template, _ = MessageTemplate.objects.update_or_create(
        tenant=tenant, worklist=worklist,
        defaults={"body": body, "whatsapp_template": whatsapp_template.strip()[:120],
                  "updated_by": user},
    )  # fmt: skip
    return template


def message_values(order: CertificateOrder) -> dict[str, str]:
    ref = {"pedido": order.external_id, "id": order.pk}
    return {
        "nome": order.first_name,
        "link_agendamento": (
            settings.TRIAGE_SCHEDULING_URL.format(**ref)
            if settings.TRIAGE_SCHEDULING_URL
            else booking_url(order)
        ),
        "link_documentos": settings.TRIAGE_DOCUMENTS_URL.format(**ref),
        "dados_pagamento": order.payment_link or "boleto enviado por e-mail",
    }


def _attempts(order: CertificateOrder, template: MessageTemplate, text: str):
    """(channel kind, channel, address, how) in the order they are tried."""
    channels = {
        c.kind: c
        for c in Channel.objects.filter(tenant_id=order.tenant_id, is_active=True).order_by("-pk")
    }
    if order.client_phone and Channel.Kind.WHATSAPP in channels:
        yield channels[Channel.Kind.WHATSAPP], order.client_phone, "text"
        if template.whatsapp_template:
            yield channels[Channel.Kind.WHATSAPP], order.client_phone, "template"
    if order.client_phone and Channel.Kind.SMS in channels:
        yield channels[Channel.Kind.SMS], order.client_phone, "text"
    if order.client_email and Channel.Kind.EMAIL in channels:
        yield channels[Channel.Kind.EMAIL], order.client_email, "text"


def _send(actor, channel, address, how, text, values, template, order, key) -> Message:
    options = {"reference": f"triage-order:{order.pk}"}
    if key:
        options["idempotency_key"] = f"triage:{order.pk}:{key}:{channel.kind}:{how}"[:120]
    if how == "template":
        return message_send_template(
            actor=actor, channel=channel, to=address, template=template.whatsapp_template,
            variables=[values["nome"], values[LINK_OF[order.worklist]]], **options,
        )  # fmt: skip
    return message_send_text(actor=actor, channel=channel, to=address, text=text, **options)


def order_message_send(
    *, order: CertificateOrder, actor: Actor, who: Who, key: str = ""
) -> ContactAttempt:
    """Send the list's message to the client and record it as a contact. `key` (the rules)
    makes the send idempotent. Raises ApplicationError `triage_message_not_sent` when no
    channel took it (the reason of each is in the message)."""
    if not order.worklist:
        raise ApplicationError(
            code="triage_not_in_list", message="O pedido está fora das listas.", status=409
        )
    template = template_for(tenant=order.tenant, worklist=order.worklist)
    values = message_values(order)
    text = render(template.body, values)
    reasons = []
    for channel, address, how in _attempts(order, template, text):
        try:
            with transaction.atomic():
                message = _send(actor, channel, address, how, text, values, template, order, key)
                return contact_start(
                    order=order, kind=ContactAttempt.Kind.MESSAGE, who=who,
                    channel=channel.kind, message_id=message.pk,
                )  # fmt: skip
        except (MessageRefused, InvalidContent) as exc:
            reasons.append(f"{channel.get_kind_display()}: {exc.message}")
            if exc.code == "opted_out":
                break  # the client asked not to be contacted: no fallback
    reason = (
        " ".join(reasons) or "Nenhum canal disponível (WhatsApp, SMS ou e-mail) para o cliente."
    )
    record(
        order=order, kind=OrderEvent.Kind.CONTACT, who=who,
        text=f"Mensagem não enviada. {reason}"[:300],
    )  # fmt: skip
    raise ApplicationError(
        code="triage_message_not_sent", message=f"Mensagem não enviada. {reason}", status=409
    )


def client_replied(attempt: ContactAttempt) -> bool:
    """The client wrote on the channel of the message since it was sent."""
    if attempt.message_id is None:
        return False
    message = Message.objects.select_related("handle").filter(pk=attempt.message_id).first()
    last = message.handle.last_inbound_at if message else None
    return last is not None and last > attempt.started_at


def order_accountant_request(*, order: CertificateOrder, actor: Actor, who: Who) -> ContactAttempt:
    """E-mail the client's accountant asking for the company's missing documents."""
    if not order.accountant_email:
        raise ApplicationError(
            code="triage_no_accountant", status=422,
            message="O pedido não tem o e-mail da contabilidade.",
        )  # fmt: skip
    channel = Channel.objects.filter(
        tenant_id=order.tenant_id, kind=Channel.Kind.EMAIL, is_active=True
    ).first()
    if channel is None:
        raise ApplicationError(
            code="triage_no_email_channel", status=409,
            message="Configure um canal de e-mail para escrever à contabilidade.",
        )  # fmt: skip
    text = ACCOUNTANT.format(
        produto=order.product, cliente=order.client_name, pedido=order.external_id,
        link_documentos=message_values(order)["link_documentos"],
    )  # fmt: skip
    with transaction.atomic():
        message = message_send_text(
            actor=actor, channel=channel, to=order.accountant_email, text=text,
            reference=f"triage-order:{order.pk}",
        )  # fmt: skip
        return contact_start(
            order=order, kind=ContactAttempt.Kind.ACCOUNTANT, who=who, channel="email",
            message_id=message.pk,
        )  # fmt: skip
