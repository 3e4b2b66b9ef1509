"""The evidence bundle of a signed journey: everything the sealed PDF's report shows, read from
the journey's own records (see docs/journeys.md, "What the seal gets").

Hashes are never recomputed into something new: each one is the hash the journey recorded in its
evidence events while the client went through the steps (contract HTML, terms text, conditions
per proposal, photos), and the evidence app checks every declared hash against the bytes it is
given. Something stored that no longer matches what was recorded raises `EvidenceUnavailable`.

The WhatsApp trail is every message the conversations layer holds for the journey (those sent
with `reference="journey:<id>"`, with template, variables, text and the provider's receipts),
plus the journey's own notifications that did not go through that layer (the console and fake
messengers), with the provider's message id and no receipts: none are made up.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from formaliza.conversations.models import Message
from formaliza.conversations.selectors import messages_by_reference
from formaliza.core.errors import ApplicationError
from formaliza.core.ids import sha256_hex
from formaliza.evidence.bundle import (
    AuthenticationCheck,
    ConditionsSnapshot,
    ContractDocument,
    EvidenceBundle,
    FaceMatch,
    ImageEvidence,
    MessageReceipt,
    Originator,
    ReadingProof,
    Signer,
    TermsAcceptance,
    WhatsAppMessage,
    conditions_sha256,
)
from formaliza.evidence.models import EvidenceEvent
from formaliza.evidence.report import RECEIPT_STATUSES
from formaliza.evidence.services import Subject, evidence_events
from formaliza.journeys import documents
from formaliza.journeys.events import EVENT_LABELS
from formaliza.journeys.models import (
    CaptureKind,
    Journey,
    JourneyCapture,
    JourneyContract,
    JourneyNotification,
)
from formaliza.journeys.models import (
    FaceMatch as JourneyFaceMatch,
)
from formaliza.journeys.selectors import contract_rendered_pdf
from formaliza.proposals.choices import Decision
from formaliza.proposals.models import ActivityChange

logger = logging.getLogger(__name__)

REFERENCE_LABEL = "Jornada"
_LINK_TOKEN = re.compile(r"(/j/)[A-Za-z0-9_-]{20,}")
NOTIFICATION_LABELS = {
    ("link", "initial"): "Link da formalização — primeiro envio",
    ("link", "resend"): "Link da formalização — reenviado",
    ("link", "renew"): "Link da formalização — link novo (renovado)",
    ("link", "requested"): "Link da formalização — pedido pelo cliente",
    ("completion", "signed"): "Aviso de conclusão da assinatura",
}


class EvidenceUnavailable(ApplicationError):
    """What was stored during the journey no longer matches what its events recorded (or cannot
    be read): signing must not complete without its evidence."""

    def __init__(self, detail: str):
        super().__init__(
            code="evidence_unavailable",
            message="Não conseguimos reunir agora as evidências da sua assinatura, por isso ela "
            "ainda não foi concluída. Tente assinar de novo em alguns minutos.",
            status=503,
        )
        self.detail = detail


def subject_of(journey: Journey) -> Subject:
    return Subject("journey", str(journey.pk))


def journey_title(contracts: Sequence[JourneyContract]) -> str:
    """Public on the verification page: counts and product names only, no personal data."""
    products = sorted({c.proposal.product.name for c in contracts})
    noun = "contrato" if len(contracts) == 1 else "contratos"
    return f"Formalização digital — {len(contracts)} {noun}: {', '.join(products)}"[:200]


def device_from_user_agent(user_agent: str) -> str:
    """A readable device from a browser's user agent ("Android 10 · SM-A105M · Chrome 120")."""
    parts: list[str] = []
    platform = re.search(r"\(([^)]*)\)", user_agent or "")
    tokens = [t.strip() for t in platform.group(1).split(";")] if platform else []
    android = next((t for t in tokens if t.startswith("Android")), "")
    if android:
        parts.append(android)
        model = tokens[tokens.index(android) + 1] if tokens.index(android) + 1 < len(tokens) else ""
        if model and model not in ("K", "wv") and not model.startswith("rv:"):
            parts.append(model)
    ios = re.search(r"(iPhone|iPad).*? OS (\d+(?:_\d+)*)", user_agent or "")
    if ios:
        parts.append(f"{ios.group(1)} · iOS {ios.group(2).replace('_', '.')}")
    browser = re.search(
        r"(Firefox|SamsungBrowser|Edg|OPR|Chrome|CriOS|Version)/(\d+)", user_agent or ""
    )
    if browser:
        name = {"Edg": "Edge", "OPR": "Opera", "CriOS": "Chrome", "Version": "Safari"}.get(
            browser.group(1), browser.group(1)
        )
        parts.append(f"{name} {browser.group(2)}")
    return " · ".join(parts)


