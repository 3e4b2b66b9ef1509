"""What interaction cards leave for people: satisfaction survey answers. (The notes a flow
writes when it hands a conversation over are the conversation layer's `ConversationNote`.)"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.conversations.models import Conversation


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
