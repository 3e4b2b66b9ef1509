"""What the system cards keep: registrations linked to a phone (accounts), internal groups and
their notices, metric counts, and bulk sends of an interactive template with each recipient's
result. Exported by `flows.models` (one app, one migration history)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from formaliza.accounts.models import Tenant
from formaliza.contacts.models import Contact
from formaliza.conversations.models import Conversation, Message
from formaliza.core.models import TimeStampedModel


class LinkedAccount(TimeStampedModel):
    """A registration (contact with a CPF/CNPJ) reachable from a phone: someone who pays the
    bills of two registrations from one WhatsApp. At most one is active per phone; the active
    one is the conversation's contact after an account switch."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    phone = models.CharField("telefone (E.164)", max_length=16)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField("ativa", default=False)

    class Meta:
        verbose_name = "conta vinculada"
        verbose_name_plural = "contas vinculadas"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "phone", "contact"], name="linked_account_unique"
            ),
            models.UniqueConstraint(
                fields=["tenant", "phone"],
                condition=models.Q(active=True),
                name="linked_account_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phone} → {self.contact}"


class NotifyGroup(TimeStampedModel):
    """An internal group (e.g. "Supervisão") that flows can notify: its users see the notice
    in the back office; its e-mails receive it by e-mail."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="notify_groups")
    name = models.CharField("nome", max_length=80)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="usuários", blank=True, related_name="+"
    )
    emails = models.JSONField("e-mails", default=list, blank=True)

    class Meta:
        verbose_name = "grupo interno"
        verbose_name_plural = "grupos internos"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="notify_group_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class GroupNotice(models.Model):
    """One notice to one member of a group (read or not)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    group = models.ForeignKey(NotifyGroup, on_delete=models.CASCADE, related_name="notices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField("texto")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "aviso interno"
        verbose_name_plural = "avisos internos"
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text[:60]


class MetricCount(models.Model):
    """How many runs took each path of a metric card (counted atomically)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    flow_key = models.CharField("fluxo", max_length=64)
    card = models.CharField("card", max_length=64)
    path = models.CharField("caminho", max_length=10)  # positive | negative
    count = models.PositiveIntegerField("quantidade", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "contagem de métrica"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "flow_key", "card", "path"], name="metric_count_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.flow_key}/{self.card}/{self.path}: {self.count}"


class BulkSend(TimeStampedModel):
    """An interactive template sent to a list of phones from a flow whose start card is a
    `bulk_template` card; each recipient's conversation then runs that flow, waiting for the
    reply."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Na fila"
        SENDING = "sending", "Enviando"
        DONE = "done", "Concluído"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    flow = models.ForeignKey("flows.Flow", on_delete=models.PROTECT, related_name="bulk_sends")
    channel = models.ForeignKey("conversations.Channel", on_delete=models.PROTECT, related_name="+")
    card = models.CharField("card", max_length=64)
    template = models.CharField("modelo", max_length=512)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField("enviados", default=0)
    failed = models.PositiveIntegerField("falhas", default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "envio em massa"
        verbose_name_plural = "envios em massa"

    def __str__(self) -> str:
        return f"{self.template} ({self.done + self.failed}/{self.total})"


class BulkRecipient(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pendente"
        SENT = "sent", "Enviado"
        FAILED = "failed", "Falhou"
        REPLIED = "replied", "Respondeu"

    bulk = models.ForeignKey(BulkSend, on_delete=models.CASCADE, related_name="recipients")
    phone = models.CharField("telefone", max_length=32)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.CharField("erro", max_length=300, blank=True)
    reply = models.CharField("resposta", max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "destinatário de envio em massa"
        constraints = [
            models.UniqueConstraint(fields=["bulk", "phone"], name="bulk_recipient_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.phone}: {self.status}"
