"""`manage.py demo_seed` leaves an open journey and prints its link (called by name: the demo
app sits above this one)."""

import io
import logging

from django.core.management import call_command

from formaliza.journeys.models import ContractTemplate, Journey, JourneyTerms
from formaliza.journeys.selectors import LinkState, journey_link_url_current, link_resolve


def test_demo_has_an_open_journey_whose_link_is_printed(db, caplog):
    with caplog.at_level(logging.INFO, logger="formaliza.demo"):
        call_command("demo_seed", stdout=io.StringIO())

    journey = Journey.objects.get()
    link = journey_link_url_current(journey=journey)
    assert link.startswith("https://formaliza.test/j/")  # PUBLIC_BASE_URL (the tests set it)
    assert link in caplog.text
    assert link_resolve(token=link.rsplit("/j/", 1)[1]).state == LinkState.OK
    assert (journey.status, journey.contracts.count()) == ("active", 2)
    assert JourneyTerms.objects.filter(tenant=journey.tenant).count() == 1
    assert ContractTemplate.objects.filter(tenant=journey.tenant, product=None).exists()

    caplog.clear()
    call_command("demo_seed", stdout=io.StringIO())  # a second run changes nothing
    assert Journey.objects.count() == 1
    assert "/j/" not in caplog.text
