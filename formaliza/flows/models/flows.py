"""Flows, their immutable published versions, and runs (one conversation going through a flow).

- `Flow`: a tenant's flow, with its editable draft (a format document) and the version new runs
  start on (`live`). `trigger` says what starts it: nothing (called by other flows or by hand),
  a client's first message in a new conversation, or a formalization request.
- `FlowVersion`: a published snapshot, never changed; runs keep the version they started on.
  Rolling back makes an earlier version live again.
- `FlowRun`: the engine's state for one conversation, with the current wait (card, token,
  deadline) in columns for the timer sweep. At most one active run per conversation.
- `FlowRunEvent`: each event applied to a run, keyed so that a duplicate (a replayed webhook, a
  timer fired twice) is recognized and ignored, with the actions it produced.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.conversations.models import Conversation
from formaliza.core.models import TimeStampedModel


class Flow(TimeStampedModel):
    class Trigger(models.TextChoices):
        MANUAL = "manual", "Chamado por outro fluxo ou manualmente"
        INBOUND = "inbound", "Novo atendimento iniciado pelo cliente"
        FORMALIZATION = "formalization", "Formalização aberta na esteira"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="flows")
    key = models.SlugField("chave", max_length=64)
    name = models.CharField("nome", max_length=120)
    description = models.TextField("descrição", blank=True)
    trigger = models.CharField(
        "início", max_length=20, choices=Trigger.choices, default=Trigger.MANUAL
    )
    draft = models.JSONField("rascunho", help_text="documento no formato formaliza.flow/1")
    live = models.ForeignKey(
        "FlowVersion",
        verbose_name="versão em uso",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "fluxo"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="flow_key_unique"),
            # One flow per automatic trigger per tenant.
            models.UniqueConstraint(
                fields=["tenant", "trigger"],
                condition=~models.Q(trigger="manual"),
                name="flow_one_per_trigger",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BusinessPeriod(models.Model):
    """A tenant's business hours: one opening period on one weekday (several per day allowed,
    e.g. 08:00-12:00 and 13:00-18:00). Used by the business-hours conditional."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="business_periods")
    weekday = models.PositiveSmallIntegerField(
        "dia da semana",
        choices=[
            (0, "Segunda"),
            (1, "Terça"),
            (2, "Quarta"),
            (3, "Quinta"),
            (4, "Sexta"),
            (5, "Sábado"),
            (6, "Domingo"),
        ],
    )
    start = models.TimeField("início")
    end = models.TimeField("fim")

    class Meta:
        verbose_name = "horário de atendimento"
        ordering = ["tenant", "weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class FlowVersion(models.Model):
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("versão")
    document = models.JSONField("documento")
    checksum = models.CharField("SHA-256", max_length=64)
    published_at = models.DateTimeField("publicada em")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField("observação", max_length=200, blank=True)

    class Meta:
        verbose_name = "versão de fluxo"
        verbose_name_plural = "versões de fluxo"
        ordering = ["flow", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "number"], name="flow_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.flow.key} v{self.number}"


class FlowRun(TimeStampedModel):
    class Status(models.TextChoices):
        RUNNING = "running", "Em execução"
        WAITING = "waiting", "Aguardando"
        ENDED = "ended", "Encerrado"
        TRANSFERRED = "transferred", "Transferido"
        FAILED = "failed", "Falhou"
        # Made for a conversation an attendant holds: it starts only when the attendant says so.
        PENDING = "pending", "Aguardando o atendente"

    ACTIVE = (Status.RUNNING, Status.WAITING)

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="flow_runs"
    )
    flow = models.ForeignKey(Flow, on_delete=models.PROTECT, related_name="runs")
    version = models.ForeignKey(FlowVersion, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    state = models.JSONField("estado", default=dict)
    card = models.CharField("card atual", max_length=64, blank=True)
    wait_token = models.CharField(max_length=20, blank=True)
    wait_until = models.DateTimeField(null=True, blank=True)
    steps = models.PositiveIntegerField(default=0)
    reason = models.CharField("motivo", max_length=300, blank=True)
    context = models.JSONField(
        "contexto", default=dict, blank=True, help_text="o que iniciou a execução (referências)"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "execução de fluxo"
        verbose_name_plural = "execuções de fluxo"
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"],
                condition=models.Q(status__in=["running", "waiting"]),
                name="flow_run_one_active_per_conversation",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "wait_until"]),
            models.Index(fields=["tenant", "flow", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.flow.key} #{self.pk}"


class FlowRunEvent(models.Model):
    class Outcome(models.TextChoices):
        APPLIED = "applied", "Aplicado"
        IGNORED = "ignored", "Ignorado"

    run = models.ForeignKey(FlowRun, on_delete=models.CASCADE, related_name="events")
    key = models.CharField(
        max_length=80
    )  # start | msg:<public id> | timer:<token> | result:<token>
    kind = models.CharField(max_length=10)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    card = models.CharField(max_length=64, blank=True)
    actions = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "evento de execução"
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="flow_run_event_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.key}"
