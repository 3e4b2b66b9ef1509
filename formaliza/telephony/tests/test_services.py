"""Calls through the default tel: adapter, event rules, and tenant boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from formaliza.core.errors import ApplicationError, NotFound
from formaliza.telephony import ports, services
from formaliza.telephony.adapters.tel_link import TelLinkTelephony


def _start(kit, number="+55 (11) 98765-4321"):
    return services.call_start(
        tenant_id=kit.tenant.id, operator_extension="1001", client_number=number,
        telephony=TelLinkTelephony(),
    )  # fmt: skip


def test_default_adapter_gives_a_tel_link_and_records_the_typed_outcome(db, kit):
    call = _start(kit)
    assert call.state == ports.MANUAL and call.dial_url == "tel:+5511987654321"
    services.call_outcome_record(
        tenant_id=kit.tenant.id, call_id=call.call_id, answered=True, duration_seconds=95
    )
    call.refresh_from_db()
    assert (call.state, call.duration_seconds, call.cause) == (ports.ENDED, 95, 16)


def test_unanswered_outcome_has_no_duration(db, kit):
    call = _start(kit)
    services.call_outcome_record(
        tenant_id=kit.tenant.id, call_id=call.call_id, answered=False, duration_seconds=30
    )
    call.refresh_from_db()
    assert call.duration_seconds == 0 and call.answered_at is None


def test_bad_numbers_and_durations_are_refused(db, kit):
    with pytest.raises(ApplicationError) as excinfo:
        _start(kit, number="abc")
    assert excinfo.value.code == "telephony_invalid_number"
    call = _start(kit)
    with pytest.raises(ApplicationError) as excinfo:
        services.call_outcome_record(
            tenant_id=kit.tenant.id, call_id=call.call_id, answered=True, duration_seconds=-1
        )
    assert excinfo.value.code == "telephony_bad_duration"


def test_divert_without_a_pbx_is_refused_in_portuguese(db, kit):
    call = _start(kit)
    with pytest.raises(ApplicationError) as excinfo:
        services.call_divert(
            tenant_id=kit.tenant.id, call_id=call.call_id, to_extension="1002",
            telephony=TelLinkTelephony(),
        )  # fmt: skip
    assert "transfira" in excinfo.value.message


def test_other_tenants_call_is_not_found(db, kit, other_kit):
    call = _start(kit)
    with pytest.raises(NotFound):
        services.call_outcome_record(
            tenant_id=other_kit.tenant.id, call_id=call.call_id, answered=True, duration_seconds=1
        )
    with pytest.raises(NotFound):
        services.call_hangup(
            tenant_id=other_kit.tenant.id, call_id=call.call_id, telephony=TelLinkTelephony()
        )


def test_events_never_move_an_ended_call_back_and_repeat_events_are_ignored(db, kit):
    call = _start(kit)
    at = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
    answered = ports.CallEvent(call_id=call.call_id, kind="state", state=ports.ANSWERED, at=at)
    ended = ports.CallEvent(
        call_id=call.call_id, kind="ended", state=ports.ENDED, at=at + dt.timedelta(seconds=42),
        cause=16, cause_text="Normal Clearing",
    )  # fmt: skip
    for event in (answered, answered, ended, answered):
        services.call_event_apply(event=event)
    call.refresh_from_db()
    assert (call.state, call.duration_seconds) == (ports.ENDED, 42)
    assert call.events.count() == 3  # started + answered + ended
    assert (
        services.call_event_apply(
            event=ports.CallEvent(call_id="unknown", kind="state", state=ports.RINGING, at=at)
        )
        is None
    )
