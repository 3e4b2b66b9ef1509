import logging

from formaliza.demo.seed import demo_seed
from formaliza.journeys.models import ContractTemplate, Journey, JourneyTerms
from formaliza.journeys.selectors import LinkState, link_resolve


def test_demo_has_an_open_journey_whose_link_is_printed(db, caplog):
    with caplog.at_level(logging.INFO, logger="formaliza.demo"):
        result = demo_seed()

    (link,) = result.journey_links
    assert link in caplog.text
    resolved = link_resolve(token=link.rsplit("/j/", 1)[1])
    assert resolved.state == LinkState.OK
    assert resolved.journey.contracts.count() == 2
    assert Journey.objects.get().status == "active"
    assert JourneyTerms.objects.filter(tenant=result.tenant).count() == 1
    assert ContractTemplate.objects.filter(tenant=result.tenant, product=None).exists()
    assert demo_seed().journey_links == []  # a second run changes nothing
    assert Journey.objects.count() == 1
