"""Reading the contracts: the page served (the server's reading clock starts), the proof of
reaching each contract's end (timed by the server, refused when sooner than the reading floor;
the phone's own count kept only as its claim), and the acceptance of all of them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from formaliza.core import clock
from formaliza.core.errors import ApplicationError, NotFound
from formaliza.evidence.services import RequestContext
from formaliza.journeys import documents
from formaliza.journeys.models import Journey, JourneyContract, Step
from formaliza.journeys.services._common import (
    client_actor,
    lock_journey,
    record,
    require_step,
)


def journey_contracts_shown(*, journey_id: Any, context: RequestContext) -> list[JourneyContract]:
    """The contracts page was served: the server's reading clock starts (once)."""
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id)
        require_step(journey, Step.CONTRACTS)
        contracts = list(journey.contracts.select_related("proposal").order_by("position"))
        unseen = [c for c in contracts if c.shown_at is None]
        if unseen:
            now = clock.now()
            JourneyContract.objects.filter(pk__in=[c.pk for c in unseen]).update(shown_at=now)
            for contract in unseen:
                contract.shown_at = now
            record(
                journey, "contracts.shown", actor=client_actor(journey), context=context,
                data={"contracts": [{"id": c.pk, "proposal": c.proposal.number, "sha256": c.sha256}
                                    for c in contracts]},
            )  # fmt: skip
    return contracts


READ_REFUSALS_RECORDED = 3  # evidence of a phone racing the clock; more adds nothing


@dataclass(frozen=True)
class _Proof:
    """One report of a contract's end: the phone's claim and the server's measure."""

    fraction: float
    client_seconds: float
    server_seconds: float
    pages: int
    min_seconds: float

    def evidence(self, contract: JourneyContract) -> dict:
        return {
            "contract": contract.pk, "proposal": contract.number, "sha256": contract.sha256,
            "server_seconds": round(self.server_seconds, 1), "min_seconds": self.min_seconds,
            "pages": self.pages, "client_seconds": round(self.client_seconds, 1),
            "max_fraction": round(self.fraction, 4),
        }  # fmt: skip


def _reading_floor(journey: Journey, contract: JourneyContract) -> tuple[int, float]:
    """Pages of this contract and the seconds that must have passed since the page was served
    before its end may count as reached: its own pages and those of the contracts already read
    (they share one page, and one person reads one contract at a time)."""
    per_page = settings.JOURNEY_READ_MIN_SECONDS_PER_PAGE
    words = settings.JOURNEY_READ_WORDS_PER_PAGE
    pages = documents.contract_pages(contract.html, words_per_page=words)
    before = sum(
        documents.contract_pages(c.html, words_per_page=words)
        for c in journey.contracts.exclude(pk=contract.pk).filter(read_at__isnull=False)
    )
    return pages, round(per_page * (pages + before), 1)


def _too_fast(proof: _Proof) -> ApplicationError:
    remaining = proof.min_seconds - proof.server_seconds
    return ApplicationError(
        code="reading_too_fast",
        message=f"Leia o contrato com atenção: ele tem {proof.pages} página(s) e a leitura só é "
        f"registrada depois de pelo menos {proof.min_seconds:.0f} segundos com os contratos na "
        f"tela. Faltam {max(1, math.ceil(remaining))} segundo(s).",
        status=409,
        extra={"retry_after": round(remaining, 2), "min_seconds": proof.min_seconds},
    )


def _locked_contract(journey: Journey, contract_id: Any) -> JourneyContract:
    contract = (
        JourneyContract.objects.select_for_update(of=("self",))
        .select_related("proposal")
        .filter(journey=journey, pk=contract_id)
        .first()
    )
    if contract is None or contract.shown_at is None:
        raise NotFound("Contrato", code="contract_not_found")
    return contract