def _last(events: list[EvidenceEvent], kind: str) -> EvidenceEvent | None:
    return next((e for e in reversed(events) if e.kind == kind), None)


def _originator(journey: Journey, contracts: Sequence[JourneyContract]) -> Originator:
    """The tenant, who typed the proposals (users or integrators) and their branch."""
    proposal_ids = [c.proposal_id for c in contracts]
    creators = (
        ActivityChange.objects.filter(proposal_id__in=proposal_ids, decision=Decision.CREATE)
        .order_by("created_at")
        .values_list("actor_label", "actor_kind")
    )
    typed_by = list(dict.fromkeys(label for label, _kind in creators))
    via_api = any(kind == "api_key" for _label, kind in creators)
    branches = list(
        dict.fromkeys(f"{c.proposal.branch.code} — {c.proposal.branch.name}"
                      for c in contracts if c.proposal.branch_id)
    )  # fmt: skip
    channel = "API do integrador" if via_api else "Back office"
    return Originator(
        organization=journey.tenant.name,
        organization_document=journey.tenant.cnpj,
        created_by="; ".join(typed_by) + f" (formalização {journey.request.number} aberta por "
        f"{journey.request.opened_by})",
        channel=channel,
        branch="; ".join(branches),
    )


def _contracts(contracts: Sequence[JourneyContract]) -> tuple[ContractDocument, ...]:
    # The exact HTML the client read; its SHA-256 is the one `journey.created`, `contract.read`
    # and `journey.signed` recorded (evidence checks it against the HTML and renders it).
    return tuple(
        ContractDocument(
            title=c.title, contract_number=c.number, proposal_number=c.proposal.number,
            html=c.html, sha256=c.sha256, html_rendered=contract_rendered_pdf(c),
        )
        for c in contracts
    )  # fmt: skip


def _accepted(captures: list[JourneyCapture], kind: str) -> JourneyCapture | None:
    return next((c for c in reversed(captures) if c.kind == kind and c.accepted), None)


def _retakes(captures: list[JourneyCapture], kind: str) -> int:
    # As `journey.signed` counts them: refusals plus retakes made on the phone before sending.
    of_kind = [c for c in captures if c.kind == kind]
    return sum(1 for c in of_kind if not c.accepted) + sum(c.client_retakes for c in of_kind)


def _decimal(value: float | None, places: int = 2) -> str:
    return "—" if value is None else f"{value:.{places}f}".replace(".", ",")


def _face_detail(face: dict) -> str:
    if not face or face.get("box") is None:
        return ""
    where = "dentro da moldura oval" if face.get("inside_oval") else "fora da moldura oval"
    detector = str(face.get("detector", "")).replace("_", " ")  # lets the report's cell wrap
    return (
        f"{where}; largura {face.get('size_ratio', 0) * 100:.0f}% da moldura; "
        f"confiança {_decimal(face.get('confidence'))}; detector {detector}"
    )


def _read_image(capture: JourneyCapture) -> bytes:
    try:
        with capture.image.open("rb") as handle:
            content = handle.read()
    except (OSError, ValueError) as exc:
        raise EvidenceUnavailable(f"photo {capture.pk} unreadable: {exc}") from exc
    if sha256_hex(content) != capture.display_sha256:
        raise EvidenceUnavailable(f"photo {capture.pk} changed in storage")
    return content


