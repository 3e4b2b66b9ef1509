"""Background work of flows; each task runs the runtime service it is named after and is safe to
run twice (events are keyed and deduplicated by the runtime)."""

from __future__ import annotations

from django_tasks import task

from formaliza.flows import engine
from formaliza.flows.services import runtime


@task(queue_name="default")
def flow_inbound_message(message_id: int) -> str:
    """Wired in CONVERSATION_INBOUND_HANDLERS: each new inbound message reaches the flows."""
    return runtime.inbound_message_handle(message_id=message_id)


@task(queue_name="default")
def flow_run_event(run_id: int, event: dict, key: str) -> bool:
    """Apply one event (the fields of `engine.Event`) to a run."""
    return runtime.run_event(run_id=run_id, event=engine.Event(**event), key=key)


@task(queue_name="default")
def flow_effect_run(run_id: int, name: str, payload: dict, token: str) -> bool:
    """An effect executor that must run outside the step's transaction (network calls)."""
    return runtime.effect_run_outside(run_id=run_id, name=name, payload=payload, token=token)


@task(queue_name="default")
def flow_timers_sweep() -> int:
    """Periodic: timers of waits that timed out."""
    return runtime.run_timers_sweep()
