"""What a caller hands evidence to render, seal and verify: an `EvidenceBundle`.

The evidence app is generic: it does not know journeys, proposals or conversations. The journeys
app (later cases) builds a bundle from its own records and calls
`formaliza.evidence.services.sealed_document_request(tenant=..., bundle=..., requested_by=...)`.
Everything the final PDF shows comes from the bundle, except the event log, which evidence reads
itself from the subject's hash chain (`bundle.subject`).

Binary parts (contract PDFs, images) are copied to private storage when the seal is requested and
read back by the sealing task; the rest is kept as JSON (`bundle_to_manifest`). Hashes the caller
declares are checked against the bytes: the hash recorded in an evidence event during the journey
must be the hash of what is sealed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from formaliza.core import br
from formaliza.core.errors import FieldErrors
from formaliza.evidence.chain import canonical_json
from formaliza.evidence.subject import Subject

DEFAULT_LEGAL_NOTICE = (
    "As partes admitem como válido, nos termos do art. 10, § 2º, da Medida Provisória "
    "nº 2.200-2/2001, o meio eletrônico de comprovação da autoria e da integridade utilizado "
    "neste documento, cuja aceitação foi registrada nos termos de uso indicados neste laudo. "
    "A assinatura eletrônica atende aos requisitos de assinatura eletrônica avançada do art. 4º, "
    "inciso II, da Lei nº 14.063/2020: (a) está associada unicamente ao signatário, identificado "
    "por CPF, fotos do documento de identidade e selfie; (b) foi criada por meios que o "
    "signatário mantém sob seu controle exclusivo, com elevado nível de confiança — o link "
    "entregue ao telefone/WhatsApp informado e a sessão vinculada a ele; (c) está relacionada "
    "aos dados assinados de tal modo que qualquer modificação posterior é detectável — resumos "
    "SHA-256 dos documentos e imagens, cadeia de hashes dos eventos, selo PAdES da plataforma e "
    "carimbo do tempo RFC 3161. Dados pessoais e biométricos são tratados conforme a LGPD "
    "(Lei nº 13.709/2018), para identificação do titular e prevenção à fraude."
)

IMAGE_KINDS = {
    "id_front": "Documento de identidade — frente",
    "id_back": "Documento de identidade — verso",
    "selfie": "Selfie",
}


@dataclass(frozen=True)
class Originator:
    """Who created the journey, and from where."""

    organization: str  # the tenant (promotora), as the client knows it
    organization_document: str = ""  # CNPJ
    created_by: str = ""  # user or integrator that created/approved it
    channel: str = ""  # e.g. "Back office", "API (Integrador X)"
    branch: str = ""
    ip: str | None = None


@dataclass(frozen=True)
class ContractDocument:
    """One contract of the journey. Exactly one of `pdf` or `html` (rendered by us with
    WeasyPrint; external resources are refused). `sha256` is the hash of `pdf`, or of `html`
    encoded in UTF-8 — the same value the journey recorded when it showed the contract.

    `html_rendered` optionally carries `html` already rendered by `report.html_to_pdf` (done in
    the background while the client was still reading, so sealing does not render it again)."""

    title: str
    contract_number: str
    sha256: str
    proposal_number: str = ""
    pdf: bytes | None = None
    html: str | None = None
    html_rendered: bytes | None = None


@dataclass(frozen=True)
class AuthenticationCheck:
    method: str  # e.g. "Link individual enviado por WhatsApp", "Selfie × documento"
    result: str  # e.g. "aprovado", "reprovado", "inconclusivo"
    at: dt.datetime | None = None
    detail: str = ""


@dataclass(frozen=True)
class Signer:
    name: str
    cpf: str
    phone: str  # E.164, the phone the link was delivered to
    email: str = ""
    phone_is_own: bool | None = None  # False: the seed allows another person's phone; flagged
    role: str = "Cliente"
    authentications: tuple[AuthenticationCheck, ...] = ()
    ip: str | None = None
    user_agent: str = ""
    device: str = ""
    session_id: str = ""  # a hash, never the session key
    sent_at: dt.datetime | None = None
    opened_at: dt.datetime | None = None
    signed_at: dt.datetime | None = None
    declined_at: dt.datetime | None = None
    decline_reason: str = ""


@dataclass(frozen=True)
class MessageReceipt:
    status: str  # sent | delivered | read | failed
    at: dt.datetime


@dataclass(frozen=True)
class WhatsAppMessage:
    """One message of the WhatsApp trail, with the provider's id and its receipts."""

    direction: str  # "out" (to the client) | "in" (from the client)
    message_id: str  # the provider's id (wamid...)
    phone: str  # E.164 of the client side
    at: dt.datetime
    template_name: str = ""
    template_language: str = ""
    variables: tuple[str, ...] = ()
    text: str = ""
    receipts: tuple[MessageReceipt, ...] = ()
    # What the message was, in the caller's words, when it knows neither the template nor the
    # text that went out (e.g. "Link da formalização — primeiro envio (provedor: whatsapp)").
    description: str = ""


