"""The evidence bundle built from a signed journey: every hash is the one the journey recorded,
and what evidence's report needs reaches it."""

import pytest
from django.core.files.base import ContentFile

from formaliza.core import br
from formaliza.core.testing import run_queued_tasks
from formaliza.evidence.bundle import bundle_validate, contract_sha256
from formaliza.evidence.services import Subject, evidence_events
from formaliza.journeys import services
from formaliza.journeys.evidence_bundle import (
    EvidenceUnavailable,
    device_from_user_agent,
    journey_bundle,
)
from formaliza.journeys.models import Journey, Step
from formaliza.journeys.tests.helpers import CLIENT_CTX, walk
from formaliza.proposals.tests.helpers import decide, to_approval_step, typed


@pytest.fixture
def signed(journey, outbox):
    run_queued_tasks()  # the link message goes out (the trail's first message)
    services.journey_open(journey_id=journey.pk, link_id=journey.links.get().pk, context=CLIENT_CTX)
    return walk(journey, until=Step.DONE)


def _events(journey: Journey, kind: str):
    events = evidence_events(subject=Subject("journey", str(journey.pk)))
    return [e for e in events if e.kind == kind]


def _event(journey: Journey, kind: str):
    return _events(journey, kind)[-1]


def test_contracts_terms_conditions_and_reading_are_what_the_journey_recorded(signed):
    bundle = journey_bundle(signed)

    bundle_validate(bundle)  # every declared hash matches its bytes
    contracts = list(signed.contracts.select_related("proposal").order_by("position"))
    created = _event(signed, "journey.created").data
    assert [c.sha256 for c in bundle.contracts] == [c["sha256"] for c in created["contracts"]]
    for document, contract in zip(bundle.contracts, contracts, strict=True):
        assert document.html == contract.html and document.pdf is None
        assert contract_sha256(html=document.html) == contract.sha256
        assert document.contract_number == document.proposal_number == contract.proposal.number
    accepted = _event(signed, "terms.accepted").data
    assert (bundle.terms.version, bundle.terms.sha256) == (
        str(accepted["version"]),
        accepted["sha256"],
    )
    assert bundle.terms.accepted_at == signed.terms_accepted_at
    confirmed = _event(signed, "conditions.confirmed").data
    assert {c.proposal_number: c.sha256 for c in bundle.conditions} == confirmed["items_sha256"]
    first = bundle.conditions[0]
    shown = signed.conditions_snapshot["propostas"][0]
    assert first.items[:2] == (("Contrato nº", shown["numero"]), ("Produto", shown["produto"]))
    assert ("CPF", br.cpf_format(signed.cpf)) in first.items
    reads = {e.data["proposal"]: e.data for e in _events(signed, "contract.read")}
    assert [
        (r.contract_number, r.max_scroll_fraction, r.server_seconds, r.client_seconds)
        for r in bundle.reading
    ] == [
        (c.proposal.number, 1.0, reads[c.proposal.number]["server_seconds"], 12.5)
        for c in contracts
    ]  # the server's measure, and the phone's claim (12.5 s) apart
    assert all(
        (r.shown_at, r.reached_end_at, r.min_seconds) == (c.shown_at, c.read_at, 0)
        for r, c in zip(bundle.reading, contracts, strict=True)
    )


def test_the_photos_carry_their_stored_bytes_and_the_hashes_recorded_at_capture(signed):
    bundle = journey_bundle(signed)

    summary = _event(signed, "journey.signed").data["captures"]
    assert [i.kind for i in bundle.images] == ["id_front", "id_back", "selfie"]
    for image in bundle.images:
        capture = signed.captures.get(kind=image.kind, accepted=True)
        with capture.image.open("rb") as handle:
            assert image.content == handle.read()
        assert image.sha256 == capture.display_sha256 == summary[image.kind]["display_sha256"]
        assert image.original_sha256 == summary[image.kind]["original_sha256"]
        assert image.retakes == summary[image.kind]["retakes"]
        assert image.captured_at == capture.created_at
    selfie = bundle.images[2]
    assert (selfie.face_detected, selfie.retakes) == (True, 1)
    assert "dentro da moldura oval" in selfie.face_detection_detail
    assert bundle.images[0].face_detected is None  # no face check on the ID
    assert all(i.face_match is None and i.geolocation is None for i in bundle.images)


