"""Certificate orders, their events (the timeline) and the contacts made about them (seed 004)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.core import br, clock
from formaliza.core.models import TimeStampedModel
from formaliza.triage.worklists import OrderState, Step, Worklist, next_step, worklist_of


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pendente"
    PAID = "paid", "Pago"


class DocumentsStatus(models.TextChoices):
    PENDING = "pending", "Pendentes"
    RECEIVED = "received", "Recebidos"


class Attendance(models.TextChoices):
    UNKNOWN = "", "—"
    ATTENDED = "attended", "Compareceu"
    NO_SHOW = "no_show", "Não compareceu"


class Outcome(models.TextChoices):
    """What the operator records after each contact (the seed's "mantenha o sistema
    atualizado com o status de cada cliente")."""

    RESCHEDULED = "reagendado", "Reagendado"
    PAYMENT_PENDING = "pendente_pagamento", "Pendente de pagamento"
    DOCUMENTS_PENDING = "pendente_documentos", "Pendente de documentos"
    DEADLINE_AGREED = "prazo_combinado", "Prazo combinado com o cliente"
    CANCELLED = "cancelado", "Cancelado (fez em outro local)"
    NO_ANSWER = "sem_resposta", "Sem resposta / não atendeu"


class CertificateOrder(TimeStampedModel):
    """A client's digital-certificate order, as the sales system knows it (`external_id`),
    plus what triage keeps: its list, the assigned operator, the contacts and the tasks."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    external_id = models.CharField("código do pedido", max_length=80)
    client_name = models.CharField("cliente", max_length=200)
    client_document = models.CharField("CPF/CNPJ", max_length=14, blank=True)
    client_phone = models.CharField("celular", max_length=16, blank=True)
    client_email = models.EmailField("e-mail", blank=True)
    accountant_email = models.EmailField("e-mail da contabilidade", blank=True)
    product = models.CharField("produto", max_length=120)
    payment_status = models.CharField(
        "pagamento", max_length=8, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    payment_link = models.URLField("link de pagamento", max_length=500, blank=True)
    documents_status = models.CharField(
        "documentos", max_length=8, choices=DocumentsStatus.choices,
        default=DocumentsStatus.PENDING,
    )  # fmt: skip
    appointment_at = models.DateTimeField("agendamento", null=True, blank=True)
    attendance = models.CharField(
        "comparecimento", max_length=8, choices=Attendance.choices, blank=True, default=""
    )
    emitted_at = models.DateTimeField("emitido em", null=True, blank=True)
    cancelled_at = models.DateTimeField("cancelado em", null=True, blank=True)
    cancel_requested_at = models.DateTimeField("cancelamento pedido em", null=True, blank=True)

    # Triage's own state, kept by the services (never typed by hand).
    worklist = models.CharField(
        "lista", max_length=12, choices=Worklist.choices, blank=True, default=""
    )
    worklist_since = models.DateTimeField(default=clock.now)
    # Step kinds done since the order entered its current list (worklists.next_step).
    steps_done = models.JSONField(default=list, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="triage_orders", verbose_name="responsável",
    )  # fmt: skip
    last_contact_at = models.DateTimeField("último contato", null=True, blank=True)
    # The client did not answer: the order leaves the lists' "a fazer" until this moment (the
    # next morning, or the deadline agreed with the client) — the daily follow-up.
    follow_up_at = models.DateTimeField("retorno em", null=True, blank=True)
    # A rule escalated the order to a call: shown first in its list until a call is made.
    call_task_at = models.DateTimeField("tarefa de ligação desde", null=True, blank=True)
    call_task_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "pedido de certificado"
        verbose_name_plural = "pedidos de certificado"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"], name="triage_order_external_id_unique"
            ),
        ]
        indexes = [
            # A list's page order (call tasks first — NULLS LAST is PostgreSQL's ascending
            # default — then the longest in the list): read from the index, no sort.
            models.Index(
                fields=["tenant", "worklist", "call_task_at", "worklist_since", "id"],
                name="triage_order_list_page",
            ),
            models.Index(fields=["tenant", "assigned_to", "worklist"]),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} — {self.client_name}"

    @property
    def state(self) -> OrderState:
        return OrderState(
            paid=self.payment_status == PaymentStatus.PAID,
            documents_ok=self.documents_status == DocumentsStatus.RECEIVED,
            scheduled=self.appointment_at is not None,
            no_show=self.attendance == Attendance.NO_SHOW,
            emitted=self.emitted_at is not None,
            closed=self.cancelled_at is not None or self.cancel_requested_at is not None,
        )

    def computed_worklist(self) -> str:
        return worklist_of(self.state)

    @property
    def next_step(self) -> Step | None:
        return next_step(self.worklist, list(self.steps_done), self.call_task_at is not None)

    @property
    def document_display(self) -> str:
        return br.document_format(self.client_document) if self.client_document else ""

    @property
    def phone_display(self) -> str:
        return br.phone_format(self.client_phone) if self.client_phone else ""

    @property
    def first_name(self) -> str:
        return self.client_name.split(" ")[0] if self.client_name else ""


class ContactAttempt(models.Model):
    """One contact with the client (a call, a message, the accountant asked). Its outcome is
    required: an attempt without one blocks the next contact on the order."""

    class Kind(models.TextChoices):
        CALL = "call", "Ligação"
        MESSAGE = "message", "Mensagem"
        ACCOUNTANT = "accountant", "Contabilidade"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    order = models.ForeignKey(CertificateOrder, on_delete=models.CASCADE, related_name="attempts")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    worklist = models.CharField(max_length=12, choices=Worklist.choices, blank=True)
    started_at = models.DateTimeField(default=clock.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    author_label = models.CharField(max_length=200)
    channel = models.CharField(max_length=16, blank=True)  # whatsapp / sms / email / phone
    call_id = models.BigIntegerField(null=True, blank=True)  # telephony.Call, by id
    message_id = models.BigIntegerField(null=True, blank=True)  # conversations.Message, by id
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = "contato"
        indexes = [models.Index(fields=["order", "started_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%d/%m %H:%M}"

    @property
    def needs_outcome(self) -> bool:
        return not self.outcome


class OrderEvent(models.Model):
    """The order's timeline: every status change, contact, outcome and rule, with its time and
    author. Append-only; written by `events.order_event_record` only."""

    class Kind(models.TextChoices):
        CREATED = "created", "Pedido recebido"
        UPDATED = "updated", "Status atualizado"
        LIST_CHANGED = "list_changed", "Mudou de lista"
        ASSIGNED = "assigned", "Responsável definido"
        CONTACT = "contact", "Contato iniciado"
        OUTCOME = "outcome", "Resultado registrado"
        RULE = "rule", "Regra automática"
        BOOKED = "booked", "Agendamento"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    order = models.ForeignKey(CertificateOrder, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=clock.now)
    kind = models.CharField(max_length=14, choices=Kind.choices)
    author_kind = models.CharField(max_length=10)  # user | api_key | system | client
    author_label = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    from_list = models.CharField(max_length=12, blank=True)
    to_list = models.CharField(max_length=12, blank=True)
    text = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "evento do pedido"
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["order", "at"]),
            # The 14-day chart of entries to / exits from each list.
            models.Index(fields=["tenant", "kind", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m %H:%M} {self.text}"


class MessageTemplate(TimeStampedModel):
    """The tenant's text for one list (the seed's "Modelo de mensagem"), editable. Outside
    WhatsApp's 24-hour window the approved WhatsApp template named here goes instead (its body
    variables: {{1}} the client's first name, {{2}} the list's link)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    worklist = models.CharField(max_length=12, choices=Worklist.choices)
    body = models.TextField("texto")
    whatsapp_template = models.CharField(
        "modelo aprovado do WhatsApp (fora da janela de 24 h)", max_length=120, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = "modelo de mensagem da triagem"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "worklist"], name="triage_template_per_list_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.worklist}"


