"""Services behind the system cards' back office: internal groups (and their e-mails), bulk
sends of an interactive template, and the reports (metric counts, bulk progress)."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.contacts.selectors import contact_phone_lookup
from formaliza.conversations.errors import InvalidContent
from formaliza.conversations.models import Channel
from formaliza.conversations.services.outbound import message_send_template, template_find
from formaliza.core import br, clock
from formaliza.core.errors import ApplicationError, NotFound
from formaliza.core.tasks import enqueue
from formaliza.flows.engine import PLACEHOLDER
from formaliza.flows.models import BulkRecipient, BulkSend, Flow, NotifyGroup

BULK_SEND_PROCESS_TASK = "formaliza.flows.tasks.system.bulk_send_process"

logger = logging.getLogger(__name__)

BULK_MAX_RECIPIENTS = 5000


# --- internal groups ------------------------------------------------------------------------


def notify_email_send(*, group_id: int, text: str) -> int:
    group = NotifyGroup.objects.filter(pk=group_id).first()
    if group is None or not group.emails:
        return 0
    return send_mail(
        subject=f"Aviso do atendimento ({group.name})",
        message=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=list(group.emails),
    )


# --- bulk sends -----------------------------------------------------------------------------


def _bulk_card(flow: Flow):
    """The live version's start card, which must be an interactive template."""
    from formaliza.flows.format import parse

    if flow.live is None:
        raise ApplicationError(
            code="flow_not_published", message="Publique o fluxo antes de enviar em massa."
        )
    doc = parse(flow.live.document)
    card = doc.cards[doc.start]
    if card.type != "bulk_template":
        raise ApplicationError(
            code="flow_not_bulk",
            message="O fluxo precisa começar por um card de Template interativo.",
        )
    return card


def phones_parse(text: str) -> tuple[list[str], list[str]]:
    """(valid E.164 numbers without repeats, invalid entries) from one phone per line (or
    separated by commas/semicolons)."""
    valid, invalid = [], []
    for item in re.split(r"[\n,;]+", text or ""):
        item = item.strip()
        if not item:
            continue
        phone = br.phone_parse(item)
        if phone is None:
            invalid.append(item)
        elif phone.e164 not in valid:
            valid.append(phone.e164)
    return valid, invalid


def bulk_send_create(*, actor: Actor, flow_id: int, channel_id: int, phones: list[str]) -> BulkSend:
    """Queue the flow's interactive template to each phone (E.164); a task sends them."""
    actor.require(Perm.TEMPLATE_MANAGE)
    flow = Flow.objects.filter(tenant=actor.tenant, pk=flow_id).select_related("live").first()
    if flow is None:
        raise NotFound("Fluxo", code="flow_not_found")
    channel = Channel.objects.filter(tenant=actor.tenant, pk=channel_id).first()
    if channel is None:
        raise NotFound("Canal", code="channel_not_found")
    card = _bulk_card(flow)
    template_find(channel=channel, name=card.settings.template, language=card.settings.language)
    if not phones:
        raise ApplicationError(code="bulk_empty", message="Informe ao menos um telefone válido.")
    if len(phones) > BULK_MAX_RECIPIENTS:
        raise ApplicationError(
            code="bulk_too_large",
            message=f"No máximo {BULK_MAX_RECIPIENTS} telefones por envio.",
        )
    with transaction.atomic():
        bulk = BulkSend.objects.create(
            tenant=actor.tenant, flow=flow, channel=channel, card=card.id,
            template=card.settings.template, created_by=actor.user, total=len(phones),
        )  # fmt: skip
        BulkRecipient.objects.bulk_create(BulkRecipient(bulk=bulk, phone=p) for p in phones)
        enqueue(BULK_SEND_PROCESS_TASK, bulk.pk)
    return bulk


def _values(bulk: BulkSend, card, phone: str) -> list[str]:
    found = contact_phone_lookup(tenant=bulk.tenant, e164=phone)
    name = found.contact.name if found is not None else ""
    known = {
        "cliente": name or "Cliente",
        "nome_whatsapp": name or "Cliente",
        "telefone": br.phone_format(phone),
        "empresa": bulk.tenant.name,
    }
    return [
        PLACEHOLDER.sub(lambda m: known.get(m.group(1), ""), v) for v in card.settings.variables
    ]


