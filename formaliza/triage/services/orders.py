"""Orders: the upsert by external id (API, import, admin), the list an order is in, assignment."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction

from formaliza.accounts.models import Tenant, User
from formaliza.accounts.roles import Perm
from formaliza.core import br, clock
from formaliza.core.errors import ApplicationError, FieldErrors
from formaliza.triage.events import Who, order_event_record
from formaliza.triage.models import (
    Attendance,
    CertificateOrder,
    DocumentsStatus,
    OrderEvent,
    PaymentStatus,
)
from formaliza.triage.worklists import Worklist


@dataclass(frozen=True)
class OrderInput:
    """An order as the sales system sends it. Statuses use the codes of `models` (the import
    also accepts their pt-BR labels and translates them before building this)."""

    external_id: str
    client_name: str
    product: str
    client_document: str = ""
    client_phone: str = ""
    client_email: str = ""
    accountant_email: str = ""
    payment_status: str = PaymentStatus.PENDING
    payment_link: str = ""
    documents_status: str = DocumentsStatus.PENDING
    appointment_at: dt.datetime | None = None
    attendance: str = ""
    emitted_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None


# The fields an upsert writes (everything in OrderInput but the key).
ORDER_FIELDS = tuple(f.name for f in dataclasses.fields(OrderInput) if f.name != "external_id")
# pt-BR names of the fields, for the timeline ("Pagamento: Pendente → Pago").
FIELD_LABELS = {f: CertificateOrder._meta.get_field(f).verbose_name for f in ORDER_FIELDS}


def _clean_text(errors: FieldErrors, values: dict, data: OrderInput) -> None:
    external_id = (data.external_id or "").strip()
    if not external_id:
        errors.add("external_id", "required", "Informe o código do pedido.")
    elif len(external_id) > 80:
        errors.add("external_id", "too_long", "O código do pedido tem no máximo 80 caracteres.")
    values["external_id"] = external_id
    name = " ".join((data.client_name or "").split())
    if len(name) < 3:
        errors.add("client_name", "required", "Informe o nome do cliente.")
    values["client_name"] = name[:200]
    product = " ".join((data.product or "").split())
    if not product:
        errors.add("product", "required", "Informe o produto (ex.: e-CPF A1).")
    values["product"] = product[:120]


def _clean_contact(errors: FieldErrors, values: dict, data: OrderInput) -> None:
    document = br.only_digits(data.client_document or "")
    values["client_document"] = ""
    if document:
        normalized = br.cpf_normalize(document) or br.cnpj_normalize(document)
        if not normalized:
            errors.add("client_document", "invalid_document", "CPF ou CNPJ inválido.")
        values["client_document"] = normalized or ""
    values["client_phone"] = ""
    if (data.client_phone or "").strip():
        phone = br.phone_parse(data.client_phone)
        if phone is None:
            errors.add("client_phone", "invalid_phone", "Celular inválido: use DDD + número.")
        values["client_phone"] = phone.e164 if phone else ""
    for name in ("client_email", "accountant_email"):
        email = (getattr(data, name) or "").strip().lower()
        if email:
            try:
                validate_email(email)
            except DjangoValidationError:
                errors.add(name, "invalid_email", "E-mail inválido.")
        values[name] = email
    link = (data.payment_link or "").strip()
    if link:
        try:
            URLValidator(schemes=["https", "http"])(link)
        except DjangoValidationError:
            errors.add("payment_link", "invalid_url", "Link de pagamento inválido.")
    values["payment_link"] = link


def _clean_status(errors: FieldErrors, values: dict, data: OrderInput) -> None:
    for name, choices in (
        ("payment_status", PaymentStatus),
        ("documents_status", DocumentsStatus),
        ("attendance", Attendance),
    ):
        value = getattr(data, name) or ""
        if value not in choices.values:
            allowed = ", ".join(f"{c.value or '(vazio)'} ({c.label})" for c in choices)
            errors.add(name, "invalid_choice", f"Valor inválido: use {allowed}.")
        values[name] = value
    values["appointment_at"] = data.appointment_at
    values["emitted_at"] = data.emitted_at
    values["cancelled_at"] = data.cancelled_at
    for name in ("appointment_at", "emitted_at", "cancelled_at"):
        moment = values[name]
        if moment is not None and moment.tzinfo is None:
            values[name] = moment.replace(tzinfo=clock.SAO_PAULO)
    if values["attendance"] and values["appointment_at"] is None:
        errors.add(
            "attendance", "attendance_without_appointment",
            "Comparecimento informado sem data de agendamento.",
        )  # fmt: skip


def order_clean(data: OrderInput) -> dict:
    """Normalized values, or ValidationFailed naming every bad field (pt-BR)."""
    errors, values = FieldErrors(), {}
    _clean_text(errors, values, data)
    _clean_contact(errors, values, data)
    _clean_status(errors, values, data)
    errors.raise_if_any()
    return values


def order_upsert(
    *, tenant: Tenant, data: OrderInput, who: Who, values: dict | None = None
) -> tuple[CertificateOrder, bool]:
    """Create the tenant's order with this external id, or bring it up to date. Idempotent:
    the same data twice changes nothing and writes no event. Returns (order, created)."""
    order, result = order_upsert_result(tenant=tenant, data=data, who=who, values=values)
    return order, result == "created"


def order_upsert_result(
    *, tenant: Tenant, data: OrderInput, who: Who, values: dict | None = None
) -> tuple[CertificateOrder, str]:
    """`order_upsert`, telling "created", "updated" or "unchanged" (the import's report).
    `values`: the data already cleaned by `order_clean` (the import cleans every row first)."""
    values = values or order_clean(data)
    fields = {name: values[name] for name in ORDER_FIELDS}
    with transaction.atomic():
        try:
            with transaction.atomic():
                order, created = CertificateOrder.objects.select_for_update().get_or_create(
                    tenant=tenant, external_id=values["external_id"], defaults=fields
                )
        except IntegrityError:  # created by a concurrent request with the same external id
            order = CertificateOrder.objects.select_for_update().get(
                tenant=tenant, external_id=values["external_id"]
            )
            created = False
        if created:
            order_event_record(
                order=order, kind=OrderEvent.Kind.CREATED, who=who,
                text=f"Pedido {order.external_id} recebido ({order.product}).",
            )  # fmt: skip
            result = "created"
        else:
            result = (
                "updated" if _apply_changes(order=order, fields=fields, who=who) else "unchanged"
            )
        order_list_refresh(order=order, who=who)
    return order, result


def _display(order: CertificateOrder, name: str, value) -> str:
    if value in (None, ""):
        return "—"
    field = CertificateOrder._meta.get_field(name)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(value, dt.datetime):
        return clock.local(value).strftime("%d/%m/%Y %H:%M")
    return str(value)


def _apply_changes(*, order: CertificateOrder, fields: dict, who: Who) -> bool:
    changes = {}
    for name, value in fields.items():
        old = getattr(order, name)
        if old != value:
            changes[name] = (old, value)
            setattr(order, name, value)
    if not changes:
        return False
    order.save(update_fields=[*changes, "updated_at"])
    text = "; ".join(
        f"{FIELD_LABELS[n]}: {_display(order, n, a)} → {_display(order, n, b)}"
        for n, (a, b) in changes.items()
    )
    order_event_record(
        order=order, kind=OrderEvent.Kind.UPDATED, who=who, text=text,
        data={n: [str(a) if a is not None else None, str(b) if b is not None else None]
              for n, (a, b) in changes.items()},
    )  # fmt: skip
    return True


def order_list_refresh(*, order: CertificateOrder, who: Who) -> bool:
    """Put the order in the list its status says. Entering a list starts its playbook over
    (steps done, call task and follow-up cleared). True when the list changed."""
    target = order.computed_worklist()
    if target == order.worklist:
        return False
    previous = order.worklist
    order.worklist = target
    order.worklist_since = clock.now()
    order.steps_done = []
    order.call_task_at = None
    order.call_task_reason = ""
    order.follow_up_at = None
    order.save(
        update_fields=[
            "worklist", "worklist_since", "steps_done", "call_task_at", "call_task_reason",
            "follow_up_at", "updated_at",
        ]
    )  # fmt: skip
    text = (
        f"Entrou na lista “{Worklist(target).label}”."
        if target
        else f"Saiu da lista “{Worklist(previous).label}”."
    )
    order_event_record(
        order=order, kind=OrderEvent.Kind.LIST_CHANGED, who=who, text=text,
        from_list=previous, to_list=target,
    )  # fmt: skip
    return True


def order_assign(*, order: CertificateOrder, user: User | None, who: Who) -> CertificateOrder:
    """Give the order to an operator of its tenant (None: nobody)."""
    if user is not None and (user.tenant_id != order.tenant_id or not user.is_active):
        raise ApplicationError(
            code="triage_assignee_invalid", message="Responsável não encontrado nesta empresa.",
            status=422,
        )  # fmt: skip
    if user is not None and not user.has_perm_code(Perm.TRIAGE_WORK):
        raise ApplicationError(
            code="triage_assignee_not_operator",
            message="Este usuário não trabalha a triagem (sem a permissão de operador).",
            status=422,
        )
    with transaction.atomic():
        order = CertificateOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
        if order.assigned_to_id == (user.pk if user else None):
            return order
        order.assigned_to = user
        order.save(update_fields=["assigned_to", "updated_at"])
        text = f"Responsável: {user.display_name}." if user else "Sem responsável."
        order_event_record(order=order, kind=OrderEvent.Kind.ASSIGNED, who=who, text=text)
    return order
