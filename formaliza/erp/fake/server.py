"""The HTTP plumbing the fake ERPs share: a threaded server on 127.0.0.1, request log, the
50 ms `delay` of the bench, and faults for the next answers: "500", "malformed" (a cut JSON),
"slow" (sleeps `slow_seconds`); `files` serves boleto PDFs at the links the fake gives. Each fake implements `route()` in its ERP's wire format."""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw: bytes

    def json(self):
        return json.loads(self.raw) if self.raw else {}

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.raw.decode()).items()}


@dataclass
class FakeServer(ABC):
    requests: list[Request] = field(default_factory=list)
    fault: str = ""
    delay: float = 0.0
    slow_seconds: float = 2.0
    url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)  # GET path -> a PDF (boleto links)
    _server: ThreadingHTTPServer | None = None

    def start(self, port: int = 0):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real ERPs behind nginx do
            disable_nagle_algorithm = True  # nginx's tcp_nodelay (its default)

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @abstractmethod
    def route(self, request: Request) -> tuple[int, object]:
        """(status, body) in the ERP's wire format for one request."""

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        request = Request(
            method=method, path=parts.path,
            query={k: v[0] for k, v in parse_qs(parts.query).items()},
            headers={k.lower(): v for k, v in h.headers.items()},
            raw=h.rfile.read(length) if length else b"",
        )  # fmt: skip
        self.requests.append(request)
        if self.delay:
            time.sleep(self.delay)
        if self.fault == "slow":
            time.sleep(self.slow_seconds)
        if self.fault == "500":
            return self._send(h, 500, b"<html>Internal Server Error</html>", "text/html")
        if self.fault == "malformed":
            return self._send(h, 200, b'{"registros": [', "application/json")
        if method == "GET" and request.path in self.files:
            return self._send(h, 200, self.files[request.path], "application/pdf")
        try:
            status, payload = self.route(request)
        except ValueError:
            status, payload = 400, {"type": "error", "message": "JSON inválido"}
        return self._send(h, status, json.dumps(payload).encode(), "application/json")

    def _send(self, h, status: int, data: bytes, content_type: str) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
