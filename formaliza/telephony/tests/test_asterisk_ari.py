"""The ARI adapter against the local fake ARI (real HTTP and a real WebSocket on port 0)."""

from __future__ import annotations

import queue
import threading

import pytest

from formaliza.telephony import ports, services
from formaliza.telephony.adapters.asterisk_ari import AsteriskAriTelephony, event_parse
from formaliza.telephony.fake_ari import FakeAri


@pytest.fixture
def fake():
    server = FakeAri(username="u", password="p", answer_after=0.3, busy_numbers=("5511900000000",))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def ari(fake):
    return AsteriskAriTelephony(url=fake.url, username="u", password="p", context="operadores")


class Listener:
    def __init__(self, ari):
        self.events: queue.Queue = queue.Queue()
        self.done = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ari,), daemon=True)
        self.thread.start()

    def _run(self, ari):
        def stop():
            self.ready.set()
            return self.done.is_set()

        ari.listen(self.events.put, stop=stop)

    def until(self, state: str) -> list[ports.CallEvent]:
        seen = []
        while True:
            event = self.events.get(timeout=10)
            seen.append(event)
            if event.state == state:
                return seen

    def close(self):
        self.done.set()
        self.thread.join(timeout=5)


def test_originate_sends_aris_query_parameters_with_basic_auth(fake, ari):
    handle = ari.originate(
        ports.CallRequest(operator_extension="1001", client_number="+55 11 98765-4321")
    )
    method, path, query = fake.requests[-1]
    assert (method, path) == ("POST", "/ari/channels")
    assert query["endpoint"] == "PJSIP/1001"
    assert query["extension"] == "5511987654321"
    assert query["context"] == "operadores"
    assert query["priority"] == "1"
    assert query["callerId"] == "+55 11 98765-4321"
    assert query["channelId"] == handle.call_id
    assert handle.state == ports.DIALING
    assert [c.call_id for c in ari.live_calls()] == [handle.call_id]


def test_events_answer_then_hangup_gives_duration_and_cause(db, kit, fake, ari):
    listener = Listener(ari)
    assert listener.ready.wait(5)
    call = services.call_start(
        tenant_id=kit.tenant.id, operator_extension="1001", client_number="+5511987654321",
        reference="order:1", telephony=ari,
    )  # fmt: skip
    for event in listener.until(ports.ANSWERED):
        services.call_event_apply(event=event)
    call.refresh_from_db()
    assert call.state == ports.ANSWERED and call.answered_at is not None
    services.call_hangup(tenant_id=kit.tenant.id, call_id=call.call_id, telephony=ari)
    for event in listener.until(ports.ENDED):
        services.call_event_apply(event=event)
    listener.close()
    call.refresh_from_db()
    assert call.state == ports.ENDED
    assert (call.cause, call.cause_text) == (16, "Normal Clearing")
    assert call.duration_seconds is not None and call.duration_seconds >= 0
    assert next(e.state for e in call.events.all()) == ports.DIALING
    assert fake.channels == {}


def test_busy_client_ends_with_cause_17_and_no_duration(db, kit, fake, ari):
    listener = Listener(ari)
    assert listener.ready.wait(5)
    call = services.call_start(
        tenant_id=kit.tenant.id, operator_extension="1001", client_number="+5511900000000",
        telephony=ari,
    )  # fmt: skip
    for event in listener.until(ports.ENDED):
        services.call_event_apply(event=event)
    listener.close()
    call.refresh_from_db()
    assert (call.state, call.cause, call.cause_text) == (ports.ENDED, 17, "User busy")
    assert call.duration_seconds == 0 and call.answered_at is None


def test_divert_redirects_a_live_channel(db, kit, fake, ari):
    call = services.call_start(
        tenant_id=kit.tenant.id, operator_extension="1001", client_number="+5511987654321",
        telephony=ari,
    )  # fmt: skip
    services.call_divert(
        tenant_id=kit.tenant.id, call_id=call.call_id, to_extension="1002", telephony=ari
    )
    assert fake.redirects == [(call.call_id, "PJSIP/1002")]
    call.refresh_from_db()
    assert call.diverted_to == "1002"


def test_wrong_credentials_are_refused(fake):
    bad = AsteriskAriTelephony(url=fake.url, username="u", password="wrong")
    with pytest.raises(ports.TelephonyError) as excinfo:
        bad.originate(ports.CallRequest(operator_extension="1001", client_number="+5511987654321"))
    assert excinfo.value.code == "pbx_auth"
    with pytest.raises(ports.TelephonyError) as excinfo:
        bad.listen(lambda e: None, stop=lambda: True)
    assert excinfo.value.code == "pbx_auth"


def test_hangup_of_a_gone_channel_is_not_found(fake, ari):
    with pytest.raises(ports.TelephonyError) as excinfo:
        ari.hangup("no-such-channel")
    assert excinfo.value.code == "call_not_found"


def test_forged_extension_and_number_never_reach_the_pbx(fake, ari):
    for extension, number in [("1001&app=evil", "+5511987654321"), ("1001", "12")]:
        with pytest.raises(ports.TelephonyError):
            ari.originate(ports.CallRequest(operator_extension=extension, client_number=number))
    assert fake.requests == []


def test_unreachable_pbx_is_a_clear_error():
    ari = AsteriskAriTelephony(url="http://127.0.0.1:1", username="u", password="p", timeout=1)
    with pytest.raises(ports.TelephonyError) as excinfo:
        ari.live_calls()
    assert excinfo.value.code == "pbx_unreachable"


def test_event_parse_reads_aris_format():
    event = event_parse(
        {
            "type": "ChannelDestroyed",
            "timestamp": "2026-12-03T17:00:05.120+0000",
            "cause": 16,
            "cause_txt": "Normal Clearing",
            "channel": {"id": "1700000000.1", "state": "Up"},
            "application": "formaliza",
        }
    )
    assert (event.call_id, event.kind, event.cause) == ("1700000000.1", "ended", 16)
    assert event.at.utcoffset().total_seconds() == 0
    assert event_parse({"type": "ChannelVarset", "timestamp": "x", "channel": {}}) is None
