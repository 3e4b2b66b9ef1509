"""Digital acceptance (aceite digital): a kit of PDFs sent to a contact with a deadline; the
client reads each one to the end (scroll proof, our clock), accepts, and the kit is sealed by
formaliza/evidence (the documents, then the evidence report, one PAdES seal)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import models, transaction
from django.urls import reverse

from formaliza.acceptance.models import AcceptanceKit, ContactDocument
from formaliza.acceptance.pdf import pdf_page_count
from formaliza.acceptance.services.activity import activity_record
from formaliza.acceptance.services.certified import certified_send
from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.contacts.models import Contact
from formaliza.conversations.models import Channel as ConversationChannel
from formaliza.core import br, clock, crypto, ids
from formaliza.core.errors import ApplicationError, FieldError, ValidationFailed
from formaliza.evidence.bundle import (
    AuthenticationCheck,
    ContractDocument,
    EvidenceBundle,
    ImageEvidence,
    Originator,
    ReadingProof,
    Signer,
    contract_sha256,
)
from formaliza.evidence.services import (
    EvidenceActor,
    RequestContext,
    Subject,
    evidence_event_record,
    sealed_document_request,
)

SUBJECT_TYPE = "acceptance_kit"
END_FRACTION = 0.98  # scrolled this far = reached the end (the last line is on screen)
EVENT_LABELS = {
    "kit.sent": "Kit enviado para aceite",
    "kit.opened": "Link aberto pelo cliente",
    "document.shown": "Documento exibido",
    "document.read": "Documento lido até o fim",
    "kit.selfie": "Selfie enviada e verificada",
    "kit.selfie_refused": "Selfie recusada na verificação",
    "kit.accepted": "Aceite confirmado",
    "kit.expired_attempt": "Tentativa de aceite após o prazo",
}


class KitClosed(ApplicationError):
    def __init__(self, message: str, code: str):
        super().__init__(code=code, message=message, status=409)


@dataclass(frozen=True)
class KitFile:
    name: str  # the title shown
    number: str  # Nº do documento
    data: bytes


def kit_subject(kit: AcceptanceKit) -> Subject:
    return Subject(SUBJECT_TYPE, str(kit.public_id))


def kit_url(token: str) -> str:
    return settings.PUBLIC_BASE_URL + reverse("acceptance_public:kit", args=[token])


def kit_token(kit: AcceptanceKit) -> str:
    return crypto.decrypt(kit.token_encrypted)


def _validate(
    contact: Contact, title: str, files: list[KitFile], deadline: dt.datetime
) -> list[int]:
    errors: list[FieldError] = []
    if br.cpf_normalize(contact.document or "") is None:
        errors.append(FieldError("contact", "contact_without_cpf",
                                 "O aceite digital precisa do CPF do contato: cadastre-o antes."))  # fmt: skip
    if not title.strip():
        errors.append(FieldError("title", "required", "Dê um título ao kit."))
    if not files:
        errors.append(FieldError("files", "required", "Anexe ao menos um PDF."))
    if len(files) > settings.ACCEPTANCE_MAX_DOCUMENTS:
        errors.append(FieldError("files", "too_many",
                                 f"No máximo {settings.ACCEPTANCE_MAX_DOCUMENTS} PDFs por kit."))  # fmt: skip
    now = clock.now()
    if deadline <= now:
        errors.append(FieldError("deadline", "past", "O prazo precisa ser no futuro."))
    elif deadline > now + dt.timedelta(days=settings.ACCEPTANCE_MAX_DEADLINE_DAYS):
        errors.append(FieldError("deadline", "too_far",
                                 f"O prazo é de no máximo {settings.ACCEPTANCE_MAX_DEADLINE_DAYS} dias."))  # fmt: skip
    numbers = [f.number.strip() for f in files]
    if any(not n for n in numbers) or len(set(numbers)) != len(numbers):
        errors.append(FieldError("files", "number", "Cada documento precisa de um número único."))
    pages = []
    for n, f in enumerate(files):
        if len(f.data) > settings.ACCEPTANCE_MAX_FILE_BYTES:
            limit = settings.ACCEPTANCE_MAX_FILE_BYTES // (1024 * 1024)
            errors.append(FieldError(f"files[{n}]", "too_large",
                                     f"{f.name}: o PDF passa de {limit} MB."))  # fmt: skip
            continue
        try:
            pages.append(pdf_page_count(f.data))
        except ApplicationError as exc:
            errors.append(FieldError(f"files[{n}]", exc.code, f"{f.name}: {exc.message}"))
    if errors:
        raise ValidationFailed(errors)
    return pages


def kit_send(
    *,
    actor: Actor,
    contact: Contact,
    title: str,
    message: str,
    channel: ConversationChannel,
    address: str,
    deadline: dt.datetime,
    files: list[KitFile],
    require_selfie: bool = False,
) -> AcceptanceKit:
    """Store the PDFs, create the kit and send its link as a certified message."""
    actor.require(Perm.CONTACT_SEND)
    if contact.tenant_id != actor.tenant.pk or channel.tenant_id != actor.tenant.pk:
        raise ApplicationError(code="not_found", message="Contato não encontrado.", status=404)
    pages = _validate(contact, title, files, deadline)
    token = ids.random_token(32)
    storage = storages["default"]
    with transaction.atomic():
        kit = AcceptanceKit.objects.create(
            tenant=actor.tenant, contact=contact, title=title.strip()[:150],
            message=message.strip()[:500] or f"Documentos para o seu aceite: {title.strip()}",
            channel=channel.kind, address=address, deadline=deadline,
            require_selfie=require_selfie, token_sha256=ids.sha256_hex(token),
            token_encrypted=crypto.encrypt(token), created_by=actor.user,
            created_by_label=actor.label[:150],
        )  # fmt: skip
        for position, (f, count) in enumerate(zip(files, pages, strict=True)):
            digest = ids.sha256_hex(f.data)
            name = storage.save(f"contacts/{actor.tenant.pk}/{kit.public_id}/{digest}.pdf",
                                ContentFile(f.data))  # fmt: skip
            document = ContactDocument.objects.create(
                tenant=actor.tenant, contact=contact, number=f.number.strip()[:40],
                title=f.name.strip()[:150] or f"Documento {position + 1}", kit=kit,
                file_name=name, sha256=digest, size=len(f.data), page_count=count,
                position=position,
            )  # fmt: skip
            activity_record(
                contact=contact, kind="kit.sent", channel=channel.kind,
                automation="Aceite digital", document=document,
                description=f"“{document.title}” enviado para aceite (kit “{kit.title}”)",
            )  # fmt: skip
        evidence_event_record(
            tenant=actor.tenant,
            subject=kit_subject(kit),
            kind="kit.sent",
            actor=EvidenceActor("user" if actor.user else "system", actor.label),
            data={
                "title": kit.title,
                "deadline": deadline.isoformat(),
                "channel": channel.kind,
                "documents": [
                    {
                        "number": d.number,
                        "title": d.title,
                        "sha256": d.sha256,
                        "pages": d.page_count,
                    }
                    for d in kit.documents.order_by("position")
                ],
            },
        )
        certified = certified_send(
            actor=actor, contact=contact, channel=channel, address=address,
            text=kit.message, subject=kit.title, link_target=kit_url(token), kit=kit,
        )  # fmt: skip
        kit.address = certified.address
        kit.sent_at = clock.now()
        kit.save(update_fields=["address", "sent_at", "updated_at"])
    return kit


def _expired(kit: AcceptanceKit) -> bool:
    return kit.status == AcceptanceKit.Status.EXPIRED or (
        kit.status == AcceptanceKit.Status.WAITING and kit.deadline <= clock.now()
    )


def _client(kit: AcceptanceKit) -> EvidenceActor:
    return EvidenceActor("client", kit.contact.name or kit.address)


def kit_open(*, kit: AcceptanceKit, context: RequestContext) -> None:
    if kit.opened_at is not None or _expired(kit):
        return
    with transaction.atomic():
        updated = AcceptanceKit.objects.filter(pk=kit.pk, opened_at__isnull=True).update(
            opened_at=clock.now()
        )
        if updated:
            evidence_event_record(tenant=kit.tenant, subject=kit_subject(kit), kind="kit.opened",
                                  actor=_client(kit), context=context)  # fmt: skip
            activity_record(contact=kit.contact, kind="kit.opened", channel=kit.channel,
                            automation="Aceite digital",
                            description=f"Kit “{kit.title}” aberto pelo cliente")  # fmt: skip


def document_shown(*, kit: AcceptanceKit, document: ContactDocument, context) -> None:
    if document.shown_at is not None or _expired(kit) or kit.accepted_at:
        return
    with transaction.atomic():
        if ContactDocument.objects.filter(pk=document.pk, shown_at__isnull=True).update(
            shown_at=clock.now()
        ):
            evidence_event_record(
                tenant=kit.tenant, subject=kit_subject(kit), kind="document.shown",
                actor=_client(kit), context=context,
                data={"number": document.number, "sha256": document.sha256},
            )  # fmt: skip


def document_scroll(
    *, kit: AcceptanceKit, document: ContactDocument, fraction: float, context: RequestContext
) -> ContactDocument:
    """The client's page reports how far the document was scrolled; the end counts once, on
    our clock, and only after the document was shown."""
    if _expired(kit):
        raise KitClosed("O prazo deste aceite terminou.", "kit_expired")
    fraction = max(0.0, min(1.0, float(fraction)))
    with transaction.atomic():
        document = ContactDocument.objects.select_for_update().get(pk=document.pk)
        if document.shown_at is None:
            raise ApplicationError(code="not_shown", message="Abra o documento primeiro.",
                                   status=409)  # fmt: skip
        changed = []
        if fraction > document.max_scroll:
            document.max_scroll = fraction
            changed.append("max_scroll")
        if fraction >= END_FRACTION and document.reached_end_at is None:
            document.reached_end_at = clock.now()
            changed.append("reached_end_at")
            evidence_event_record(
                tenant=kit.tenant, subject=kit_subject(kit), kind="document.read",
                actor=_client(kit), context=context,
                data={"number": document.number, "max_scroll": fraction,
                      "seconds": (document.reached_end_at - document.shown_at).total_seconds()},
            )  # fmt: skip
            activity_record(contact=kit.contact, kind="document.read", channel=kit.channel,
                            automation="Aceite digital", document=document,
                            description=f"“{document.title}” lido até o fim")  # fmt: skip
        if changed:
            document.save(update_fields=[*changed, "updated_at"])
    return document


def _face_detail(face: dict) -> str:
    if not face or face.get("box") is None:
        return ""
    return (
        f"largura {face.get('size_ratio', 0) * 100:.0f}% da foto; confiança "
        f"{face.get('confidence', 0):.2f}; detector {str(face.get('detector', '')).replace('_', ' ')}"
    )


def kit_selfie_submit(*, kit: AcceptanceKit, data: bytes, context: RequestContext) -> AcceptanceKit:
    """The client's selfie for a kit that asks for one, through the journey's image checks
    (type, size, resolution, blur, one face, close enough and centred). A refused photo is
    counted and recorded (its code, not its bytes) and raises `ImageRefused` with what to do;
    a new accepted one replaces the previous one until the kit is accepted."""
    from formaliza.journeys.images import ImageRefused, image_check

    if _expired(kit):
        raise KitClosed("Expirado: o prazo para este aceite terminou.", "kit_expired")
    if not kit.require_selfie or kit.status == AcceptanceKit.Status.ACCEPTED:
        raise ApplicationError(code="selfie_not_asked", message="Este aceite não pede selfie.",
                               status=409)  # fmt: skip
    try:
        checked = image_check(data, kind="selfie")
    except ImageRefused as refusal:
        with transaction.atomic():
            AcceptanceKit.objects.filter(pk=kit.pk).update(
                selfie_retakes=models.F("selfie_retakes") + 1
            )
            evidence_event_record(
                tenant=kit.tenant, subject=kit_subject(kit), kind="kit.selfie_refused",
                actor=_client(kit), context=context,
                data={"code": refusal.code, "sha256": ids.sha256_hex(data), "bytes": len(data)},
            )  # fmt: skip
        raise
    name = storages["default"].save(
        f"contacts/{kit.tenant_id}/{kit.public_id}/selfie-{checked.display_sha256}.jpg",
        ContentFile(checked.display_jpeg),
    )
    face = checked.face.as_dict() if checked.face else {}
    with transaction.atomic():
        locked = AcceptanceKit.objects.select_for_update().get(pk=kit.pk)
        if locked.status == AcceptanceKit.Status.ACCEPTED:
            raise ApplicationError(code="selfie_not_asked", message="Este aceite já foi feito.",
                                   status=409)  # fmt: skip
        locked.selfie_file, locked.selfie_sha256 = name, checked.display_sha256
        locked.selfie_original_sha256, locked.selfie_at = checked.original_sha256, clock.now()
        locked.selfie_face = face
        locked.save(update_fields=["selfie_file", "selfie_sha256", "selfie_original_sha256",
                                   "selfie_at", "selfie_face", "updated_at"])  # fmt: skip
        evidence_event_record(
            tenant=kit.tenant, subject=kit_subject(kit), kind="kit.selfie", actor=_client(kit),
            context=context,
            data={"sha256": checked.display_sha256, "original_sha256": checked.original_sha256,
                  "face": face, "blur_score": checked.blur_score,
                  "had_location": checked.had_location},
        )  # fmt: skip
        activity_record(contact=kit.contact, kind="kit.selfie", channel=kit.channel,
                        automation="Aceite digital",
                        description=f"Selfie enviada para o kit “{kit.title}”")  # fmt: skip
    return locked


def _selfie_evidence(kit: AcceptanceKit) -> tuple[ImageEvidence, ...]:
    if not kit.require_selfie:
        return ()
    with storages["default"].open(kit.selfie_file, "rb") as handle:
        content = handle.read()
    if ids.sha256_hex(content) != kit.selfie_sha256:
        raise ApplicationError(code="selfie_changed", message="A selfie foi alterada no "
                               "armazenamento: envie outra.", status=409)  # fmt: skip
    return (
        ImageEvidence(
            kind="selfie", content=content, sha256=kit.selfie_sha256,
            original_sha256=kit.selfie_original_sha256, captured_at=kit.selfie_at,
            retakes=kit.selfie_retakes, face_detected=kit.selfie_face.get("box") is not None,
            face_detection_detail=_face_detail(kit.selfie_face),
        ),
    )  # fmt: skip


def kit_accept(*, kit_id: int, context: RequestContext) -> AcceptanceKit:
    """The client accepts. Refused past the deadline (the attempt is recorded, nothing
    accepted) and before every document was read to the end."""
    with transaction.atomic():
        kit = (
            AcceptanceKit.objects.select_for_update()
            .select_related("tenant", "contact")
            .get(pk=kit_id)
        )
        if kit.status == AcceptanceKit.Status.ACCEPTED:
            return kit
        if _expired(kit):
            evidence_event_record(tenant=kit.tenant, subject=kit_subject(kit),
                                  kind="kit.expired_attempt", actor=_client(kit), context=context)  # fmt: skip
            raise KitClosed("Expirado: o prazo para este aceite terminou.", "kit_expired")
        documents = list(kit.documents.order_by("position"))
        unread = [d.title for d in documents if d.reached_end_at is None]
        if unread:
            raise ApplicationError(
                code="not_read",
                message="Leia todos os documentos até o fim antes de aceitar: " + ", ".join(unread),
                status=409,
            )
        if kit.require_selfie and not kit.selfie_file:
            raise ApplicationError(code="selfie_missing",
                                   message="Envie a selfie antes de aceitar.", status=409)  # fmt: skip
        images = _selfie_evidence(kit)
        now = clock.now()
        kit.status = AcceptanceKit.Status.ACCEPTED
        kit.accepted_at = now
        kit.accepted_ip = context.ip
        kit.accepted_user_agent = context.user_agent[:300]
        evidence_event_record(
            tenant=kit.tenant, subject=kit_subject(kit), kind="kit.accepted", actor=_client(kit),
            context=context, data={"documents": [d.sha256 for d in documents]},
        )  # fmt: skip
        for document in documents:
            activity_record(contact=kit.contact, kind="kit.accepted", channel=kit.channel,
                            automation="Aceite digital", document=document,
                            description=f"“{document.title}” aceito")  # fmt: skip
        storage = storages["default"]
        contracts = []
        for d in documents:
            with storage.open(d.file_name, "rb") as handle:
                data = handle.read()
            contracts.append(ContractDocument(title=d.title, contract_number=d.number, pdf=data,
                                              sha256=contract_sha256(pdf=data)))  # fmt: skip
        contact = kit.contact
        signer = Signer(
            name=contact.name, cpf=contact.document,
            phone=kit.address if kit.channel != "email" else "",
            email=kit.address if kit.channel == "email" else "",
            authentications=(
                AuthenticationCheck(f"Link individual enviado por {kit.get_channel_display()}",
                                    "aprovado", kit.opened_at),
                *((AuthenticationCheck("Selfie (rosto detectado na foto)", "aprovado",
                                       kit.selfie_at),) if images else ()),
            ),
            ip=context.ip, user_agent=context.user_agent, session_id=context.session_id,
            sent_at=kit.sent_at, opened_at=kit.opened_at, signed_at=now,
        )  # fmt: skip
        bundle = EvidenceBundle(
            subject=kit_subject(kit),
            reference=kit.short_id,
            reference_label="Aceite digital",
            title=f"Aceite digital — {len(documents)} documento(s)",
            originator=Originator(organization=kit.tenant.name,
                                  created_by=kit.created_by_label, channel="Back office"),
            created_at=kit.created_at, sent_at=kit.sent_at, completed_at=now,
            contracts=tuple(contracts), signers=(signer,),
            reading=tuple(
                ReadingProof(contract_number=d.number, max_scroll_fraction=d.max_scroll,
                             server_seconds=(d.reached_end_at - d.shown_at).total_seconds(),
                             shown_at=d.shown_at, reached_end_at=d.reached_end_at)
                for d in documents
            ),
            images=images,
            event_labels=EVENT_LABELS,
        )  # fmt: skip
        kit.sealed_document = sealed_document_request(
            tenant=kit.tenant, bundle=bundle, requested_by="Sistema (aceite digital)"
        )
        kit.save(update_fields=["status", "accepted_at", "accepted_ip", "accepted_user_agent",
                                "sealed_document", "updated_at"])  # fmt: skip
    return kit


def kits_expire(*, now: dt.datetime | None = None) -> int:
    """Mark waiting kits past their deadline as expired (the pages already read them so)."""
    now = now or clock.now()
    count = 0
    for kit in AcceptanceKit.objects.filter(
        status=AcceptanceKit.Status.WAITING, deadline__lte=now
    ).select_related("contact")[:500]:
        with transaction.atomic():
            if AcceptanceKit.objects.filter(pk=kit.pk, status="waiting").update(
                status=AcceptanceKit.Status.EXPIRED
            ):
                activity_record(contact=kit.contact, kind="kit.expired", channel=kit.channel,
                                automation="Aceite digital",
                                description=f"Kit “{kit.title}” expirou sem aceite")  # fmt: skip
                count += 1
    return count


def acceptance_sealed_record(*, document_id: str) -> str:
    """A sealed document is done; for a kit's, its documents' activity says the report is
    ready. Other subjects are ignored (every handler hears every seal)."""
    from formaliza.evidence.models import SealedDocument

    sealed = SealedDocument.objects.filter(pk=document_id).first()
    if sealed is None or sealed.subject_type != SUBJECT_TYPE:
        return "ignored"
    kit = AcceptanceKit.objects.filter(public_id=sealed.subject_id).select_related("contact")
    kit = kit.first()
    if kit is None:
        return "ignored"
    with transaction.atomic():
        for document in kit.documents.all():
            if not document.activity.filter(kind="kit.sealed").exists():
                activity_record(contact=kit.contact, kind="kit.sealed", channel=kit.channel,
                                automation="Aceite digital", document=document,
                                description=f"Laudo do aceite selado (código {sealed.code})")  # fmt: skip
    return "recorded"