@dataclass(frozen=True)
class TermsAcceptance:
    version: str
    sha256: str  # of the terms text as shown
    accepted_at: dt.datetime
    title: str = "Termos de uso"
    text: str = ""  # optional; when given, `sha256` must be its hash


@dataclass(frozen=True)
class ReadingProof:
    """Proof that a contract was read before signing was enabled. The reading time is the
    server's: from serving the contract (`shown_at`) to receiving the proof of its end
    (`reached_end_at`). What the signer's device reported is kept apart, as its claim."""

    contract_number: str
    max_scroll_fraction: float  # 0.0 .. 1.0
    # None only in manifests written before the server measured it (shown as unknown).
    server_seconds: float | None = None
    reached_end_at: dt.datetime | None = None
    shown_at: dt.datetime | None = None
    client_seconds: float | None = None  # the device's own count, never trusted
    min_seconds: float | None = None  # the floor the proof had to pass


@dataclass(frozen=True)
class ConditionsSnapshot:
    """The commercial and financial conditions exactly as displayed (label, value) and their
    hash, `conditions_sha256(items)`, which the journey records when it shows them."""

    proposal_number: str
    items: tuple[tuple[str, str], ...]
    sha256: str
    displayed_at: dt.datetime | None = None


@dataclass(frozen=True)
class FaceMatch:
    decision: str  # "sim" | "não" | "inconclusivo" (the caller may say how: "sim — revisão humana")
    model: str
    score: float | None = None
    threshold: float | None = None  # the score from which the match is accepted
    model_version: str = ""
    method: str = ""  # detector, alignment, embedding, metric
    review_threshold: float | None = None  # from here up to `threshold`: a person decides
    decided_at: dt.datetime | None = None
    attempts: int = 0  # selfies compared before this one was decided
    reviewer: str = ""  # who decided, when a person did
    reviewed_at: dt.datetime | None = None
    review_reason: str = ""


@dataclass(frozen=True)
class Geolocation:
    latitude: float
    longitude: float
    accuracy_m: float
    captured_at: dt.datetime | None = None


@dataclass(frozen=True)
class ImageEvidence:
    kind: str  # id_front | id_back | selfie
    content: bytes  # the stored image (JPEG/PNG/WebP); the report shows a watermarked thumbnail
    sha256: str  # of `content`
    captured_at: dt.datetime
    # When `content` is a copy derived from what the device sent (re-encoded, metadata removed),
    # the SHA-256 of the bytes as received — the hash the caller recorded at capture time.
    original_sha256: str = ""
    retakes: int = 0
    face_detected: bool | None = None
    face_detection_detail: str = ""
    face_match: FaceMatch | None = None
    geolocation: Geolocation | None = None


@dataclass(frozen=True)
class EvidenceBundle:
    subject: Subject  # whose event chain goes into the report (e.g. Subject("journey", id))
    reference: str  # stamped on every page (the journey/envelope id)
    title: str  # shown on the PUBLIC verification page too: no personal data here
    originator: Originator
    created_at: dt.datetime
    contracts: tuple[ContractDocument, ...]
    signers: tuple[Signer, ...]
    sent_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    reference_label: str = "Formalização"
    messages: tuple[WhatsAppMessage, ...] = ()
    terms: TermsAcceptance | None = None
    reading: tuple[ReadingProof, ...] = ()
    conditions: tuple[ConditionsSnapshot, ...] = ()
    images: tuple[ImageEvidence, ...] = ()
    # pt-BR descriptions of the caller's event kinds, for the report's event log.
    event_labels: dict[str, str] = field(default_factory=dict)
    legal_notice: str = DEFAULT_LEGAL_NOTICE


