"""Verifying a sealed PDF, uploaded or found by its code: what the bytes say (`signature`) plus
what only our records can tell — that the file is one we sealed, and that the subject's event
chain is intact and still holds the events the report shows. The verdict is plain pt-BR:
"válido" or "inválido" with the reason."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.files.storage import storages

from formaliza.evidence.bundle import sha256_hex
from formaliza.evidence.models import EvidenceEvent, SealedDocument
from formaliza.evidence.report import when
from formaliza.evidence.selectors import sealed_document_by_code, sealed_document_by_sha256
from formaliza.evidence.services.events import evidence_chain_verify
from formaliza.evidence.signature import Check, validate_seal

logger = logging.getLogger(__name__)
PARTICLES = {"da", "de", "do", "das", "dos", "e"}


# The order in which failures are told: the most basic first (a lay reader gets one reason).
CHECK_ORDER = (
    "formato", "selo", "integridade", "cobertura", "assinatura", "certificado",
    "carimbo_do_tempo", "registro", "cadeia",
)  # fmt: skip
VALID_REASON = (
    "Documento íntegro, idêntico ao selado pelo Formaliza, com assinatura, carimbo do tempo e "
    "cadeia de evidências válidos."
)
INVALID_ADVICE = (
    "Não use este arquivo como prova do documento assinado: peça o original a quem o enviou ou "
    "verifique pelo código impresso no documento."
)
SKIPPED = "Sem efeito: o documento foi reprovado em outra verificação."


@dataclass(frozen=True)
class Detail:
    """One line under the verdict. `ok` is the check's own result; `state` is how it reads:
    failed, ok (only in a valid document), info (a plain fact about the seal the file carries,
    vouching for nothing) or skipped (true of the bytes, but meaningless once the document has
    failed: a signature that "confere" over altered content)."""

    name: str
    ok: bool
    state: str  # ok | failed | info | skipped
    message: str


@dataclass(frozen=True)
class Verification:
    checks: tuple[Check, ...]
    sha256: str = ""
    document: SealedDocument | None = None
    signer: str = ""
    timestamp_at: dt.datetime | None = None

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def verdict(self) -> str:
        return "válido" if self.valid else "inválido"

    @property
    def failures(self) -> list[Check]:
        failed = [check for check in self.checks if not check.ok]
        return sorted(
            failed, key=lambda c: CHECK_ORDER.index(c.name) if c.name in CHECK_ORDER else 99
        )

    @property
    def reason(self) -> str:
        failures = self.failures
        return failures[0].message if failures else VALID_REASON

    @property
    def advice(self) -> str:
        return "" if self.valid else INVALID_ADVICE

    def _fact(self, check: Check) -> str:
        """What a passed check of a failed document may still say: a fact, not a verdict."""
        if check.name == "certificado" and self.signer:
            return f"Certificado do selo presente no arquivo: {self.signer}."
        if check.name == "carimbo_do_tempo" and self.timestamp_at is not None:
            return (
                f"Data do carimbo do tempo do selo presente no arquivo: {when(self.timestamp_at)}."
            )
        return ""

    @property
    def details(self) -> tuple[Detail, ...]:
        """The lines under the verdict, in order: every check passed for a valid document; the
        failures, then plain facts, for a failed one — never a line that vouches for it."""
        if self.valid:
            return tuple(Detail(c.name, True, "ok", c.message) for c in self.checks)
        failed = [Detail(c.name, False, "failed", c.message) for c in self.failures]
        rest = []
        for check in (c for c in self.checks if c.ok):
            fact = self._fact(check)
            rest.append(Detail(check.name, True, "info" if fact else "skipped", fact or SKIPPED))
        return (*failed, *rest)


def _chain_check(document: SealedDocument) -> Check:
    verdict = evidence_chain_verify(subject=document.subject)
    if not verdict.ok:
        return Check("cadeia", False, f"A cadeia de eventos foi alterada: {verdict.problems[0]}")
    sealed_head = EvidenceEvent.objects.filter(
        subject_type=document.subject_type,
        subject_id=document.subject_id,
        sequence=document.chain_length,
    ).first()
    if sealed_head is None or sealed_head.hash != document.chain_last_hash:
        return Check(
            "cadeia", False, "Os eventos que constam do laudo não conferem com os registrados."
        )
    return Check(
        "cadeia",
        True,
        f"Cadeia de {verdict.events} eventos íntegra; os {document.chain_length} eventos do "
        "laudo conferem.",
    )


def verify_pdf(*, data: bytes) -> Verification:
    """Verify an uploaded file."""
    digest = sha256_hex(data)
    seal = validate_seal(data)
    document = sealed_document_by_sha256(sha256=digest)
    if document is not None:
        record = Check(
            "registro", True,
            f"Idêntico ao documento {document.code}, selado em {when(document.sealed_at)}.",
        )  # fmt: skip
        checks = (*seal.checks, record, _chain_check(document))
    else:
        claimed = seal.embedded_code and sealed_document_by_code(code=seal.embedded_code)
        message = (
            f"Este arquivo não é idêntico ao documento {claimed.code} que o Formaliza selou."
            if claimed
            else "Este arquivo não corresponde a nenhum documento selado pelo Formaliza."
        )
        checks = (*seal.checks, Check("registro", False, message))
    return Verification(
        checks=checks, sha256=digest, document=document, signer=seal.signer,
        timestamp_at=seal.timestamp_at,
    )  # fmt: skip


def verify_code(*, code: str) -> Verification | None:
    """Verify the document we keep under `code` (what the QR code opens). None: unknown code."""
    document = sealed_document_by_code(code=code)
    if document is None:
        return None
    if document.status != SealedDocument.Status.SEALED:
        message = (
            "A selagem deste documento falhou; a empresa responsável foi avisada."
            if document.status == SealedDocument.Status.FAILED
            else "Este documento ainda está sendo selado. Tente novamente em alguns minutos."
        )
        return Verification(checks=(Check("registro", False, message),), document=document)
    try:
        with storages["default"].open(document.file_name, "rb") as handle:
            data = handle.read()
    except OSError:
        logger.exception("sealed file %s missing", document.file_name)
        return Verification(
            checks=(Check("registro", False, "O arquivo selado não está disponível."),),
            document=document,
        )
    seal = validate_seal(data)
    digest = sha256_hex(data)
    same = digest == document.sha256
    record = Check(
        "registro",
        same,
        f"O arquivo guardado é idêntico ao selado em {when(document.sealed_at)}."
        if same
        else "O arquivo guardado não é idêntico ao que foi selado.",
    )
    return Verification(
        checks=(*seal.checks, record, _chain_check(document)), sha256=digest, document=document,
        signer=seal.signer, timestamp_at=seal.timestamp_at,
    )  # fmt: skip


def mask_name(name: str) -> str:
    """'Maria da Silva Santos' -> 'Maria S. S.' (the public page shows no full names)."""
    parts = [p for p in name.split() if p]
    if not parts:
        return ""
    initials = [f"{p[0].upper()}." for p in parts[1:] if p.lower() not in PARTICLES]
    return " ".join([parts[0], *initials])


def mask_cpf(cpf: str) -> str:
    digits = "".join(ch for ch in cpf if ch.isdigit())
    return f"***.{digits[3:6]}.{digits[6:9]}-**" if len(digits) == 11 else "***"


def public_summary(document: SealedDocument) -> dict:
    """What the public page may show about a document: no personal data beyond masked names."""
    signers = document.manifest.get("signers", [])
    return {
        "code": document.code,
        "title": document.title,
        "reference": document.reference,
        "organization": document.tenant.name,
        "status": document.status,
        "sealed_at": document.sealed_at,
        "sha256": document.sha256,
        "page_count": document.page_count,
        "signers": [
            {"name": mask_name(s.get("name", "")), "cpf": mask_cpf(s.get("cpf", ""))}
            for s in signers
        ],
    }
