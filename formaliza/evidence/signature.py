"""Validating a sealed PDF from its bytes alone, with pyHanko's validator and our trust roots: a
readable PDF with exactly our seal, intact, by a trusted certificate, covering the whole file, with
a trusted RFC 3161 timestamp. Run on every freshly sealed file and by the public verification."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel

from formaliza.core.aio import outside_event_loop
from formaliza.evidence import pki
from formaliza.evidence.pdf import CODE_KEY, SEAL_FIELD
from formaliza.evidence.report import when

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str  # formato | selo | integridade | assinatura | certificado | cobertura |
    #            carimbo_do_tempo | registro | cadeia
    ok: bool
    message: str


@dataclass(frozen=True)
class SealValidation:
    checks: tuple[Check, ...]
    signer: str = ""
    timestamp_at: dt.datetime | None = None
    embedded_code: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def problems(self) -> list[str]:
        return [check.message for check in self.checks if not check.ok]


def _fail(name: str, message: str) -> SealValidation:
    return SealValidation(checks=(Check(name, False, message),))


def _embedded_code(reader: PdfFileReader) -> str:
    try:
        info = reader.trailer["/Info"].get_object()
        return str(info.get(CODE_KEY, ""))
    except (KeyError, AttributeError, PdfError):
        return ""


def certificate_label(certificate) -> str:
    """'Common name (Organization)', as people read a certificate's subject."""
    names = certificate.subject.native
    label = names.get("common_name") or certificate.subject.human_friendly
    organization = names.get("organization_name")
    return f"{label} ({organization})" if organization else label


# Each check of the seal: (what it says when it passes, when it fails). The verification page
# shows the passing ones only for a valid document (formaliza/evidence/verification.py).
SEAL_MESSAGES = {
    "integridade": (
        "O conteúdo não foi alterado depois do selo.",
        "O conteúdo foi alterado depois do selo: o resumo criptográfico (SHA-256) não confere.",
    ),
    "assinatura": (
        "A assinatura digital confere com o certificado.",
        "A assinatura digital não confere com o certificado.",
    ),
    "certificado": (
        "Selado por {subject}, certificado de autoridade confiável.",
        "O certificado que selou ({subject}) não é de uma autoridade em que o Formaliza confia.",
    ),
    "cobertura": (
        "A assinatura cobre o arquivo inteiro.",
        "Há conteúdo acrescentado ao arquivo depois do selo.",
    ),
    "carimbo_do_tempo": (
        "Carimbo do tempo de {timestamp}, de autoridade confiável.",
        "O selo não tem carimbo do tempo de uma autoridade em que o Formaliza confia.",
    ),
}


def seal_check(name: str, ok: bool, *, subject: str = "", timestamp: str = "") -> Check:
    passed, failed = SEAL_MESSAGES[name]
    return Check(name, ok, (passed if ok else failed).format(subject=subject, timestamp=timestamp))


def _seal_checks(status) -> tuple[Check, ...]:
    subject = certificate_label(status.signing_cert)
    ts = status.timestamp_validity
    ts_ok = ts is not None and ts.intact and ts.valid and ts.trusted
    covers_all = (
        status.coverage == SignatureCoverageLevel.ENTIRE_FILE and status.docmdp_ok is not False
    )
    return (
        seal_check("integridade", status.intact),
        seal_check("assinatura", status.valid),
        seal_check("certificado", status.trusted, subject=subject),
        seal_check("cobertura", covers_all),
        seal_check("carimbo_do_tempo", ts_ok, timestamp=when(ts.timestamp) if ts_ok else ""),
    )


def validate_seal(data: bytes) -> SealValidation:
    """Check the bytes alone: a readable PDF with exactly our seal, intact, trusted, covering the
    whole file, with a trusted timestamp."""
    if b"%PDF-" not in data[:1024]:
        return _fail("formato", "O arquivo não é um PDF.")
    try:
        reader = PdfFileReader(io.BytesIO(data))
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        logger.info("unreadable PDF in verification: %s", exc)
        return _fail("formato", "O PDF está corrompido ou foi alterado e não pôde ser lido.")
    code = _embedded_code(reader)
    ours = [sig for sig in signatures if sig.field_name == SEAL_FIELD]
    if not ours:
        return SealValidation(
            checks=(Check("selo", False, "O PDF não tem o selo digital do Formaliza."),),
            embedded_code=code,
        )
    context = pki.validation_context()
    try:
        status = outside_event_loop(
            validate_pdf_signature,
            ours[0],
            signer_validation_context=context,
            ts_validation_context=context,
        )
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
        logger.info("damaged signature in verification: %s", exc)
        return SealValidation(
            checks=(Check("assinatura", False, "A assinatura digital está danificada."),),
            embedded_code=code,
        )
    extra = () if len(signatures) == 1 else (
        Check("cobertura", False, "O arquivo recebeu outras assinaturas depois do selo."),
    )  # fmt: skip
    ts = status.timestamp_validity
    return SealValidation(
        checks=(Check("selo", True, "O PDF tem o selo digital do Formaliza."), *_seal_checks(status), *extra),
        signer=certificate_label(status.signing_cert),
        timestamp_at=ts.timestamp if ts is not None else None,
        embedded_code=code,
    )  # fmt: skip
