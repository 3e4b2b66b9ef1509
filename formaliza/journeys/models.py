"""The client's formalization journey: one per formalization request, its links, what the client
was shown (terms, conditions snapshot, contracts) and did (reading proofs, photos, signature), the
messages sent to the client, and the operator tasks opened from the journey.

Photos live in Django STORAGES (only their storage name and hashes are here); every step also
writes an evidence event (formaliza.evidence) through the services.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models

from formaliza.accounts.models import Tenant, User
from formaliza.contacts.models import Contact
from formaliza.core import br, clock
from formaliza.core.crypto import EncryptedTextField
from formaliza.core.models import TimeStampedModel
from formaliza.proposals.models import CatalogEntry, FormalizationRequest, Proposal


class Step(models.TextChoices):
    """The client's steps, in order (seed 000, "Visão Cliente")."""

    WELCOME = "welcome", "Boas-vindas"
    TERMS = "terms", "Termos de uso"
    CONDITIONS = "conditions", "Condições"
    CONTRACTS = "contracts", "Leitura dos contratos"
    ID_FRONT = "id_front", "Documento (frente)"
    ID_BACK = "id_back", "Documento (verso)"
    SELFIE = "selfie", "Selfie"
    CONFIRM = "confirm", "Confirmação e assinatura"
    DONE = "done", "Concluída"


# The timestamp that marks each step as done.
STEP_DONE_FIELD = {
    Step.WELCOME: "welcome_at",
    Step.TERMS: "terms_accepted_at",
    Step.CONDITIONS: "conditions_confirmed_at",
    Step.CONTRACTS: "contracts_read_at",
    Step.ID_FRONT: "id_front_at",
    Step.ID_BACK: "id_back_at",
    Step.SELFIE: "selfie_at",
    Step.CONFIRM: "signed_at",
}