def bulk_send_process(*, bulk_id: int) -> dict:
    """Send to each pending recipient (safe to run twice: a recipient is handled once, and the
    message's idempotency key stops a second send). Each sent recipient's conversation starts
    a run of the flow, waiting at the template card for the reply."""
    from formaliza.flows.services.runtime import run_start

    bulk = BulkSend.objects.select_related("tenant", "flow__live", "channel").get(pk=bulk_id)
    try:
        card = _bulk_card(bulk.flow)
    except ApplicationError as exc:  # republished or archived since: nobody gets it
        pending = bulk.recipients.filter(status=BulkRecipient.Status.PENDING)
        failed = pending.update(status=BulkRecipient.Status.FAILED, error=exc.message[:300])
        BulkSend.objects.filter(pk=bulk.pk).update(
            failed=F("failed") + failed, status=BulkSend.Status.DONE, finished_at=clock.now()
        )
        return {"sent": 0, "failed": failed}
    actor = Actor.of_system(bulk.tenant, "envio em massa")
    BulkSend.objects.filter(pk=bulk.pk, status=BulkSend.Status.QUEUED).update(
        status=BulkSend.Status.SENDING
    )
    sent = failed = 0
    for recipient in bulk.recipients.filter(status=BulkRecipient.Status.PENDING).order_by("pk"):
        try:
            with transaction.atomic():
                message = message_send_template(
                    actor=actor, channel=bulk.channel, to=recipient.phone,
                    template=card.settings.template, language=card.settings.language,
                    variables=_values(bulk, card, recipient.phone),
                    idempotency_key=f"bulk:{bulk.pk}:{recipient.pk}",
                    reference=f"bulk:{bulk.pk}",
                )  # fmt: skip
                run_start(
                    conversation=message.conversation, flow=bulk.flow,
                    context={"bulk": bulk.pk}, variables={"envio_em_massa": bulk.pk},
                )  # fmt: skip
                BulkRecipient.objects.filter(pk=recipient.pk).update(
                    status=BulkRecipient.Status.SENT,
                    message=message,
                    conversation=message.conversation,
                )
                BulkSend.objects.filter(pk=bulk.pk).update(done=F("done") + 1)
            sent += 1
        except (ApplicationError, InvalidContent) as exc:
            BulkRecipient.objects.filter(pk=recipient.pk).update(
                status=BulkRecipient.Status.FAILED, error=exc.message[:300]
            )
            BulkSend.objects.filter(pk=bulk.pk).update(failed=F("failed") + 1)
            failed += 1
    BulkSend.objects.filter(pk=bulk.pk).update(status=BulkSend.Status.DONE, finished_at=clock.now())
    return {"sent": sent, "failed": failed}


def bulk_progress(bulk: BulkSend) -> dict:
    recipients = list(bulk.recipients.order_by("pk"))
    return {
        "id": bulk.pk,
        "status": bulk.status,
        "status_label": bulk.get_status_display(),
        "total": bulk.total,
        "done": bulk.done,
        "failed": bulk.failed,
        "replied": sum(r.status == BulkRecipient.Status.REPLIED for r in recipients),
        "recipients": [
            {
                "phone": r.phone,
                "status": r.status,
                "status_label": r.get_status_display(),
                "error": r.error,
                "reply": r.reply,
            }
            for r in recipients
        ],
    }


# --- back office configuration --------------------------------------------------------------


def notify_group_save(
    *, tenant, name: str, members, emails: list[str], group_id: int | None = None
) -> NotifyGroup:
    """Create or update a group; members outside the tenant are ignored."""
    from formaliza.accounts.models import User

    if group_id is None:
        group = NotifyGroup(tenant=tenant)
    else:
        group = NotifyGroup.objects.filter(tenant=tenant, pk=group_id).first()
        if group is None:
            raise NotFound("Grupo", code="notify_group_not_found")
    clash = NotifyGroup.objects.filter(tenant=tenant, name=name).exclude(pk=group.pk)
    if clash.exists():
        raise ApplicationError(
            code="notify_group_exists", message="Já existe um grupo com esse nome."
        )
    with transaction.atomic():
        group.name, group.emails = name, list(emails)
        group.save()
        group.members.set(User.objects.filter(tenant=tenant, pk__in=[m.pk for m in members]))
    return group


def notify_group_delete(*, tenant, group_id: int) -> None:
    deleted, _ = NotifyGroup.objects.filter(tenant=tenant, pk=group_id).delete()
    if not deleted:
        raise NotFound("Grupo", code="notify_group_not_found")


def outbound_allowlist_set(*, tenant, entries: list[str]) -> None:
    tenant.outbound_allowlist = list(entries)
    tenant.save(update_fields=["outbound_allowlist"])


def business_period_add(*, tenant, weekday: int, start, end):
    from formaliza.flows.models import BusinessPeriod

    return BusinessPeriod.objects.create(tenant=tenant, weekday=weekday, start=start, end=end)


def business_period_delete(*, tenant, period_id: int) -> None:
    from formaliza.flows.models import BusinessPeriod

    deleted, _ = BusinessPeriod.objects.filter(tenant=tenant, pk=period_id).delete()
    if not deleted:
        raise NotFound("Horário", code="business_period_not_found")


def notices_mark_read(*, user) -> int:
    from formaliza.flows.models import GroupNotice

    return GroupNotice.objects.filter(user=user, read_at__isnull=True).update(read_at=clock.now())
