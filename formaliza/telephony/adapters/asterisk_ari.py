"""Asterisk REST Interface (ARI) adapter.

REST (basic auth or `api_key=user:pass`):
- `POST /ari/channels?endpoint=PJSIP/1001&extension=5511…&context=…&priority=1&callerId=…&channelId=…`
  originates a call: Asterisk rings the operator's endpoint and, once answered, runs the dialplan
  at `extension@context` (which dials the client). Answers the Channel JSON.
- `DELETE /ari/channels/{id}?reason=normal` hangs up (204; 404 when the channel is gone).
- `POST /ari/channels/{id}/redirect?endpoint=PJSIP/1002` moves a live call to another endpoint.
- `GET /ari/channels` lists live channels.

Events: WebSocket `/ari/events?app=…&subscribeAll=true` delivering JSON messages with `type`
(`StasisStart`, `ChannelStateChange`, `ChannelDestroyed` with `cause`/`cause_txt`), `timestamp`
and `channel` (`id`, `state`, `caller`, `connected`, `dialplan`, `creationtime`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

from formaliza.telephony.ports import (
    ANSWERED,
    DIALING,
    ENDED,
    RINGING,
    CallEvent,
    CallHandle,
    CallRequest,
    TelephonyError,
)

# ARI channel states → ours.
_STATES = {
    "Down": DIALING,
    "Rsrvd": DIALING,
    "OffHook": DIALING,
    "Dialing": DIALING,
    "Dialing Offhook": DIALING,
    "Pre-ring": DIALING,
    "Ring": RINGING,
    "Ringing": RINGING,
    "Busy": RINGING,
    "Up": ANSWERED,
}


def ari_time(value: str) -> dt.datetime:
    """ARI timestamps look like `2026-12-03T17:00:00.123+0000`."""
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return dt.datetime.strptime(value, pattern)  # noqa: DTZ007 - %z makes it aware
        except ValueError:
            continue
    raise TelephonyError("bad_event", f"Horário inválido no evento do Asterisk: {value!r}")


def event_parse(message: dict) -> CallEvent | None:
    """One ARI event message → a CallEvent (None for event types calls don't care about)."""
    kind_by_type = {"StasisStart": "started", "ChannelStateChange": "state"}
    kind = message.get("type")
    if kind not in kind_by_type and kind != "ChannelDestroyed":
        return None
    channel = message.get("channel") or {}
    call_id = channel.get("id")
    at = ari_time(message["timestamp"]) if message.get("timestamp") else None
    if not call_id or at is None:
        return None
    if kind == "ChannelDestroyed":
        return CallEvent(
            call_id=call_id,
            kind="ended",
            state=ENDED,
            at=at,
            cause=message.get("cause"),
            cause_text=message.get("cause_txt", ""),
            raw=message,
        )
    if kind in kind_by_type:
        return CallEvent(
            call_id=call_id,
            kind=kind_by_type[kind],
            state=_STATES.get(channel.get("state", ""), DIALING),
            at=at,
            raw=message,
        )
    return None


def _digits(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    if not 8 <= len(digits) <= 15:
        raise TelephonyError("invalid_number", "Número de telefone inválido para ligação.")
    return digits


class AsteriskAriTelephony:
    reports_events = True

    def __init__(
        self,
        *,
        url: str,
        username: str,
        password: str,
        app: str = "formaliza",
        context: str = "from-internal",
        endpoint_technology: str = "PJSIP",
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self.url = url.rstrip("/")
        self.username = username
        self.password = password
        self.app = app
        self.context = context
        self.technology = endpoint_technology
        self.http = httpx.Client(
            base_url=self.url, auth=(username, password), timeout=timeout, transport=transport
        )

    # --- REST ---------------------------------------------------------------------------------
    def _call(self, method: str, path: str, params: dict | None = None) -> httpx.Response:
        try:
            response = self.http.request(method, path, params=params)
        except httpx.HTTPError as exc:
            raise TelephonyError(
                "pbx_unreachable", "A central telefônica não respondeu. Tente de novo."
            ) from exc
        if response.status_code == 404:
            raise TelephonyError("call_not_found", "A ligação não está mais ativa na central.")
        if response.status_code in (401, 403):
            raise TelephonyError("pbx_auth", "A central recusou as credenciais configuradas.")
        if response.status_code >= 400:
            raise TelephonyError(
                "pbx_error", f"A central recusou o pedido ({response.status_code})."
            )
        return response

    def originate(self, request: CallRequest) -> CallHandle:
        if not re.fullmatch(r"[\w.-]{1,40}", request.operator_extension or ""):
            raise TelephonyError("invalid_extension", "Ramal do operador inválido.")
        params = {
            "endpoint": f"{self.technology}/{request.operator_extension}",
            "extension": _digits(request.client_number),
            "context": self.context,
            "priority": 1,
            "callerId": request.caller_id or request.client_number,
            "channelId": f"fz-{uuid.uuid4().hex}",
            "timeout": 30,
        }
        channel = self._call("POST", "/ari/channels", params).json()
        return CallHandle(call_id=channel["id"], state=_STATES.get(channel.get("state"), DIALING))

    def hangup(self, call_id: str) -> None:
        self._call("DELETE", f"/ari/channels/{call_id}", {"reason": "normal"})

    def divert(self, call_id: str, *, to_extension: str) -> None:
        if not re.fullmatch(r"[\w.-]{1,40}", to_extension or ""):
            raise TelephonyError("invalid_extension", "Ramal de destino inválido.")
        self._call(
            "POST",
            f"/ari/channels/{call_id}/redirect",
            {"endpoint": f"{self.technology}/{to_extension}"},
        )

    def live_calls(self) -> list[CallHandle]:
        return [
            CallHandle(call_id=c["id"], state=_STATES.get(c.get("state"), DIALING))
            for c in self._call("GET", "/ari/channels").json()
        ]

    # --- events -------------------------------------------------------------------------------
    def events_url(self) -> str:
        parts = urlsplit(self.url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        query = urlencode(
            {
                "app": self.app,
                "subscribeAll": "true",
                "api_key": f"{self.username}:{self.password}",
            }
        )
        return urlunsplit((scheme, parts.netloc, parts.path + "/ari/events", query, ""))

    def listen(self, on_event: Callable[[CallEvent], None], *, stop: Callable[[], bool]) -> None:
        from websockets.exceptions import ConnectionClosed, InvalidStatus
        from websockets.sync.client import connect

        try:
            socket = connect(self.events_url(), open_timeout=5)
        except InvalidStatus as exc:
            raise TelephonyError("pbx_auth", "A central recusou a conexão de eventos.") from exc
        except OSError as exc:
            raise TelephonyError("pbx_unreachable", "A central telefônica não respondeu.") from exc
        with socket:
            while not stop():
                try:
                    text = socket.recv(timeout=0.2)
                except TimeoutError:
                    continue
                except ConnectionClosed:
                    return
                event = event_parse(json.loads(text))
                if event is not None:
                    on_event(event)