_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def contract_sha256(*, pdf: bytes | None = None, html: str | None = None) -> str:
    """The hash a contract is known by: of the PDF bytes, or of the HTML in UTF-8."""
    if pdf is not None:
        return sha256_hex(pdf)
    return sha256_hex((html or "").encode())


def conditions_sha256(items: tuple[tuple[str, str], ...] | list) -> str:
    """Hash of the displayed conditions: SHA-256 of the canonical JSON of [[label, value], ...]."""
    return sha256_hex(canonical_json([[str(a), str(b)] for a, b in items]).encode())


# --- validation --------------------------------------------------------------------------------


def _aware(errors: FieldErrors, name: str, value: dt.datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        errors.add(name, "naive_datetime", "Data e hora sem fuso horário.")


def _validate_contracts(errors: FieldErrors, bundle: EvidenceBundle) -> None:
    if not bundle.contracts:
        errors.add("contracts", "required", "Informe ao menos um contrato.")
    numbers = [c.contract_number for c in bundle.contracts]
    if len(set(numbers)) != len(numbers):
        errors.add("contracts", "duplicate_number", "Há contratos com o mesmo número.")
    for n, contract in enumerate(bundle.contracts):
        name = f"contracts[{n}]"
        if (contract.pdf is None) == (contract.html is None):
            errors.add(name, "pdf_or_html", "Informe o PDF ou o HTML do contrato (só um deles).")
            continue
        if contract.pdf is not None and b"%PDF-" not in contract.pdf[:1024]:
            errors.add(name + ".pdf", "not_pdf", "O contrato informado não é um PDF.")
        if contract.html_rendered is not None and (
            contract.html is None or b"%PDF-" not in contract.html_rendered[:1024]
        ):
            errors.add(
                name + ".html_rendered",
                "not_pdf",
                "A versão renderizada acompanha um contrato em HTML e precisa ser um PDF.",
            )
        actual = contract_sha256(pdf=contract.pdf, html=contract.html)
        if contract.sha256.lower() != actual:
            errors.add(
                name + ".sha256",
                "hash_mismatch",
                f"O SHA-256 informado para o contrato {contract.contract_number} não confere com "
                "o conteúdo.",
            )


def _validate_signers(errors: FieldErrors, bundle: EvidenceBundle) -> None:
    if not bundle.signers:
        errors.add("signers", "required", "Informe ao menos um signatário.")
    for n, signer in enumerate(bundle.signers):
        if br.cpf_normalize(signer.cpf) is None:
            errors.add(f"signers[{n}].cpf", "cpf_invalid", f"CPF inválido: {signer.cpf}.")
        for attr in ("sent_at", "opened_at", "signed_at", "declined_at"):
            _aware(errors, f"signers[{n}].{attr}", getattr(signer, attr))


def _both_aware(*values: dt.datetime | None) -> bool:
    return all(v is not None and v.utcoffset() is not None for v in values)


def _validate_reading_time(errors: FieldErrors, field: str, proof: ReadingProof) -> None:
    """The server's reading time must be the span between the two instants it was taken from."""
    _aware(errors, f"{field}.shown_at", proof.shown_at)
    _aware(errors, f"{field}.reached_end_at", proof.reached_end_at)
    if proof.server_seconds is None:
        return
    if proof.server_seconds < 0:
        errors.add(field, "seconds", "O tempo de leitura não pode ser negativo.")
    elif _both_aware(proof.shown_at, proof.reached_end_at):
        span = (proof.reached_end_at - proof.shown_at).total_seconds()
        if abs(span - proof.server_seconds) > 1.0:
            errors.add(
                field, "seconds",
                "O tempo de leitura não corresponde ao intervalo entre a exibição do contrato "
                "e o fim da leitura.",
            )  # fmt: skip


def _validate_details(errors: FieldErrors, bundle: EvidenceBundle) -> None:
    numbers = {c.contract_number for c in bundle.contracts}
    for n, proof in enumerate(bundle.reading):
        if proof.contract_number not in numbers:
            errors.add(
                f"reading[{n}]", "unknown_contract", f"Contrato {proof.contract_number} não está."
            )
        if not 0.0 <= proof.max_scroll_fraction <= 1.0:
            errors.add(f"reading[{n}]", "fraction", "A fração de rolagem vai de 0 a 1.")
        _validate_reading_time(errors, f"reading[{n}]", proof)
    for n, snapshot in enumerate(bundle.conditions):
        if snapshot.sha256.lower() != conditions_sha256(snapshot.items):
            errors.add(
                f"conditions[{n}].sha256",
                "hash_mismatch",
                f"O SHA-256 das condições da proposta {snapshot.proposal_number} não confere.",
            )
    terms = bundle.terms
    if terms is not None:
        _aware(errors, "terms.accepted_at", terms.accepted_at)
        if terms.text and terms.sha256.lower() != sha256_hex(terms.text.encode()):
            errors.add("terms.sha256", "hash_mismatch", "O SHA-256 dos termos não confere.")
    for n, image in enumerate(bundle.images):
        if image.kind not in IMAGE_KINDS:
            errors.add(f"images[{n}].kind", "unknown_kind", f"Tipo de imagem {image.kind}?")
        if image.sha256.lower() != sha256_hex(image.content):
            errors.add(
                f"images[{n}].sha256",
                "hash_mismatch",
                f"O SHA-256 da imagem {IMAGE_KINDS.get(image.kind, image.kind)} não confere.",
            )
        _aware(errors, f"images[{n}].captured_at", image.captured_at)
        if image.original_sha256 and not _SHA256.fullmatch(image.original_sha256):
            errors.add(
                f"images[{n}].original_sha256",
                "invalid_hash",
                "O SHA-256 do original deve ter 64 caracteres hexadecimais.",
            )
    for n, message in enumerate(bundle.messages):
        _aware(errors, f"messages[{n}].at", message.at)


def bundle_validate(bundle: EvidenceBundle) -> None:
    """Raise ValidationFailed (code `validation_failed`, pt-BR messages) unless the bundle is
    complete and every declared hash matches its content."""
    errors = FieldErrors()
    if not bundle.reference.strip():
        errors.add("reference", "required", "Informe o identificador da formalização.")
    if not bundle.title.strip():
        errors.add("title", "required", "Informe o título.")
    for attr in ("created_at", "sent_at", "completed_at"):
        _aware(errors, attr, getattr(bundle, attr))
    _validate_contracts(errors, bundle)
    _validate_signers(errors, bundle)
    _validate_details(errors, bundle)
    errors.raise_if_any()


# --- manifest: the bundle as JSON, with binary parts kept apart --------------------------------

_BLOB_KEY = "$blob"
_adapter = TypeAdapter(EvidenceBundle)


def _dump(value: Any, save_blob: Callable[[bytes], str]) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _dump(getattr(value, f.name), save_blob) for f in dataclasses.fields(value)}
    if isinstance(value, bytes):
        return {_BLOB_KEY: save_blob(value)}
    if isinstance(value, list | tuple):
        return [_dump(item, save_blob) for item in value]
    if isinstance(value, dict):
        return {str(k): _dump(v, save_blob) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _load(value: Any, load_blob: Callable[[str], bytes]) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BLOB_KEY}:
            return load_blob(value[_BLOB_KEY])
        return {k: _load(v, load_blob) for k, v in value.items()}
    if isinstance(value, list):
        return [_load(item, load_blob) for item in value]
    return value


def bundle_to_manifest(bundle: EvidenceBundle, *, save_blob: Callable[[bytes], str]) -> dict:
    """JSON-able dict of the bundle; each bytes value is replaced by `{"$blob": save_blob(b)}`."""
    return _dump(bundle, save_blob)


def bundle_from_manifest(manifest: dict, *, load_blob: Callable[[str], bytes]) -> EvidenceBundle:
    return _adapter.validate_python(_load(manifest, load_blob))