FACE_DECISIONS = {
    JourneyFaceMatch.Status.ACCEPTED: "sim — aceita automaticamente",
    JourneyFaceMatch.Status.APPROVED: "sim — aprovada na revisão humana",
}


def _face_match(journey: Journey) -> JourneyFaceMatch | None:
    """The comparison that cleared the journey (the seal is only requested once one has)."""
    latest = journey.face_matches.select_related("selfie").order_by("-attempt").first()
    return latest if latest is not None and latest.is_cleared else None


def _face_evidence(match: JourneyFaceMatch | None) -> FaceMatch | None:
    if match is None:
        return None
    return FaceMatch(
        decision=FACE_DECISIONS[match.status], model=match.model or "—", score=match.score,
        threshold=match.accept_threshold, model_version=match.model_version,
        method=match.method, review_threshold=match.review_threshold,
        decided_at=match.reviewed_at or match.decided_at, attempts=match.attempt,
        reviewer=match.reviewer_name, reviewed_at=match.reviewed_at,
        review_reason=match.review_reason,
    )  # fmt: skip


def _images(
    captures: list[JourneyCapture], match: JourneyFaceMatch | None = None
) -> tuple[ImageEvidence, ...]:
    images = []
    for kind in CaptureKind.values:
        capture = _accepted(captures, kind)
        if capture is None:
            raise EvidenceUnavailable(f"no accepted {kind} photo")
        selfie = kind == CaptureKind.SELFIE
        images.append(
            ImageEvidence(
                kind=kind, content=_read_image(capture), sha256=capture.display_sha256,
                original_sha256=capture.original_sha256, captured_at=capture.created_at,
                retakes=_retakes(captures, kind),
                face_detected=(capture.face.get("box") is not None) if selfie else None,
                face_detection_detail=_face_detail(capture.face) if selfie else "",
                face_match=_face_evidence(match) if selfie and match is not None
                and match.selfie_id == capture.pk else None,
            )
        )  # fmt: skip
    return tuple(images)


def _conditions(journey: Journey) -> tuple[ConditionsSnapshot, ...]:
    if documents.snapshot_sha256(journey.conditions_snapshot) != journey.conditions_sha256:
        raise EvidenceUnavailable("conditions snapshot does not match its recorded hash")
    snapshots = []
    for proposal in journey.conditions_snapshot["propostas"]:
        items = documents.conditions_items(proposal)
        snapshots.append(
            ConditionsSnapshot(
                proposal_number=proposal["numero"], items=items, sha256=conditions_sha256(items)
            )
        )
    return tuple(snapshots)


def _terms(journey: Journey) -> TermsAcceptance:
    terms = journey.terms
    # The text is given so evidence checks the hash the client accepted against it.
    return TermsAcceptance(
        version=str(terms.version), sha256=terms.sha256, accepted_at=journey.terms_accepted_at,
        title=terms.title, text=f"{terms.title}\n\n{terms.body}",
    )  # fmt: skip


def _reading(contracts: Sequence[JourneyContract]) -> tuple[ReadingProof, ...]:
    return tuple(
        ReadingProof(
            contract_number=c.number, max_scroll_fraction=round(c.max_fraction, 4),
            server_seconds=round(c.server_seconds or 0.0, 1), reached_end_at=c.read_at,
            shown_at=c.shown_at, client_seconds=round(c.client_seconds, 1),
            min_seconds=c.read_min_seconds,
        )
        for c in contracts
    )  # fmt: skip


def _sent_messages(journey: Journey) -> list[JourneyNotification]:
    return list(
        journey.notifications.filter(status=JourneyNotification.Status.SENT).order_by("sent_at")
    )


def conversation_reference(journey: Journey) -> str:
    """The `reference` a journey's messages carry in the conversations layer."""
    return f"journey:{journey.pk}"


def _template_variables(content: dict) -> tuple[str, ...]:
    return tuple(
        str(parameter.get("text", ""))
        for component in content.get("components", [])
        if component.get("type") == "body"
        for parameter in component.get("parameters", [])
    )


