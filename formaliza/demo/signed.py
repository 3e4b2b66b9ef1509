"""The demo's signed client: its journey walked through the same services the client's pages
call, its final PDF sealed and the integrator told, so the back office shows a sealed document
and `/verificar/` can be tried with its code right after `make run`."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.conf import settings

from formaliza.core import clock
from formaliza.core.ids import sha256_hex
from formaliza.demo.images import id_card_jpeg, selfie_jpeg
from formaliza.evidence.models import SealedDocument
from formaliza.evidence.pki import embedded_pki, is_embedded
from formaliza.evidence.selectors import sealed_document_for_subject
from formaliza.evidence.services import RequestContext, Subject, sealed_document_seal
from formaliza.evidence.tsa import start_in_thread, url_of
from formaliza.journeys import services as journeys
from formaliza.journeys.models import Journey, JourneyNotification

USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 11; moto e20) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36"
)


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextmanager
def _timestamp_authority() -> Iterator[None]:
    """While seeding, `serve` has not started the local TSA yet: with the embedded PKI and a TSA
    on this machine, a local TSA runs in a thread for the demo's seal. A configured certificate
    or a remote TSA is used as configured."""
    host = urlsplit(settings.EVIDENCE_TSA_URL).hostname or ""
    if not is_embedded() or not _is_loopback(host):
        yield
        return
    server = start_in_thread(pki=embedded_pki())
    configured = settings.EVIDENCE_TSA_URL
    settings.EVIDENCE_TSA_URL = url_of(server)
    try:
        yield
    finally:
        settings.EVIDENCE_TSA_URL = configured
        server.shutdown()
        server.server_close()


@contextmanager
def _reading_floor_off() -> Iterator[None]:
    """The demo client is a script that does not wait out the reading floor; its sealed report
    shows the real (short) reading time measured by the server and a floor of 0 s."""
    configured = settings.JOURNEY_READ_MIN_SECONDS_PER_PAGE
    settings.JOURNEY_READ_MIN_SECONDS_PER_PAGE = 0
    try:
        yield
    finally:
        settings.JOURNEY_READ_MIN_SECONDS_PER_PAGE = configured


def client_walk(*, journey: Journey, photos: dict[str, bytes] | None = None) -> None:
    """What the client does on the pages, through the same services, up to signing. `photos`
    by kind (id_front, id_back, selfie) replaces the demo's own."""
    photos = photos or {
        "id_front": id_card_jpeg(side="front"),
        "id_back": id_card_jpeg(side="back"),
        "selfie": selfie_jpeg(),
    }
    ctx = RequestContext(
        ip="177.20.145.3", user_agent=USER_AGENT, session_id=sha256_hex("demo-session"),
        phone=journey.phone,
    )  # fmt: skip
    pk = journey.pk
    journeys.journey_open(journey_id=pk, link_id=journey.links.get().pk, context=ctx)
    journeys.journey_welcome_confirm(journey_id=pk, phone_is_own=True, context=ctx)
    journeys.journey_terms_accept(journey_id=pk, terms_sha256=journey.terms.sha256, context=ctx)
    journeys.journey_conditions_confirm(
        journey_id=pk, snapshot_sha256=journey.conditions_sha256, context=ctx
    )
    with _reading_floor_off():
        for contract in journeys.journey_contracts_shown(journey_id=pk, context=ctx):
            elapsed = (clock.now() - contract.shown_at).total_seconds()
            journeys.journey_contract_reading_record(
                journey_id=pk, contract_id=contract.pk, max_fraction=1.0,
                client_seconds=elapsed, context=ctx,
            )  # fmt: skip
        journeys.journey_contracts_accept(journey_id=pk, context=ctx)
    for kind in ("id_front", "id_back", "selfie"):
        outcome = journeys.journey_capture_submit(
            journey_id=pk, kind=kind, data=photos[kind], source="camera",
            client_retakes=1 if kind == "selfie" else 0, context=ctx,
        )  # fmt: skip
        if not outcome.accepted:
            raise RuntimeError(f"demo photo {kind} refused: {outcome.refusal.code}")
    journeys.journey_sign(journey_id=pk, context=ctx)


def signed_journey_seed(*, journey: Journey) -> SealedDocument:
    """Send the link (the console messenger logs it), walk and sign the journey, seal its PDF
    and run the sealed handler. The tasks this queues find their work done when workers start;
    a seal that cannot be made now (a remote TSA down) stays pending and the workers retry."""
    for notification in journey.notifications.filter(kind=JourneyNotification.Kind.LINK):
        journeys.journey_notification_send(notification_id=notification.pk)
    client_walk(journey=journey)
    # With face match on (the default outside tests) the seal waits for the comparison; the
    # seed runs it here, as the worker would (the demo's selfie and ID show the same face).
    for match in journey.face_matches.filter(status="pending"):
        journeys.journey_face_match_run(face_match_id=match.pk)
    document = sealed_document_for_subject(
        tenant=journey.tenant, subject=Subject("journey", str(journey.pk))
    )
    with _timestamp_authority():
        sealed_document_seal(document_id=str(document.pk))
    journeys.journey_sealed_notify(document_id=str(document.pk))
    document.refresh_from_db()
    return document
