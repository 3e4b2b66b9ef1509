"""What interaction cards leave for people: notes on a conversation (the client's description,
a transfer's note, an attendant's remark) and satisfaction survey answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.conversations.models import Conversation


class ConversationNote(models.Model):
    """A note the attendants see beside the conversation's messages."""

    class Kind(models.TextChoices):
        DESCRIPTION = "description", "Descrição do cliente"
        TRANSFER = "transfer", "Transferência"
        NOTE = "note", "Observação"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="flow_notes"
    )
    run = models.ForeignKey(
        "flows.FlowRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    kind = models.CharField("tipo", max_length=12, choices=Kind.choices)
    text = models.TextField("texto")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("criada em")

    class Meta:
        verbose_name = "nota do atendimento"
        verbose_name_plural = "notas do atendimento"
        ordering = ["conversation", "created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"


class SurveyAnswer(models.Model):
    """One satisfaction score (1-5) the client gave, for the company or an attendant."""

    class Target(models.TextChoices):
        COMPANY = "company", "Empresa"
        ATTENDANT = "attendant", "Atendente"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="survey_answers"
    )
    run = models.ForeignKey(
        "flows.FlowRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    card = models.CharField(max_length=64, blank=True)
    score = models.PositiveSmallIntegerField("nota")
    target = models.CharField("avaliado", max_length=10, choices=Target.choices)
    attendant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="atendente",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("respondida em")

    class Meta:
        verbose_name = "resposta de pesquisa de satisfação"
        verbose_name_plural = "respostas de pesquisa de satisfação"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="survey_score_1_5"
            ),
            # One answer per target per asking card of a run (a replayed result records once).
            models.UniqueConstraint(
                fields=["run", "card", "target"],
                condition=models.Q(run__isnull=False),
                name="survey_answer_once_per_card",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "target", "created_at"])]

    def __str__(self) -> str:
        return f"{self.score} ({self.target})"