def _conversation_message(message: Message) -> WhatsAppMessage:
    content = message.content or {}
    template = content.get("name", "") if content.get("type") == "template" else ""
    return WhatsAppMessage(
        direction="out" if message.is_outbound else "in",
        message_id=message.provider_message_id or str(message.public_id),
        phone=message.handle.address, at=message.provider_timestamp or message.created_at,
        template_name=template, template_language=content.get("language", "") if template else "",
        variables=_template_variables(content) if template else (),
        # A journey link in a message stops working once the journey is signed; the report
        # still does not need the token.
        text=_LINK_TOKEN.sub(r"\1…", message.body),
        receipts=tuple(
            MessageReceipt(r.status, r.occurred_at)
            for r in message.receipts.all() if r.status in RECEIPT_STATUSES
        ),
        description=f"{message.channel.get_kind_display()} · {message.channel.name}",
    )  # fmt: skip


def _messages(journey: Journey, sent: list[JourneyNotification]) -> tuple[WhatsAppMessage, ...]:
    through_layer = list(
        messages_by_reference(tenant=journey.tenant, reference=conversation_reference(journey))
        .select_related("handle", "channel")
    )  # fmt: skip
    trail = [_conversation_message(m) for m in through_layer]
    known = {i for m in through_layer for i in (str(m.public_id), m.provider_message_id) if i}
    for n in sent:
        if n.provider_message_id in known:
            continue  # the layer's copy, with its receipts, is already there
        label = NOTIFICATION_LABELS.get((n.kind, n.reason), n.get_kind_display())
        trail.append(
            WhatsAppMessage(
                direction="out", message_id=n.provider_message_id, phone=journey.phone,
                at=n.sent_at, description=f"{label} (provedor: {n.provider})",
            )
        )  # fmt: skip
    return tuple(sorted(trail, key=lambda m: m.at))


def _step_checks(
    journey: Journey, contracts: Sequence[JourneyContract], sent: list[JourneyNotification]
) -> list[AuthenticationCheck]:
    """The link to the phone and the steps before the photos."""
    links = [n for n in sent if n.kind == JourneyNotification.Kind.LINK]
    providers = ", ".join(dict.fromkeys(n.provider for n in links)) or "nenhum"
    own = {True: "sim", False: "não — celular de outra pessoa", None: "não informado"}
    return [
        AuthenticationCheck(
            f"Link individual enviado ao celular {journey.phone_display} (WhatsApp)",
            "aprovado" if journey.opened_at else "não aberto", journey.opened_at,
            f"{len(links)} envio(s) de link pelo provedor {providers}; sessão do navegador "
            "vinculada ao link aberto",
        ),
        AuthenticationCheck(
            "Celular é do próprio cliente (declarado por ele)", own[journey.phone_is_own],
            journey.welcome_at,
        ),
        AuthenticationCheck(
            "Aceite dos termos de uso e do meio eletrônico de assinatura", "aceito",
            journey.terms_accepted_at, f"versão {journey.terms.version}",
        ),
        AuthenticationCheck(
            "Conferência das condições e dos dados pessoais", "confirmadas",
            journey.conditions_confirmed_at,
        ),
        AuthenticationCheck(
            "Leitura de cada contrato até o fim antes de habilitar a assinatura", "aprovado",
            journey.contracts_read_at, f"{len(contracts)} contrato(s)",
        ),
    ]  # fmt: skip


def _document_detail(document: dict) -> str:
    """What the ID check found (empty for photos taken before it existed)."""
    if not document:
        return ""
    face = document.get("face_height")
    return (
        f"documento reconhecido: formato de cartão, {document.get('text_lines', 0)} linhas de "
        f"texto impresso{', foto do rosto impressa' if face else ''}; "
    )