class RuleRun(models.Model):
    """One rule applied once to one state of an order (the scheduler's idempotency): the same
    rule on the same key never acts twice, however often or concurrently it runs."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    order = models.ForeignKey(CertificateOrder, on_delete=models.CASCADE, related_name="rule_runs")
    rule = models.CharField(max_length=40)
    key = models.CharField(max_length=80)
    at = models.DateTimeField(default=clock.now)
    result = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "rule", "key"], name="triage_rule_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}:{self.order_id}:{self.key}"


class Slot(models.Model):
    """A videoconference slot of the tenant with its capacity (how many clients at once)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    starts_at = models.DateTimeField("início")
    capacity = models.PositiveSmallIntegerField("vagas", default=1)

    class Meta:
        verbose_name = "horário de videoconferência"
        verbose_name_plural = "horários de videoconferência"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "starts_at"], name="triage_slot_unique"),
        ]

    def __str__(self) -> str:
        return clock.local(self.starts_at).strftime("%d/%m/%Y %H:%M")


class Booking(models.Model):
    """A client's booking of a slot from the link; one live booking per order."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    order = models.OneToOneField(CertificateOrder, on_delete=models.CASCADE, related_name="booking")
    booked_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "agendamento pelo link"

    def __str__(self) -> str:
        return f"{self.order_id} → {self.slot}"