def test_the_signer_originator_times_and_trail(kit, signed, outbox):
    bundle = journey_bundle(signed)

    (signer,) = bundle.signers
    first_proposal = signed.contracts.order_by("position").first().proposal
    assert (signer.name, signer.cpf, signer.phone) == (signed.client_name, signed.cpf, signed.phone)
    assert signer.email == first_proposal.email and signer.phone_is_own is True
    assert (signer.ip, signer.user_agent, signer.session_id) == (
        CLIENT_CTX.ip, CLIENT_CTX.user_agent, CLIENT_CTX.session_id,
    )  # fmt: skip
    assert signer.device == "Android 10 · SM-A105M · Chrome 120"
    assert (signer.sent_at, signer.opened_at, signer.signed_at) == (
        signed.first_sent_at, signed.opened_at, signed.signed_at,
    )  # fmt: skip
    results = {a.method: a.result for a in signer.authentications}
    link_check = f"Link individual enviado ao celular {signed.phone_display} (WhatsApp)"
    assert results[link_check] == "aprovado"
    assert results["Celular é do próprio cliente (declarado por ele)"] == "sim"
    assert results["Aceite dos termos de uso e do meio eletrônico de assinatura"] == "aceito"
    assert results["Selfie com detecção de rosto na moldura"] == "rosto detectado"
    assert results["Comparação facial entre a selfie e a foto do documento"] == "não realizada"
    details = {a.method: a.detail for a in signer.authentications}
    front = details["Foto do documento de identidade — frente"]
    assert "documento reconhecido: formato de cartão" in front and "foto do rosto impressa" in front
    assert "linhas de texto impresso" in details["Foto do documento de identidade — verso"]

    origin = bundle.originator
    assert (origin.organization, origin.organization_document) == (kit.tenant.name, kit.tenant.cnpj)
    assert origin.created_by.startswith(kit.users["correspondent"].display_name)
    assert (origin.channel, origin.branch) == ("Back office", "001 — Centro")
    assert (bundle.created_at, bundle.sent_at, bundle.completed_at) == (
        signed.created_at, signed.first_sent_at, signed.signed_at,
    )  # fmt: skip
    assert bundle.reference == str(signed.pk) and bundle.subject == Subject(
        "journey", bundle.reference
    )

    assert len(outbox.links()) == 1
    (message,) = bundle.messages
    sent = signed.notifications.get(kind="link")
    assert (message.direction, message.message_id, message.phone) == (
        "out",
        sent.provider_message_id,
        signed.phone,
    )
    assert message.at == sent.sent_at and message.receipts == ()
    assert "primeiro envio" in message.description and "provedor: fake" in message.description
    assert bundle.event_labels["journey.signed"] == "Assinatura"


def test_the_title_is_public_and_carries_no_personal_data(signed):
    title = journey_bundle(signed).title

    assert title.startswith("Formalização digital — 2 contratos")
    for personal in (signed.client_name, signed.cpf, br.cpf_format(signed.cpf), signed.phone,
                     signed.phone[-8:], signed.request.number):  # fmt: skip
        assert personal not in title


@pytest.fixture
def whatsapp(kit, settings):
    """A WhatsApp channel on the conversations layer's fake provider, with an approved
    invitation template."""
    from formaliza.conversations.fake_provider import FakeProvider
    from formaliza.conversations.services import TemplateInput, template_save
    from formaliza.conversations.tests.helpers import whatsapp_channel

    provider = FakeProvider(mode="collect", status_delay=0.0, read_after=0.0)
    settings.FAKE_PROVIDER_URL = provider.start()
    channel = whatsapp_channel(kit.tenant, provider)
    components = [{"type": "BODY", "text": "Olá {{1}}, seu link: {{2}}"}]
    template_save(
        tenant=kit.tenant, channel_id=channel.pk,
        data=TemplateInput(name="convite", language="pt_BR", category="utility",
                           components=components),
    )  # fmt: skip
    provider.register_template(
        channel.business_account_id,
        {"name": "convite", "language": "pt_BR", "category": "UTILITY", "components": components},
    )
    yield provider, channel
    provider.stop()