def journey_contract_reading_record(
    *,
    journey_id: Any,
    contract_id: Any,
    max_fraction: float,
    client_seconds: float,
    context: RequestContext,
) -> JourneyContract:
    """Progress of reading one contract. The time is the server's (contracts page served ->
    this request); the phone's `client_seconds` is recorded as its claim only. The proof of the
    end is written once, and refused (`reading_too_fast`, nothing recorded as read) when it
    comes sooner than the floor of `_reading_floor`."""
    fraction = min(max(float(max_fraction), 0.0), 1.0)
    seconds = min(max(float(client_seconds), 0.0), 24 * 3600.0)
    refusal = None
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id)
        require_step(journey, Step.CONTRACTS)
        contract = _locked_contract(journey, contract_id)
        now = clock.now()
        at_end = max(contract.max_fraction, fraction) >= settings.JOURNEY_READ_MIN_FRACTION
        if not at_end or contract.read_at is not None:
            contract.max_fraction = max(contract.max_fraction, fraction)
            contract.client_seconds = max(contract.client_seconds, seconds)
            contract.save(update_fields=["max_fraction", "client_seconds"])
            return contract
        pages, required = _reading_floor(journey, contract)
        elapsed = max(0.0, (now - contract.shown_at).total_seconds())
        proof = _Proof(fraction, seconds, elapsed, pages, required)
        if elapsed < required:
            _refuse(journey, contract, proof, context)
            refusal = _too_fast(proof)
        else:
            _accept(journey, contract, proof, now, context)
    if refusal is not None:
        raise refusal  # after the commit: the refusal itself stays recorded
    return contract


def _refuse(journey: Journey, contract: JourneyContract, proof: _Proof, context) -> None:
    """Too soon: the contract stays unread (its stored progress stays below the end); the
    first few refusals are evidence, with the phone's claim beside the server's measure."""
    contract.fast_proofs = min(contract.fast_proofs + 1, 32767)
    contract.save(update_fields=["fast_proofs"])
    if contract.fast_proofs <= READ_REFUSALS_RECORDED:
        record(
            journey, "contract.read_refused", actor=client_actor(journey), context=context,
            data={**proof.evidence(contract), "reason": "reading_too_fast"},
        )  # fmt: skip


def _accept(journey: Journey, contract: JourneyContract, proof: _Proof, now, context) -> None:
    contract.max_fraction = max(contract.max_fraction, proof.fraction)
    contract.client_seconds = max(contract.client_seconds, proof.client_seconds)
    contract.read_at = now
    contract.server_seconds = round(proof.server_seconds, 1)
    contract.read_min_seconds = proof.min_seconds
    contract.save()
    record(
        journey, "contract.read", actor=client_actor(journey), context=context,
        data={**proof.evidence(contract), "max_fraction": round(contract.max_fraction, 4),
              "client_seconds": round(contract.client_seconds, 1)},
    )  # fmt: skip


def reading_proofs(journey: Journey) -> list[dict]:
    """Every contract's reading proof, for the acceptance and the signature events."""
    return [
        {"proposal": c.number, "sha256": c.sha256,
         "max_fraction": round(c.max_fraction, 4), "client_seconds": round(c.client_seconds, 1),
         "server_seconds": round(c.server_seconds or 0.0, 1), "min_seconds": c.read_min_seconds}
        for c in journey.contracts.select_related("proposal").order_by("position")
    ]  # fmt: skip


def journey_contracts_accept(*, journey_id: Any, context: RequestContext) -> Journey:
    """The sign control of the reading step. Refused, on the server too, until every contract
    has been scrolled to its end."""
    with transaction.atomic():
        journey = lock_journey(journey_id=journey_id)
        require_step(journey, Step.CONTRACTS)
        unread = [
            c.proposal.number
            for c in journey.contracts.select_related("proposal")
            if c.read_at is None or c.max_fraction < settings.JOURNEY_READ_MIN_FRACTION
        ]
        if unread:
            raise ApplicationError(
                code="contracts_not_read",
                message="Role cada contrato até o fim antes de continuar "
                f"(falta: contrato nº {', '.join(unread)}).",
                status=409,
                extra={"unread": unread},
            )
        journey.contracts_read_at = clock.now()
        journey.save(update_fields=["contracts_read_at", "updated_at"])
        record(
            journey, "contracts.accepted", actor=client_actor(journey), context=context,
            data={"contracts": reading_proofs(journey)},
        )  # fmt: skip
    return journey