class JourneyTerms(models.Model):
    """A version of a tenant's terms of use. Immutable: a change is a new version. The client
    accepts the version pinned on the journey; its SHA-256 covers exactly what was shown."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="journey_terms")
    version = models.PositiveIntegerField()
    title = models.CharField("título", max_length=150)
    body = models.TextField("texto")
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=clock.now)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = "termos de uso"
        verbose_name_plural = "termos de uso"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version"], name="journey_terms_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (versão {self.version})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("terms versions are immutable: publish a new version")
        super().save(*args, **kwargs)


class ContractTemplate(TimeStampedModel):
    """The contract text of a product (a Django template filled with the proposal's data). A row
    without product is the tenant's default for every product."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="contract_templates")
    product = models.ForeignKey(
        CatalogEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField("título", max_length=150)
    body = models.TextField("modelo")
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = "modelo de contrato"
        verbose_name_plural = "modelos de contrato"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "product"], name="contract_template_per_product"
            ),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(product__isnull=True),
                name="contract_template_tenant_default",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Journey(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Em andamento"
        STOPPED = "stopped", "Parada (aguardando operador)"
        SIGNED = "signed", "Assinada"
        EXPIRED = "expired", "Expirada"
        CANCELLED = "cancelled", "Cancelada"

    OPEN_STATUSES = (Status.ACTIVE, Status.STOPPED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="journeys")
    request = models.OneToOneField(
        FormalizationRequest, on_delete=models.PROTECT, related_name="journey"
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="journeys")
    cpf = models.CharField(max_length=11)
    phone = models.CharField(max_length=16)  # E.164, the formalization mobile
    client_name = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Asked on the welcome step: the seed allows signing on someone else's phone; flag it.
    phone_is_own = models.BooleanField(null=True, blank=True)
    expires_at = models.DateTimeField()

    terms = models.ForeignKey(JourneyTerms, on_delete=models.PROTECT, related_name="+")
    # What the conditions page shows, exactly (formatted strings), and its SHA-256.
    conditions_snapshot = models.JSONField(default=dict)
    conditions_sha256 = models.CharField(max_length=64)

    first_sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    welcome_at = models.DateTimeField(null=True, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    conditions_confirmed_at = models.DateTimeField(null=True, blank=True)
    contracts_read_at = models.DateTimeField(null=True, blank=True)
    id_front_at = models.DateTimeField(null=True, blank=True)
    id_back_at = models.DateTimeField(null=True, blank=True)
    selfie_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    completion_sent_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # expired or cancelled
    closed_reason = models.CharField(max_length=300, blank=True)
    # `formalization.completed` went to the integrator once the final PDF was sealed; the event
    # id is empty when no webhook endpoint of the tenant wanted it.
    integrator_notified_at = models.DateTimeField(null=True, blank=True)
    integrator_event_id = models.UUIDField(null=True, blank=True)

    class Meta:
        verbose_name = "jornada"
        constraints = [
            # Seed 000: only one formalization per phone per CPF at a time.
            models.UniqueConstraint(
                fields=["tenant", "phone", "cpf"],
                condition=models.Q(status__in=["active", "stopped"]),
                name="one_active_journey_per_phone_and_cpf",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"Jornada {self.request.number}"

    @property
    def phone_display(self) -> str:
        return br.phone_format(self.phone)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def current_step(self) -> str:
        for step, field_name in STEP_DONE_FIELD.items():
            if getattr(self, field_name) is None:
                return step
        return Step.DONE

    def step_done_at(self, step: str) -> dt.datetime | None:
        return getattr(self, STEP_DONE_FIELD[step])


class JourneyLink(models.Model):
    """A link to a journey. Only the SHA-256 of its token is looked up; the token itself is kept
    encrypted so the same link can be sent again. One current (not revoked) link per journey."""

    class Reason(models.TextChoices):
        INITIAL = "initial", "Primeiro link"
        RENEWED = "renewed", "Renovado"
        REQUESTED = "requested", "Pedido pelo cliente"

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    token = EncryptedTextField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=120, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "link de jornada"
        constraints = [
            models.UniqueConstraint(
                fields=["journey"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_current_link_per_journey",
            ),
        ]
        indexes = [models.Index(fields=["journey", "-created_at"])]

    def __str__(self) -> str:
        return f"Link {self.pk} da jornada {self.journey_id}"

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return (now or clock.now()) >= self.expires_at


def _contract_pdf_path(instance: JourneyContract, filename: str) -> str:
    journey = instance.journey
    return f"journeys/{journey.tenant_id}/{journey.pk}/contract-{instance.position:02d}.pdf"


class JourneyContract(models.Model):
    """One proposal's contract as rendered for this journey (frozen at the journey's start) and
    the client's proof of reading it."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="contracts")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=150)
    html = models.TextField()
    sha256 = models.CharField(max_length=64)
    template_sha256 = models.CharField(max_length=64)
    # `html` rendered to PDF in the background while the client reads (the seal then only
    # assembles it); empty until that task ran — sealing renders it itself in that case.
    rendered_pdf = models.FileField(upload_to=_contract_pdf_path, blank=True, max_length=300)
    # The reading proof. The server's clock measures it (`shown_at`: the contracts page was
    # served; `read_at`: the proof of the end arrived; `server_seconds` between them);
    # `client_seconds` is only what the phone claims, kept beside it, never trusted.
    shown_at = models.DateTimeField(null=True, blank=True)
    max_fraction = models.FloatField(default=0.0)
    client_seconds = models.FloatField(default=0.0)
    read_at = models.DateTimeField(null=True, blank=True)
    server_seconds = models.FloatField(null=True, blank=True)
    # The floor the proof had to pass (seconds since served) and how many came too soon.
    read_min_seconds = models.FloatField(null=True, blank=True)
    fast_proofs = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["journey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "proposal"], name="journey_contract_once"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        """The contract's number as printed on it (the built-in CCB prints the proposal's)."""
        return self.proposal.number


class CaptureKind(models.TextChoices):
    ID_FRONT = "id_front", "Documento (frente)"
    ID_BACK = "id_back", "Documento (verso)"
    SELFIE = "selfie", "Selfie"


def _capture_path(instance: JourneyCapture, filename: str) -> str:
    journey = instance.journey
    return (
        f"journeys/{journey.tenant_id}/{journey.pk}/"
        f"{instance.kind}-{instance.attempt:02d}-{uuid.uuid4().hex[:12]}.jpg"
    )


class JourneyCapture(models.Model):
    """One photo sent by the client: accepted (its display copy stored) or refused (nothing
    stored, the reason kept). The original's SHA-256 is the evidence of what the phone sent."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="captures")
    kind = models.CharField(max_length=10, choices=CaptureKind.choices)
    attempt = models.PositiveSmallIntegerField()
    accepted = models.BooleanField()
    refusal_code = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=10, blank=True)  # camera | file (as the page says)
    client_retakes = models.PositiveSmallIntegerField(default=0)
    original_sha256 = models.CharField(max_length=64, blank=True)
    original_bytes = models.PositiveIntegerField(default=0)
    original_format = models.CharField(max_length=10, blank=True)
    original_width = models.PositiveIntegerField(null=True, blank=True)
    original_height = models.PositiveIntegerField(null=True, blank=True)
    had_location = models.BooleanField(default=False)
    image = models.FileField(upload_to=_capture_path, max_length=200, blank=True)
    display_sha256 = models.CharField(max_length=64, blank=True)
    display_width = models.PositiveIntegerField(null=True, blank=True)
    display_height = models.PositiveIntegerField(null=True, blank=True)
    blur_score = models.FloatField(null=True, blank=True)
    face = models.JSONField(default=dict, blank=True)
    # ID photos: where the card was found and what it showed (text lines, printed face).
    document = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["journey", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "kind", "attempt"], name="journey_capture_attempt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.attempt}"


class CaptureAccess(models.Model):
    """Who opened a captured photo in the back office, and when (LGPD: biometric data)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    capture = models.ForeignKey(JourneyCapture, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    accessed_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        ordering = ["-accessed_at"]

    def __str__(self) -> str:
        return f"{self.user_id} viu {self.capture_id} em {self.accessed_at:%Y-%m-%d %H:%M}"


class JourneyIssue(TimeStampedModel):
    """A task for an operator opened from the journey: the client's "Algo errado?", or the
    final PDF of a signed journey that could not be sealed (resolved by itself once sealed)."""

    class Kind(models.TextChoices):
        CLIENT = "client", "Algo errado? (cliente)"
        SEAL = "seal", "Falha na selagem do documento"

    class Status(models.TextChoices):
        OPEN = "open", "Aberta"
        RESOLVED = "resolved", "Resolvida"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="journey_issues")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="issues")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CLIENT)
    # Seal failures: the evidence app's document (its page has "Tentar selar de novo").
    sealed_document_id = models.UUIDField(null=True, blank=True)
    step = models.CharField(max_length=12, choices=Step.choices)
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        verbose_name = "pendência de jornada"
        verbose_name_plural = "pendências de jornadas"
        indexes = [models.Index(fields=["tenant", "status", "-created_at"])]
        constraints = [
            # A seal that fails again updates the open task instead of opening another.
            models.UniqueConstraint(
                fields=["journey"],
                condition=models.Q(kind="seal", status="open"),
                name="one_open_seal_issue_per_journey",
            ),
        ]

    def __str__(self) -> str:
        return f"Pendência {self.pk} ({self.get_status_display()})"


class JourneyNotification(TimeStampedModel):
    """A message to the client (the link, the completion notice) on its way through the
    ClientMessenger port. The row makes sending idempotent and retried, and shows failures."""

    class Kind(models.TextChoices):
        LINK = "link", "Link"
        COMPLETION = "completion", "Conclusão"

    class Status(models.TextChoices):
        PENDING = "pending", "Na fila"
        SENT = "sent", "Enviada"
        FAILED = "failed", "Falhou"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE)
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.CharField(max_length=20, blank=True)  # initial | resend | renew | requested
    link = models.ForeignKey(JourneyLink, on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=40, blank=True)
    provider_message_id = models.CharField(max_length=120, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["journey", "created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


class FaceMatchPolicy(TimeStampedModel):
    """A tenant's face-match settings. Without a row the defaults of settings apply
    (JOURNEY_FACE_MATCH_*): see `selectors.face_match_policy`."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField("conferência facial ligada", default=True)
    accept_threshold = models.FloatField("aceitar a partir de")
    review_threshold = models.FloatField("revisão humana a partir de")
    max_attempts = models.PositiveSmallIntegerField("selfies antes da revisão")
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = "política de conferência facial"
        verbose_name_plural = "políticas de conferência facial"

    def __str__(self) -> str:
        return f"Conferência facial de {self.tenant_id}"


def _face_crop_path(instance: FaceMatch, filename: str) -> str:
    journey = instance.journey
    return (
        f"journeys/{journey.tenant_id}/{journey.pk}/"
        f"face-crop-{instance.attempt:02d}-{uuid.uuid4().hex[:12]}.jpg"
    )


class FaceMatch(TimeStampedModel):
    """One comparison of an accepted selfie with the accepted ID front, run in the background
    (services/face_match.py). Its thresholds are the tenant's at the time it was decided."""

    class Status(models.TextChoices):
        PENDING = "pending", "Em conferência"
        ACCEPTED = "accepted", "Aceita"
        REVIEW = "review", "Em revisão humana"
        REFUSED = "refused", "Recusada (nova selfie pedida)"
        APPROVED = "approved", "Aprovada na revisão"
        REJECTED = "rejected", "Reprovada na revisão"

    # The identity is settled (the seal may go) / refused for good.
    CLEARED = (Status.ACCEPTED, Status.APPROVED)

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="face_matches")
    selfie = models.OneToOneField(JourneyCapture, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(JourneyCapture, on_delete=models.PROTECT, related_name="+")
    attempt = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    outcome = models.CharField(max_length=20, blank=True)  # ports.FaceOutcome
    score = models.FloatField(null=True, blank=True)
    accept_threshold = models.FloatField()
    review_threshold = models.FloatField()
    max_attempts = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=300, blank=True)
    model = models.CharField(max_length=120, blank=True)
    model_version = models.CharField(max_length=200, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    selfie_box = models.JSONField(null=True, blank=True)
    document_box = models.JSONField(null=True, blank=True)
    document_crop = models.FileField(upload_to=_face_crop_path, max_length=200, blank=True)
    reason = models.CharField(max_length=300, blank=True)  # why review / why a new selfie
    decided_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewer_name = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = "conferência facial"
        verbose_name_plural = "conferências faciais"
        ordering = ["journey", "attempt"]
        indexes = [models.Index(fields=["tenant", "status", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["journey", "attempt"], name="face_match_attempt"),
        ]

    def __str__(self) -> str:
        return f"Conferência facial #{self.attempt} ({self.get_status_display()})"

    @property
    def is_cleared(self) -> bool:
        return self.status in self.CLEARED
