"""The reading proof is measured by the server's clock (contracts page served -> proof
received); the phone's claim is kept beside it and never trusted (issue 12, item 2)."""

import datetime as dt

import pytest
import time_machine

from formaliza.core import clock
from formaliza.core.errors import ApplicationError
from formaliza.evidence.models import EvidenceEvent
from formaliza.journeys import services
from formaliza.journeys.documents import contract_pages
from formaliza.journeys.models import Step
from formaliza.journeys.tests.helpers import CLIENT_CTX, walk


@pytest.fixture
def reading(journey, settings):
    """The contracts page served at a known instant, with the default floor of 10 s a page."""
    settings.JOURNEY_READ_MIN_SECONDS_PER_PAGE = 10
    settings.JOURNEY_READ_WORDS_PER_PAGE = 500
    walk(journey, until=Step.CONTRACTS)
    served = clock.now().replace(microsecond=0)
    with time_machine.travel(served, tick=False):
        contracts = services.journey_contracts_shown(journey_id=journey.pk, context=CLIENT_CTX)
    return served, contracts


def _prove(journey, contract, *, at, fraction=1.0, seconds=60.0):
    with time_machine.travel(at, tick=False):
        return services.journey_contract_reading_record(
            journey_id=journey.pk, contract_id=contract.pk, max_fraction=fraction,
            client_seconds=seconds, context=CLIENT_CTX,
        )  # fmt: skip


def _events(journey, kind):
    return list(
        EvidenceEvent.objects.filter(subject_id=str(journey.pk), kind=kind).order_by("sequence")
    )


def _floor(contract) -> float:
    return 10.0 * contract_pages(contract.html, words_per_page=500)


def test_a_proof_posted_right_after_the_contract_is_served_is_refused(journey, reading):
    served, (first, _second) = reading

    with pytest.raises(ApplicationError) as err:
        _prove(journey, first, at=served + dt.timedelta(milliseconds=400), seconds=60)

    assert err.value.code == "reading_too_fast"
    assert "Leia o contrato com atenção" in err.value.message
    assert err.value.extra["retry_after"] == pytest.approx(_floor(first) - 0.4, abs=0.01)
    first.refresh_from_db()
    assert (first.read_at, first.server_seconds, first.max_fraction) == (None, None, 0.0)
    assert _events(journey, "contract.read") == []
    (refused,) = _events(journey, "contract.read_refused")
    assert refused.data["client_seconds"] == 60.0  # the phone's claim, kept as such
    assert refused.data["server_seconds"] == 0.4
    assert refused.data["min_seconds"] == _floor(first)
    with pytest.raises(ApplicationError) as gate:
        services.journey_contracts_accept(journey_id=journey.pk, context=CLIENT_CTX)
    assert gate.value.code == "contracts_not_read"


def test_the_server_clock_measures_the_reading_and_the_claim_is_kept_apart(journey, reading):
    served, (first, _second) = reading
    at = served + dt.timedelta(seconds=_floor(first) + 5)

    contract = _prove(journey, first, at=at, seconds=3.5)

    assert contract.read_at == at
    assert contract.server_seconds == _floor(first) + 5
    assert contract.client_seconds == 3.5
    assert contract.read_min_seconds == _floor(first)
    (event,) = _events(journey, "contract.read")
    assert (event.data["server_seconds"], event.data["client_seconds"]) == (_floor(first) + 5, 3.5)
    assert event.data["min_seconds"] == _floor(first)
    assert event.data["pages"] == contract_pages(first.html, words_per_page=500)


def test_one_person_reads_one_contract_at_a_time(journey, reading):
    """Both contracts are on one page: the second proof must come after the time both take."""
    served, (first, second) = reading
    _prove(journey, first, at=served + dt.timedelta(seconds=_floor(first)))

    with pytest.raises(ApplicationError) as err:
        _prove(journey, second, at=served + dt.timedelta(seconds=_floor(first) + 1))
    assert err.value.code == "reading_too_fast"

    both = _floor(first) + _floor(second)
    contract = _prove(journey, second, at=served + dt.timedelta(seconds=both))
    assert contract.read_min_seconds == both
    services.journey_contracts_accept(journey_id=journey.pk, context=CLIENT_CTX)
    journey.refresh_from_db()
    assert journey.current_step == Step.ID_FRONT


def test_progress_below_the_end_is_kept_without_any_floor(journey, reading):
    served, (first, _second) = reading
    contract = _prove(journey, first, at=served + dt.timedelta(seconds=1), fraction=0.4)
    assert (contract.max_fraction, contract.read_at) == (0.4, None)
    assert _events(journey, "contract.read_refused") == []


def test_repeated_fast_proofs_are_refused_and_recorded_only_a_few_times(journey, reading):
    served, (first, _second) = reading
    for n in range(6):
        with pytest.raises(ApplicationError):
            _prove(journey, first, at=served + dt.timedelta(seconds=n))
    first.refresh_from_db()
    assert first.fast_proofs == 6
    assert len(_events(journey, "contract.read_refused")) == 3


def test_the_floor_is_a_setting(journey, reading, settings):
    served, (first, _second) = reading
    settings.JOURNEY_READ_MIN_SECONDS_PER_PAGE = 0
    contract = _prove(journey, first, at=served + dt.timedelta(milliseconds=200))
    assert contract.read_at is not None
    assert contract.read_min_seconds == 0


@pytest.mark.parametrize(("words", "pages"), [(0, 1), (1, 1), (500, 1), (501, 2), (1499, 3)])
def test_pages_are_counted_from_the_words_the_client_reads(words, pages):
    html = "<h3>Título</h3>" + "<p>" + " ".join(["palavra"] * max(words - 1, 0)) + "</p>"
    assert contract_pages(html, words_per_page=500) == pages
