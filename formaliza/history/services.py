"""Writes of the history and the message portal: send a template by hand, log an attachment
opened, create and run background exports, configure finalization statuses."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from formaliza.accounts.actors import Actor
from formaliza.accounts.models import Tenant, User
from formaliza.accounts.roles import Perm
from formaliza.conversations.errors import InvalidContent
from formaliza.conversations.models import Attachment, FinalizationStatus, Template
from formaliza.conversations.services import finalization_defaults_ensure, message_send_template
from formaliza.conversations.template_rules import TemplateValues
from formaliza.core import br, clock
from formaliza.core.errors import ApplicationError, NotFound
from formaliza.core.tasks import enqueue
from formaliza.history import exports, selectors
from formaliza.history.models import AttachmentAccess, HistoryExport, PortalSend

HISTORY_EXPORT_RUN_TASK = "formaliza.history.tasks.history_export_run"

logger = logging.getLogger(__name__)


# --- portal de envio -----------------------------------------------------------------------------


def portal_phone_parse(value: str) -> br.Phone:
    """The seed's rule: area code and number, without the trunk zero ("(11) 99999-9999")."""
    digits = br.only_digits(value or "")
    if digits.startswith("0"):
        raise InvalidContent(
            "Informe o DDD sem o zero (ex.: 11 99999-9999).",
            code="phone_leading_zero",
            field="phone",
        )
    phone = br.phone_parse(digits) if len(digits) in (10, 11) else None
    if phone is None:
        raise InvalidContent(
            "Telefone inválido: informe o celular com DDD (ex.: (11) 99999-9999).",
            code="invalid_phone",
            field="phone",
        )
    return phone


@dataclass(frozen=True)
class PortalActor(Actor):
    """The user sending through the portal. `portal.send` allows this one kind of send (an
    approved template, every gate applied) without the general `message.send`: correspondents
    hold the first, not the second."""

    def can(self, perm: str) -> bool:
        return perm == Perm.MESSAGE_SEND or super().can(perm)


def portal_send(*, actor: Actor, template_id: int, phone: str, variables: list[str]) -> PortalSend:
    """Send an approved template to a phone through the conversation layer (consent, window and
    template gates apply there) and record it for the sent-messages report."""
    actor.require(Perm.PORTAL_SEND)
    sender = PortalActor(tenant=actor.tenant, user=actor.user)
    template = (
        Template.objects.filter(
            tenant=actor.tenant, pk=template_id, status=Template.Status.APPROVED
        )
        .select_related("channel")
        .first()
    )
    if template is None:
        raise NotFound("Modelo aprovado", code="template_not_found")
    parsed = portal_phone_parse(phone)
    with transaction.atomic():
        message = message_send_template(
            actor=sender, channel=template.channel_id, to=parsed.e164, template=template.name,
            language=template.language, values=TemplateValues(body=list(variables)),
            reference="portal",
        )  # fmt: skip
        return PortalSend.objects.create(
            tenant=actor.tenant, message=message, user=actor.user, phone=parsed.e164,
            template_name=template.name, variables=list(variables),
        )  # fmt: skip


# --- attachments -----------------------------------------------------------------------------------


def attachment_access_record(
    *, tenant: Tenant, attachment: Attachment, user: User, ip: str | None, user_agent: str
) -> AttachmentAccess:
    access = AttachmentAccess.objects.create(
        tenant=tenant, attachment=attachment, user=user, ip=ip or None,
        user_agent=(user_agent or "")[:300],
    )  # fmt: skip
    logger.info("attachment %s opened by user %s (tenant %s)", attachment.pk, user.pk, tenant.pk)
    return access


# --- exports -----------------------------------------------------------------------------------------


