"""Executors of the formalization cards (`cards/formalization.py`): they call the journeys
services, which check the journey's state, record the evidence and queue the messages to the
client (through the ClientMessenger port, i.e. `adapters/whatsapp_messenger.py`).

The journey is never taken from the flow's variables (a client's answer could set those): it is
the one that started the run (`FlowRun.context["journey"]`, written by the adapter) or, for a
run started otherwise, the latest journey sent to the conversation's phone — always within the
run's tenant.
"""

from __future__ import annotations

import logging

from formaliza.accounts.actors import Actor
from formaliza.core.errors import ApplicationError
from formaliza.flows.effects.registry import EffectContext, executor
from formaliza.flows.models import FlowRun
from formaliza.journeys import selectors as journeys_selectors
from formaliza.journeys import services as journeys
from formaliza.journeys.models import Journey

logger = logging.getLogger(__name__)

ACTOR_NAME = "assistente de formalização"


def journey_of(ctx: EffectContext) -> Journey | None:
    run = FlowRun.objects.filter(pk=ctx.run_id, tenant=ctx.tenant).only("context").first()
    journey_id = (run.context or {}).get("journey") if run is not None else None
    if journey_id:
        return journeys_selectors.journey_get(tenant=ctx.tenant, journey_id=journey_id)
    phone = ctx.conversation.handle.address
    return journeys_selectors.journey_latest_for_phone(tenant=ctx.tenant, phone=phone)


def _actor(ctx: EffectContext) -> Actor:
    return Actor.of_system(ctx.tenant, ACTOR_NAME)


def _failure(exc: ApplicationError) -> dict:
    logger.info("formalization effect refused: %s", exc.code)
    return {"ok": False, "code": exc.code}


def _on_journey(ctx: EffectContext, call) -> dict:
    """Run `call(journey)` on the conversation's journey: {"ok": True} with the dict it returns,
    if any, or the refusal's code."""
    journey = journey_of(ctx)
    if journey is None:
        return {"ok": False, "code": "journey_not_found"}
    try:
        extra = call(journey)
    except ApplicationError as exc:
        return _failure(exc)
    return {"ok": True, **(extra if isinstance(extra, dict) else {})}


@executor("journey_link_send")
def journey_link_send(ctx: EffectContext, payload: dict) -> dict:
    return _on_journey(
        ctx, lambda j: journeys.journey_link_resend(actor=_actor(ctx), journey_id=j.pk)
    )


@executor("journey_link_renew")
def journey_link_renew(ctx: EffectContext, payload: dict) -> dict:
    return _on_journey(
        ctx, lambda j: journeys.journey_link_renew(actor=_actor(ctx), journey_id=j.pk)
    )


@executor("journey_help")
def journey_help(ctx: EffectContext, payload: dict) -> dict:
    return _on_journey(
        ctx,
        lambda j: {"issue": journeys.journey_help_request(journey_id=j.pk, tenant=ctx.tenant).pk},
    )


@executor("journey_status")
def journey_status(ctx: EffectContext, payload: dict) -> dict:
    journey = journey_of(ctx)
    if journey is None:
        return {"status": "none"}
    return {"status": journey.status, "step": journey.current_step}
