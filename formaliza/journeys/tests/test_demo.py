"""`manage.py demo_seed` leaves an open journey and prints its link, and a signed journey whose
sealed document verifies by the code it prints (called by name: the demo app sits above this
one)."""

import io
import logging

from django.core.management import call_command

from formaliza.evidence.models import SealedDocument
from formaliza.evidence.verification import verify_code
from formaliza.journeys.models import ContractTemplate, Journey, JourneyTerms
from formaliza.journeys.selectors import LinkState, journey_link_url_current, link_resolve
from formaliza.proposals.models import Proposal


def test_demo_has_an_open_journey_and_a_sealed_one(db, caplog):
    out = io.StringIO()
    with caplog.at_level(logging.INFO, logger="formaliza.demo"):
        call_command("demo_seed", stdout=out)

    journey = Journey.objects.get(status="active")
    link = journey_link_url_current(journey=journey)
    assert link.startswith("https://formaliza.test/j/")  # PUBLIC_BASE_URL (the tests set it)
    assert link in caplog.text and link in out.getvalue()
    assert link_resolve(token=link.rsplit("/j/", 1)[1]).state == LinkState.OK
    assert (journey.status, journey.contracts.count()) == ("active", 2)
    assert JourneyTerms.objects.filter(tenant=journey.tenant).count() == 1
    assert ContractTemplate.objects.filter(tenant=journey.tenant, product=None).exists()

    signed = Journey.objects.get(status="signed")
    document = SealedDocument.objects.get(subject_id=str(signed.pk))
    assert document.status == SealedDocument.Status.SEALED, document.last_error
    assert f"código {document.code}" in out.getvalue()
    assert f"https://formaliza.test/verificar/{document.code}/" in out.getvalue()
    assert verify_code(code=document.code).valid
    assert signed.integrator_notified_at is not None and signed.opened_at is not None
    formalized = Proposal.objects.filter(formalizations=signed.request)
    assert set(formalized.values_list("activity", flat=True)) == {"FORMALIZADA"}

    caplog.clear()
    sealed_before = SealedDocument.objects.count()  # the journey's and the contact base's kits
    call_command("demo_seed", stdout=io.StringIO())  # a second run changes nothing
    assert Journey.objects.count() == 2 and SealedDocument.objects.count() == sealed_before
    assert "/j/" not in caplog.text


def test_with_face_match_on_the_demo_compares_its_selfie_before_sealing(db, settings):
    settings.JOURNEY_FACE_MATCH_ENABLED = True  # as `make run` has it
    call_command("demo_seed", stdout=io.StringIO())
    signed = Journey.objects.get(status="signed")
    (match,) = signed.face_matches.all()
    assert match.status == "accepted" and match.score >= match.accept_threshold
    document = SealedDocument.objects.get(subject_id=str(signed.pk))
    assert document.status == SealedDocument.Status.SEALED, document.last_error
