"""Sealing: the caller requests a seal inside its own transaction; a background task builds the
final PDF, seals it, stores it and tells the callers named in settings.EVIDENCE_SEALED_HANDLERS.

Failures are never silent: every attempt is logged; a retryable failure (timestamp authority or
storage unreachable) keeps the document pending with its reason and the time of the next attempt;
a terminal one (broken evidence chain, unreadable contract, bad certificate) or the last retry
marks it failed with the reason, shown in the back office, where it can be retried.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.module_loading import import_string
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from formaliza.accounts.actors import Actor
from formaliza.accounts.models import Tenant
from formaliza.accounts.roles import Perm
from formaliza.core import clock
from formaliza.core.errors import ApplicationError, Conflict, NotFound
from formaliza.core.tasks import backoff_delay, enqueue
from formaliza.evidence import pdf
from formaliza.evidence.bundle import (
    EvidenceBundle,
    bundle_from_manifest,
    bundle_to_manifest,
    bundle_validate,
    sha256_hex,
)
from formaliza.evidence.models import EvidenceChainHead, SealAttempt, SealedDocument
from formaliza.evidence.pki import PkiError
from formaliza.evidence.selectors import CODE_ALPHABET
from formaliza.evidence.services.events import (
    EvidenceActor,
    evidence_chain_verify,
    evidence_event_record,
    evidence_events,
)
from formaliza.evidence.signature import validate_seal

SEALED_DOCUMENT_SEAL_TASK = "formaliza.evidence.tasks.sealed_document_seal"

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 300
SEALED_EVENT = "evidence.sealed"


class SealFailure(Exception):
    """An attempt to produce the seal failed; `retryable` (storage or TSA unavailable) is tried
    again with backoff, anything else fails the document for a person to retry.

    Not an `ApplicationError`, on purpose: it never leaves the seal worker (`_produce` raises
    it, `sealed_document_seal` records it as the document's `last_error` and the attempt's
    error). People see the document's status and last error, not this exception."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