def test_messages_sent_through_the_conversations_layer_come_with_their_receipts(
    kit, journey, outbox, whatsapp
):
    from formaliza.accounts.actors import Actor
    from formaliza.conversations.services import message_send_template
    from formaliza.conversations.tests.helpers import deliver
    from formaliza.journeys.evidence_bundle import conversation_reference

    provider, channel = whatsapp
    run_queued_tasks()
    link = "https://formaliza.test/j/" + "A" * 43
    sent = message_send_template(
        actor=Actor.of_system(kit.tenant, "jornadas"), channel=channel, to=journey.phone,
        template="convite", variables=[journey.client_name, link],
        reference=conversation_reference(journey),
    )  # fmt: skip
    run_queued_tasks()
    deliver(provider)
    run_queued_tasks()
    signed = walk(journey, until=Step.DONE)

    trail = journey_bundle(signed).messages

    sent.refresh_from_db()
    (message,) = [m for m in trail if m.template_name == "convite"]
    assert (message.direction, message.message_id) == ("out", sent.provider_message_id)
    assert (message.phone, message.template_language) == (signed.phone, "pt_BR")
    assert message.variables == (signed.client_name, link)
    assert [r.status for r in message.receipts] == ["sent", "delivered", "read"]
    assert "A" * 43 not in message.text and "/j/…" in message.text
    assert "WhatsApp" in message.description
    # The journey's own link message (fake messenger) is there too, without receipts.
    own_id = signed.notifications.get(kind="link").provider_message_id
    (own,) = [m for m in trail if m.message_id == own_id]
    assert own.receipts == () and own.template_name == ""
    assert [m.at for m in trail] == sorted(m.at for m in trail)
    # A messenger that sends through the layer records the layer's message id: listed once.
    signed.notifications.filter(kind="link").update(provider_message_id=str(sent.public_id))
    assert [m.template_name for m in journey_bundle(signed).messages] == ["convite"]


def test_a_photo_changed_in_storage_is_refused(signed):
    selfie = signed.captures.get(kind="selfie", accepted=True)
    storage = selfie.image.storage
    storage.delete(selfie.image.name)
    storage.save(selfie.image.name, ContentFile(b"\xff\xd8 outra imagem"))

    with pytest.raises(EvidenceUnavailable) as err:
        journey_bundle(signed)
    assert err.value.code == "evidence_unavailable" and err.value.status == 503


def test_a_conditions_snapshot_changed_after_confirmation_is_refused(signed):
    snapshot = signed.conditions_snapshot
    snapshot["propostas"][0]["condicoes"][0][1] = "R$ 1,00"
    Journey.objects.filter(pk=signed.pk).update(conditions_snapshot=snapshot)
    signed.refresh_from_db()

    with pytest.raises(EvidenceUnavailable) as err:
        journey_bundle(signed)
    assert "conditions" in err.value.detail


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (CLIENT_CTX.user_agent, "Android 10 · SM-A105M · Chrome 120"),
        ("Mozilla/5.0 (Linux; Android 11; moto e20) AppleWebKit/537.36 Chrome/120.0 Mobile "
         "Safari/537.36", "Android 11 · moto e20 · Chrome 120"),
        ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/126.0 Mobile",
         "Android 10 · Chrome 126"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
         "Version/17.4 Mobile/15E148 Safari/604.1", "iPhone · iOS 17.4 · Safari 17"),
        ("", ""),
    ],
)  # fmt: skip
def test_device_from_user_agent(user_agent, device):
    assert device_from_user_agent(user_agent) == device


def test_proposals_typed_by_an_integrator_say_so_in_the_originator(kit, make_input, outbox):
    proposals = to_approval_step(kit, typed(kit, make_input, count=1, actor=kit.api_actor()))
    request = decide(kit, proposals[0], "approve").formalization
    journey = walk(services.journey_start(request_id=request.pk).journey, until=Step.DONE)

    origin = journey_bundle(journey).originator

    assert origin.channel == "API do integrador"
    assert origin.created_by.startswith("API: Integrador")
    assert journey_bundle(journey).title == "Formalização digital — 1 contrato: " + (
        proposals[0].product.name
    )