def history_export_create(
    *, tenant: Tenant, user: User, filters: selectors.HistoryFilters, format: str
) -> HistoryExport:
    """A background export of the whole result list; its task is enqueued in the same
    transaction (database task backend: nothing lost, nothing phantom)."""
    if format not in HistoryExport.Format.values:
        raise ApplicationError(code="export_format", message="Formato de exportação inválido.")
    hours = settings.HISTORY_EXPORT_TTL_HOURS
    with transaction.atomic():
        export = HistoryExport.objects.create(
            tenant=tenant, requested_by=user, format=format, filters=filters.to_dict(),
            expires_at=clock.now() + dt.timedelta(hours=hours),
        )  # fmt: skip
        enqueue(HISTORY_EXPORT_RUN_TASK, str(export.pk))
    return export


def history_export_run(*, export_id: str) -> str:
    """Write the export's file in keyset batches, saving progress after each batch. Safe to
    run twice: a finished export is left alone."""
    export = HistoryExport.objects.filter(pk=export_id).select_related("tenant").first()
    if export is None:
        return "missing"
    if export.status in (HistoryExport.Status.DONE, HistoryExport.Status.FAILED):
        return export.status
    filters = selectors.HistoryFilters.from_dict(export.filters)
    total = selectors.history_queryset(tenant=export.tenant, filters=filters).count()
    HistoryExport.objects.filter(pk=export.pk).update(
        status=HistoryExport.Status.RUNNING, total=total, processed=0
    )
    writer = exports.writer_for(export.format)
    processed = 0
    try:
        for batch in selectors.history_iter(tenant=export.tenant, filters=filters):
            writer.write_rows(exports.rows_of(batch))
            processed += len(batch)
            HistoryExport.objects.filter(pk=export.pk).update(processed=processed)
        data = writer.finish()
    except Exception as exc:
        logger.exception("history export %s failed", export.pk)
        HistoryExport.objects.filter(pk=export.pk).update(
            status=HistoryExport.Status.FAILED, error=str(exc)[:300], finished_at=clock.now()
        )
        return HistoryExport.Status.FAILED
    export.refresh_from_db()
    export.file.save(exports.filename(export.format), ContentFile(data), save=False)
    export.status = HistoryExport.Status.DONE
    export.processed = processed
    export.finished_at = clock.now()
    export.save(update_fields=["file", "status", "processed", "finished_at"])
    return HistoryExport.Status.DONE


def history_exports_prune() -> int:
    """Delete the files and rows of expired exports (a periodic task)."""
    removed = 0
    for export in HistoryExport.objects.filter(expires_at__lte=clock.now()).iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        removed += 1
    return removed


# --- finalization statuses (labels) ------------------------------------------------------------------


@dataclass(frozen=True)
class LabelInput:
    name: str
    color: str = "#64748b"
    position: int = 0
    is_active: bool = True
    code: str = ""


def labels_defaults_create(*, actor: Actor) -> int:
    """The seed's statuses (Assinado, Integrado, Andamento...) the tenant does not have yet."""
    actor.require(Perm.HISTORY_LABELS)
    return finalization_defaults_ensure(tenant=actor.tenant)


def label_save(
    *, actor: Actor, data: LabelInput, status_id: int | None = None
) -> FinalizationStatus:
    """Create or change a finalization status of the actor's tenant. Its code is fixed at
    creation (other layers set statuses by code)."""
    from django.utils.text import slugify

    actor.require(Perm.HISTORY_LABELS)
    name = data.name.strip()
    if not name:
        raise InvalidContent("Informe o nome do status.", code="label_name", field="name")
    if status_id is not None:
        status = selectors.finalization_get(tenant=actor.tenant, status_id=status_id)
        if status is None:
            raise NotFound("Status de finalização", code="finalization_not_found")
    else:
        code = slugify(data.code or name)[:40]
        if not code:
            raise InvalidContent("Nome inválido para o status.", code="label_name", field="name")
        if FinalizationStatus.objects.filter(tenant=actor.tenant, code=code).exists():
            raise InvalidContent(
                "Já existe um status com este nome.", code="label_taken", field="name"
            )
        status = FinalizationStatus(tenant=actor.tenant, code=code)
    status.name, status.color = name[:60], data.color
    status.position, status.is_active = data.position, data.is_active
    status.save()
    return status
