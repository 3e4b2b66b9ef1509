"""Writes of the telephony app: place, end and divert calls; apply events; manual outcomes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from formaliza.core import clock
from formaliza.core.errors import ApplicationError, NotFound
from formaliza.telephony import ports
from formaliza.telephony.models import Call, CallEvent


def telephony_adapter() -> ports.Telephony:
    """The adapter named in settings.TELEPHONY (`{"adapter": dotted path, "options": {...}}`)."""
    config = settings.TELEPHONY
    return import_string(config["adapter"])(**config.get("options", {}))


def _error(exc: ports.TelephonyError) -> ApplicationError:
    status = 404 if exc.code == "call_not_found" else 502 if exc.code.startswith("pbx") else 422
    return ApplicationError(code=f"telephony_{exc.code}", message=exc.message, status=status)


def call_start(
    *,
    tenant_id: int,
    operator_extension: str,
    client_number: str,
    reference: str = "",
    caller_id: str = "",
    telephony: ports.Telephony | None = None,
) -> Call:
    telephony = telephony or telephony_adapter()
    request = ports.CallRequest(
        operator_extension=operator_extension,
        client_number=client_number,
        caller_id=caller_id,
        reference=reference,
    )
    try:
        handle = telephony.originate(request)
    except ports.TelephonyError as exc:
        raise _error(exc) from exc
    call = Call.objects.create(
        tenant_id=tenant_id,
        call_id=handle.call_id,
        adapter=type(telephony).__name__,
        operator_extension=operator_extension,
        client_number=client_number,
        reference=reference,
        state=handle.state,
        dial_url=handle.dial_url,
    )
    CallEvent.objects.create(call=call, kind="started", state=handle.state, at=clock.now())
    return call


def _get(*, tenant_id: int, call_id: str) -> Call:
    call = Call.objects.filter(tenant_id=tenant_id, call_id=call_id).first()
    if call is None:
        raise NotFound("Ligação", code="call_not_found")
    return call


def call_hangup(*, tenant_id: int, call_id: str, telephony: ports.Telephony | None = None) -> Call:
    call = _get(tenant_id=tenant_id, call_id=call_id)
    if call.state == ports.ENDED:
        return call
    telephony = telephony or telephony_adapter()
    try:
        telephony.hangup(call_id)
    except ports.TelephonyError as exc:
        if exc.code != "call_not_found":
            raise _error(exc) from exc
    if not telephony.reports_events:
        call_event_apply(
            event=ports.CallEvent(call_id=call_id, kind="ended", state=ports.ENDED, at=clock.now())
        )
        call.refresh_from_db()
    return call


def call_divert(
    *, tenant_id: int, call_id: str, to_extension: str, telephony: ports.Telephony | None = None
) -> Call:
    call = _get(tenant_id=tenant_id, call_id=call_id)
    if call.state == ports.ENDED:
        raise ApplicationError(
            code="telephony_call_ended", message="A ligação já foi encerrada.", status=409
        )
    telephony = telephony or telephony_adapter()
    try:
        telephony.divert(call_id, to_extension=to_extension)
    except ports.TelephonyError as exc:
        raise _error(exc) from exc
    call.diverted_to = to_extension
    call.save(update_fields=["diverted_to", "updated_at"])
    return call


def _duration(answered: dt.datetime | None, ended: dt.datetime) -> int:
    return max(0, round((ended - answered).total_seconds())) if answered else 0


@transaction.atomic
def call_event_apply(*, event: ports.CallEvent) -> Call | None:
    """Apply one event (from the PBX's stream). Unknown calls are ignored; an ended call never
    moves back; a repeated event changes nothing."""
    call = Call.objects.select_for_update().filter(call_id=event.call_id).first()
    if call is None or call.state == ports.ENDED:
        return call
    if CallEvent.objects.filter(
        call=call, kind=event.kind, state=event.state, at=event.at
    ).exists():
        return call
    CallEvent.objects.create(
        call=call,
        kind=event.kind,
        state=event.state,
        at=event.at,
        cause=event.cause,
        cause_text=event.cause_text[:80],
    )
    fields = ["state", "updated_at"]
    call.state = event.state
    if event.state == ports.ANSWERED and call.answered_at is None:
        call.answered_at = event.at
        fields.append("answered_at")
    if event.state == ports.ENDED:
        call.ended_at = event.at
        call.duration_seconds = _duration(call.answered_at, event.at)
        call.cause, call.cause_text = event.cause, event.cause_text[:80]
        fields += ["ended_at", "duration_seconds", "cause", "cause_text"]
    call.save(update_fields=fields)
    return call


def call_outcome_record(
    *, tenant_id: int, call_id: str, answered: bool, duration_seconds: int
) -> Call:
    """What the operator types after a call dialled by hand (the `tel:` adapter)."""
    if not 0 <= duration_seconds <= 4 * 3600:
        raise ApplicationError(
            code="telephony_bad_duration",
            message="Informe a duração da ligação em segundos (até 4 horas).",
            status=422,
        )
    call = _get(tenant_id=tenant_id, call_id=call_id)
    if call.state == ports.ENDED:
        return call
    ended = clock.now()
    call.state = ports.ENDED
    call.ended_at = ended
    call.answered_at = ended - dt.timedelta(seconds=duration_seconds) if answered else None
    call.duration_seconds = duration_seconds if answered else 0
    call.cause, call.cause_text = (16, "Normal Clearing") if answered else (19, "No answer")
    call.save()
    CallEvent.objects.create(
        call=call, kind="ended", state=ports.ENDED, at=ended, cause=call.cause,
        cause_text=call.cause_text,
    )  # fmt: skip
    return call
