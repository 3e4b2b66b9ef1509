"""A local fake of Asterisk's ARI for tests and the demo: the REST calls the adapter uses and the
`/ari/events` WebSocket, in ARI's wire format, on one port (as Asterisk serves them).

Behaviour: an originated channel starts `Down`, turns `Ringing` and then `Up` after
`answer_after` seconds; a client number in `busy_numbers` is destroyed with cause 17 (User busy);
`DELETE` destroys it with cause 16 (Normal Clearing). Requests carry no body (ARI takes query
parameters), so the websockets server answers them from `process_request`.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _ws_frame(text: str) -> bytes:
    """One unmasked text frame (server → client, RFC 6455 §5.2)."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes([0x81, size])
    elif size < 65536:
        header = bytes([0x81, 126]) + size.to_bytes(2, "big")
    else:
        header = bytes([0x81, 127]) + size.to_bytes(8, "big")
    return header + payload


def _ws_close(socket) -> None:
    with contextlib.suppress(OSError):
        socket.sendall(bytes([0x88, 2]) + (1001).to_bytes(2, "big"))


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


class FakeAri:
    def __init__(
        self,
        *,
        username: str = "formaliza",
        password: str = "formaliza",  # noqa: S107 - the fake's demo credentials
        answer_after: float = 0.2,
        busy_numbers: tuple[str, ...] = (),
    ):
        self.username = username
        self.password = password
        self.answer_after = answer_after
        self.busy_numbers = set(busy_numbers)
        self.channels: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.redirects: list[tuple[str, str]] = []
        self._sockets: list = []
        self._lock = threading.Lock()
        self._timers: list[threading.Timer] = []
        self._server = None
        self._thread = None
        self._counter = 0

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self, *, host: str = "127.0.0.1", port: int = 0) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                return None

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

            def do_DELETE(self):
                fake._handle(self, "DELETE")

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        with self._lock:
            sockets, self._sockets = list(self._sockets), []
        for socket in sockets:
            _ws_close(socket)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    # --- HTTP ---------------------------------------------------------------------------------
    def _authorized(self, handler, query: dict) -> bool:
        expected = f"{self.username}:{self.password}"
        if query.get("api_key") == expected:
            return True
        header = handler.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                return base64.b64decode(header[6:]).decode() == expected
            except ValueError:
                return False
        return False

    def _handle(self, handler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(min(length, 65536))
        if not self._authorized(handler, query):
            status, body = 401, {"message": "Authentication required"}
        elif parts.path == "/ari/events" and method == "GET":
            if not query.get("app"):
                status, body = 400, {"message": "Missing parameter app"}
            elif handler.headers.get("Upgrade", "").lower() != "websocket":
                status, body = 426, {"message": "Upgrade required"}
            else:
                self._upgrade(handler)
                return
        else:
            self.requests.append((method, parts.path, query))
            status, body = self._route(method, parts.path, query)
        text = b"" if body is None else json.dumps(body).encode()
        handler.send_response(status)
        if body is not None:
            handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(text)))
        handler.end_headers()
        handler.wfile.write(text)

    def _upgrade(self, handler) -> None:
        key = handler.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()  # noqa: S324 - RFC 6455
        handler.send_response(101)
        handler.send_header("Upgrade", "websocket")
        handler.send_header("Connection", "Upgrade")
        handler.send_header("Sec-WebSocket-Accept", accept)
        handler.end_headers()
        handler.wfile.flush()
        socket = handler.connection
        with self._lock:
            self._sockets.append(socket)
        try:
            while socket.recv(4096):  # the client only sends pings/close; read until it goes
                pass
        except OSError:
            pass
        finally:
            with self._lock:
                if socket in self._sockets:
                    self._sockets.remove(socket)
            handler.close_connection = True

    def _route(self, method: str, path: str, query: dict) -> tuple[int, object]:
        segments = path.strip("/").split("/")
        if segments[:2] != ["ari", "channels"]:
            return (404, {"message": "Resource not found"})
        if len(segments) == 2 and method == "GET":
            with self._lock:
                return (200, list(self.channels.values()))
        if len(segments) == 2 and method == "POST":
            return self._originate(query)
        channel_id = segments[2] if len(segments) > 2 else ""
        with self._lock:
            channel = self.channels.get(channel_id)
        if channel is None:
            return (404, {"message": "Channel not found"})
        if len(segments) == 3 and method == "DELETE":
            self._destroy(channel_id, 16, "Normal Clearing")
            return 204, None
        if len(segments) == 4 and segments[3] == "redirect" and method == "POST":
            if not query.get("endpoint"):
                return (400, {"message": "Required parameter endpoint missing"})
            self.redirects.append((channel_id, query["endpoint"]))
            return 204, None
        if len(segments) == 3 and method == "GET":
            return (200, channel)
        return (405, {"message": "Method not allowed"})

    def _originate(self, query: dict) -> tuple[int, object]:
        endpoint = query.get("endpoint", "")
        if not endpoint or "/" not in endpoint:
            return (400, {"message": "Endpoint must be specified"})
        if query.get("app") and query.get("extension"):
            return (400, {"message": "Application and extension are mutually exclusive"})
        if not query.get("app") and not query.get("extension"):
            return (400, {"message": "Application or extension must be specified"})
        with self._lock:
            self._counter += 1
            channel_id = query.get("channelId") or f"1700000000.{self._counter}"
            channel = {
                "id": channel_id,
                "name": f"{endpoint}-{self._counter:08x}",
                "state": "Down",
                "caller": {"name": "", "number": query.get("callerId", "")},
                "connected": {"name": "", "number": ""},
                "accountcode": "",
                "dialplan": {
                    "context": query.get("context", "default"),
                    "exten": query.get("extension", "s"),
                    "priority": int(query.get("priority", 1)),
                    "app_name": "",
                    "app_data": "",
                },
                "creationtime": _now(),
                "language": "en",
            }
            self.channels[channel_id] = channel
        self._broadcast({"type": "ChannelCreated", "channel": channel})
        if query.get("extension", "") in self.busy_numbers:
            self._later(self.answer_after, self._destroy, channel_id, 17, "User busy")
        else:
            self._later(self.answer_after / 2, self._state, channel_id, "Ringing")
            self._later(self.answer_after, self._state, channel_id, "Up")
        return (200, channel)

    # --- events -------------------------------------------------------------------------------
    def _later(self, seconds: float, fn, *args) -> None:
        timer = threading.Timer(seconds, fn, args)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def _state(self, channel_id: str, state: str) -> None:
        with self._lock:
            channel = self.channels.get(channel_id)
            if channel is None:
                return
            channel["state"] = state
            channel = dict(channel)
        self._broadcast({"type": "ChannelStateChange", "channel": channel})

    def _destroy(self, channel_id: str, cause: int, cause_txt: str) -> None:
        with self._lock:
            channel = self.channels.pop(channel_id, None)
        if channel is None:
            return
        self._broadcast(
            {"type": "ChannelDestroyed", "cause": cause, "cause_txt": cause_txt, "channel": channel}
        )

    def _broadcast(self, event: dict) -> None:
        event = {**event, "timestamp": _now(), "application": "formaliza"}
        with self._lock:
            sockets = list(self._sockets)
        frame = _ws_frame(json.dumps(event))
        for socket in sockets:
            try:
                socket.sendall(frame)
            except OSError:
                continue  # a closed socket just stops listening