def _storage():
    return storages["default"]


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def verification_url(code: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("verification:code", args=[code])


def _save_blob(prefix: str, data: bytes) -> str:
    # Named by content: writing the same part twice (a retried request) is harmless.
    name = f"{prefix}/{sha256_hex(data)}"
    if not _storage().exists(name):
        name = _storage().save(name, ContentFile(data))
    return name


def sealed_document_request(
    *, tenant: Tenant, bundle: EvidenceBundle, requested_by: str = ""
) -> SealedDocument:
    """Ask for the subject's final PDF to be built and sealed. Call it inside the transaction
    that completes the subject: the document and its task commit (or roll back) with it.
    Idempotent per subject: asking again returns the existing document."""
    bundle_validate(bundle)
    subject = bundle.subject
    with transaction.atomic():
        # Locking the chain head serializes requests (and appends) for this subject.
        head = (
            EvidenceChainHead.objects.select_for_update()
            .filter(subject_type=subject.type, subject_id=subject.id)
            .first()
        )
        if head is None or head.tenant_id != tenant.pk or head.last_sequence == 0:
            raise ApplicationError(
                code="evidence_chain_empty",
                message="Não há eventos de evidência registrados para esta formalização.",
                status=409,
            )
        existing = SealedDocument.objects.filter(
            subject_type=subject.type, subject_id=subject.id
        ).first()
        if existing is not None:
            return existing
        document_id = uuid.uuid4()
        inputs = f"evidence/{tenant.pk}/{document_id}/inputs"
        manifest = bundle_to_manifest(bundle, save_blob=lambda data: _save_blob(inputs, data))
        document = SealedDocument.objects.create(
            id=document_id, tenant=tenant, subject_type=subject.type, subject_id=subject.id,
            reference=bundle.reference[:64], title=bundle.title[:200], code=_new_code(),
            requested_by=requested_by[:200], manifest=manifest, inputs_path=inputs,
            next_attempt_at=clock.now(),
        )  # fmt: skip
        enqueue(SEALED_DOCUMENT_SEAL_TASK, str(document.pk))
    return document


@dataclass(frozen=True)
class _Produced:
    data: bytes
    page_count: int
    chain_length: int
    chain_last_hash: str
    signer: str
    timestamp_at: dt.datetime | None


def _load_blob(name: str) -> bytes:
    try:
        with _storage().open(name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError as exc:
        raise SealFailure(
            "Um arquivo de entrada (contrato ou imagem) sumiu do armazenamento.", retryable=False
        ) from exc
    except OSError as exc:
        raise SealFailure(f"Armazenamento indisponível: {exc}", retryable=True) from exc
    if name.rsplit("/", 1)[-1] != sha256_hex(data):
        raise SealFailure(
            "Um arquivo de entrada (contrato ou imagem) foi alterado no armazenamento.",
            retryable=False,
        )
    return data


def _produce(document: SealedDocument) -> _Produced:
    bundle = bundle_from_manifest(document.manifest, load_blob=_load_blob)
    # The report shows these events and the document records their head; events appended while
    # sealing (a late receipt) come after them, and the verification below covers them too.
    events = evidence_events(subject=bundle.subject)
    verdict = evidence_chain_verify(subject=bundle.subject)
    if not verdict.ok:
        raise SealFailure(f"Cadeia de eventos quebrada: {verdict.problems[0]}", retryable=False)
    if not events:
        raise SealFailure("Nenhum evento de evidência registrado.", retryable=False)
    try:
        assembled = pdf.final_pdf_build(
            bundle=bundle, events=events, code=document.code,
            verification_url=verification_url(document.code), generated_at=clock.now(),
        )  # fmt: skip
        sealed = pdf.seal(
            pdf=assembled.data, stamps=assembled.stamps, label=bundle.reference_label,
            reference=bundle.reference, code=document.code,
        )  # fmt: skip
    except pdf.PdfInputError as exc:
        raise SealFailure(str(exc), retryable=False) from exc
    except PkiError as exc:
        raise SealFailure(str(exc), retryable=False) from exc
    except TimestampRequestError as exc:
        cause = f" ({type(exc.__cause__).__name__})" if exc.__cause__ else ""
        raise SealFailure(
            f"A autoridade de carimbo do tempo não respondeu ({settings.EVIDENCE_TSA_URL}): "
            f"{exc}{cause}",
            retryable=True,
        ) from exc
    except SigningError as exc:
        raise SealFailure(f"A assinatura falhou: {exc}", retryable=False) from exc
    except OSError as exc:
        raise SealFailure(f"Falha de entrada e saída ao selar: {exc}", retryable=True) from exc
    check = validate_seal(sealed)
    if not check.ok:
        raise SealFailure(
            f"O selo gerado não passou na verificação: {check.problems[0]}", retryable=False
        )
    return _Produced(
        data=sealed, page_count=len(assembled.stamps), chain_length=len(events),
        chain_last_hash=events[-1].hash, signer=check.signer, timestamp_at=check.timestamp_at,
    )  # fmt: skip


def _claim(document_id: str) -> tuple[SealedDocument, SealAttempt] | None:
    now = clock.now()
    with transaction.atomic():
        document = (
            SealedDocument.objects.select_for_update()
            .select_related("tenant")
            .filter(pk=document_id)
            .first()
        )
        if document is None or document.status != SealedDocument.Status.PENDING:
            return None  # sealed already (a duplicate task) or failed
        if document.next_attempt_at and document.next_attempt_at > now:
            return None  # a duplicate task that woke early; the scheduled one will run
        if document.claimed_until and document.claimed_until > now:
            return None  # another worker is sealing it right now
        document.attempts += 1
        document.claimed_until = now + dt.timedelta(seconds=CLAIM_SECONDS)
        document.save(update_fields=["attempts", "claimed_until", "updated_at"])
        number = (document.attempt_log.aggregate(n=Max("number"))["n"] or 0) + 1
        attempt = SealAttempt.objects.create(document=document, number=number, started_at=now)
    return document, attempt


def _store(document: SealedDocument, data: bytes) -> str:
    name = f"evidence/{document.tenant_id}/{document.pk}/formaliza-{document.code}.pdf"
    storage = _storage()
    try:
        if storage.exists(name):  # left by an attempt that died before committing
            storage.delete(name)
        return storage.save(name, ContentFile(data))
    except OSError as exc:
        raise SealFailure(f"Armazenamento indisponível: {exc}", retryable=True) from exc


def _delete_inputs(prefix: str) -> None:
    """Once sealed, the final PDF holds what the report needs; the copies of contracts and
    images made for sealing are removed (the journey keeps its originals)."""
    storage = _storage()
    try:
        _, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{prefix}/{name}")


def _mark_sealed(document: SealedDocument, produced: _Produced, file_name: str) -> None:
    now = clock.now()
    document.status = SealedDocument.Status.SEALED
    document.file_name = file_name
    document.sha256 = sha256_hex(produced.data)
    document.size = len(produced.data)
    document.page_count = produced.page_count
    document.chain_length = produced.chain_length
    document.chain_last_hash = produced.chain_last_hash
    document.signer_certificate = produced.signer[:300]
    document.timestamp_at = produced.timestamp_at
    document.sealed_at = now
    document.last_error = ""
    document.next_attempt_at = None
    evidence_event_record(
        tenant=document.tenant, subject=document.subject, kind=SEALED_EVENT,
        actor=EvidenceActor("system", "Formaliza (selo)"),
        data={"document_id": str(document.pk), "code": document.code, "sha256": document.sha256,
              "pages": produced.page_count, "chain_length": produced.chain_length,
              "chain_last_hash": produced.chain_last_hash},
    )  # fmt: skip
    for path in settings.EVIDENCE_SEALED_HANDLERS:
        import_string(path).enqueue(str(document.pk))
    prefix = document.inputs_path
    transaction.on_commit(lambda: _delete_inputs(prefix))


def _finish(
    document: SealedDocument, attempt: SealAttempt, started: float, failure: SealFailure | None,
    produced: _Produced | None, file_name: str,
) -> str:  # fmt: skip
    now = clock.now()
    will_retry = failure is not None and failure.retryable and (
        document.attempts < settings.EVIDENCE_SEAL_MAX_ATTEMPTS
    )  # fmt: skip
    with transaction.atomic():
        attempt.finished_at = now
        attempt.error = failure.message[:500] if failure else ""
        attempt.will_retry = will_retry
        attempt.duration_ms = int((time.monotonic() - started) * 1000)
        attempt.save()
        document.claimed_until = None
        if failure is None:
            _mark_sealed(document, produced, file_name)
        elif will_retry:
            document.last_error = failure.message[:500]
            delay = backoff_delay(
                document.attempts,
                base=settings.EVIDENCE_SEAL_BACKOFF_BASE_SECONDS,
                cap=settings.EVIDENCE_SEAL_BACKOFF_MAX_SECONDS,
            )
            document.next_attempt_at = now + dt.timedelta(seconds=delay)
            enqueue(SEALED_DOCUMENT_SEAL_TASK, str(document.pk), run_after=document.next_attempt_at)
        else:
            document.status = SealedDocument.Status.FAILED
            document.last_error = failure.message[:500]
            document.next_attempt_at = None
            for path in settings.EVIDENCE_SEAL_FAILED_HANDLERS:
                import_string(path).enqueue(str(document.pk))
        document.save()
    return document.status


def sealed_document_seal(*, document_id: str) -> str:
    """One sealing attempt (the task). Idempotent: a sealed, failed or busy document is left
    alone. The claim is committed before the work, so no lock is held while it runs."""
    claimed = _claim(document_id)
    if claimed is None:
        return "skipped"
    document, attempt = claimed
    started = time.monotonic()
    failure: SealFailure | None = None
    produced: _Produced | None = None
    file_name = ""
    try:
        produced = _produce(document)
        file_name = _store(document, produced.data)
    except SealFailure as exc:
        failure = exc
    except Exception as exc:
        # A bug must not leave the document silently pending: it is retried, then shown.
        logger.exception("unexpected failure sealing %s", document.pk)
        failure = SealFailure(f"Erro inesperado ao selar ({type(exc).__name__}).", retryable=True)
    if failure is not None:
        logger.warning(
            "sealing %s attempt %s failed: %s", document.pk, document.attempts, failure.message
        )
    return _finish(document, attempt, started, failure, produced, file_name)


@transaction.atomic
def sealed_document_retry(*, actor: Actor, document_id: str) -> SealedDocument:
    """Someone in the back office asks for a new round of attempts (failed, or pending after a
    failed attempt)."""
    actor.require(Perm.EVIDENCE_RETRY)
    try:
        pk = uuid.UUID(str(document_id))
    except ValueError as exc:
        raise NotFound("Documento selado") from exc
    document = SealedDocument.objects.select_for_update().filter(tenant=actor.tenant, pk=pk).first()
    if document is None:
        raise NotFound("Documento selado")
    if document.status == SealedDocument.Status.SEALED:
        raise Conflict("already_sealed", "Este documento já foi selado.")
    document.status = SealedDocument.Status.PENDING
    document.attempts = 0
    document.next_attempt_at = clock.now()
    document.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    enqueue(SEALED_DOCUMENT_SEAL_TASK, str(document.pk))
    logger.info("sealing of %s retried by %s", document.pk, actor.label)
    return document


def sealed_documents_sweep(*, grace_seconds: int = 120) -> int:
    """Re-enqueue pending documents whose attempt is overdue (their task was lost with a dead
    worker). Duplicate tasks are harmless: the claim lets one attempt through."""
    now = clock.now()
    overdue = SealedDocument.objects.filter(
        status=SealedDocument.Status.PENDING,
        next_attempt_at__lte=now - dt.timedelta(seconds=grace_seconds),
    ).exclude(claimed_until__gt=now)
    count = 0
    for document_id in overdue.values_list("pk", flat=True)[:500]:
        enqueue(SEALED_DOCUMENT_SEAL_TASK, str(document_id))
        count += 1
    return count