def _photo_checks(journey: Journey, captures: list[JourneyCapture]) -> list[AuthenticationCheck]:
    """The ID photos, the selfie's face check, and the face match the journey does not do."""
    checks = []
    for kind, method, at in (
        (CaptureKind.ID_FRONT, "Foto do documento de identidade — frente", journey.id_front_at),
        (CaptureKind.ID_BACK, "Foto do documento de identidade — verso", journey.id_back_at),
    ):
        capture = _accepted(captures, kind)
        checks.append(
            AuthenticationCheck(
                method, "aceita", at,
                f"nitidez {_decimal(capture.blur_score, 0)}; {_document_detail(capture.document)}"
                f"novas tentativas: {_retakes(captures, kind)}",
            )
        )  # fmt: skip
    selfie = _accepted(captures, CaptureKind.SELFIE)
    return [
        *checks,
        AuthenticationCheck(
            "Selfie com detecção de rosto na moldura", "rosto detectado", journey.selfie_at,
            _face_detail(selfie.face),
        ),
        _face_check(journey),
    ]  # fmt: skip


def _face_check(journey: Journey) -> AuthenticationCheck:
    method = "Comparação facial entre a selfie e a foto do documento"
    match = _face_match(journey)
    if match is None:
        return AuthenticationCheck(method, "não realizada", None, "desligada para esta empresa")
    score = "não calculado" if match.score is None else _decimal(match.score, 3)
    detail = (
        f"escore {score}; aceite a partir de {_decimal(match.accept_threshold, 3)}, revisão "
        f"humana a partir de {_decimal(match.review_threshold, 3)}; modelo {match.model or '—'} "
        f"({match.model_version or '—'}); selfie nº {match.attempt}"
    )
    if match.reason:
        detail += f"; motivo da revisão: {match.reason}"
    if match.reviewer_name:
        detail += f"; revisado por {match.reviewer_name}: {match.review_reason}"
    return AuthenticationCheck(
        method, FACE_DECISIONS[match.status], match.reviewed_at or match.decided_at, detail
    )


def _signer(
    journey: Journey,
    contracts: Sequence[JourneyContract],
    captures: list[JourneyCapture],
    sent: list[JourneyNotification],
    signed: EvidenceEvent,
) -> Signer:
    email = next((c.proposal.email for c in contracts if c.proposal.email), "")
    return Signer(
        name=journey.client_name, cpf=journey.cpf, phone=journey.phone, email=email,
        phone_is_own=journey.phone_is_own,
        authentications=(
            *_step_checks(journey, contracts, sent),
            *_photo_checks(journey, captures),
            AuthenticationCheck("Confirmação e assinatura", "assinado", journey.signed_at),
        ),
        ip=signed.ip, user_agent=signed.user_agent,
        device=device_from_user_agent(signed.user_agent), session_id=signed.session_id,
        sent_at=journey.first_sent_at, opened_at=journey.opened_at, signed_at=journey.signed_at,
    )  # fmt: skip


def journey_bundle(journey: Journey) -> EvidenceBundle:
    """The bundle of a signed journey (`journey.signed` recorded)."""
    events = evidence_events(subject=subject_of(journey))
    signed = _last(events, "journey.signed")
    if journey.signed_at is None or signed is None:
        raise EvidenceUnavailable(f"journey {journey.pk} is not signed")
    contracts = list(
        journey.contracts.select_related("proposal", "proposal__product", "proposal__branch")
        .order_by("position")
    )  # fmt: skip
    captures = list(journey.captures.order_by("created_at", "pk"))
    sent = _sent_messages(journey)
    images = _images(captures, _face_match(journey))  # first: checks every photo is intact
    return EvidenceBundle(
        subject=subject_of(journey),
        reference=str(journey.pk),
        reference_label=REFERENCE_LABEL,
        title=journey_title(contracts),
        originator=_originator(journey, contracts),
        created_at=journey.created_at,
        sent_at=journey.first_sent_at,
        completed_at=journey.signed_at,
        contracts=_contracts(contracts),
        signers=(_signer(journey, contracts, captures, sent, signed),),
        messages=_messages(journey, sent),
        terms=_terms(journey),
        reading=_reading(contracts),
        conditions=_conditions(journey),
        images=images,
        event_labels=EVENT_LABELS,
    )
