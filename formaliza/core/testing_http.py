"""A real HTTP server on 127.0.0.1 for tests of our outbound calls (webhooks, HTTP cards):
it records every request and answers from a script of (status, body, delay) replies. With a
server-side `ssl.SSLContext` it speaks HTTPS and records the SNI name of every TLS handshake
(`Receiver.server_names`), including the ones the client aborts."""

from __future__ import annotations

import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    replies: list[tuple[int, bytes, float]] = field(default_factory=list)
    default: tuple[int, bytes, float] = (200, b'{"ok": true}', 0.0)
    server_names: list[str | None] = field(default_factory=list)

    def reply(self, status: int, body: bytes | str = b"", delay: float = 0.0) -> None:
        self.replies.append((status, body.encode() if isinstance(body, str) else body, delay))


def start_receiver(tls: ssl.SSLContext | None = None) -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            receiver.requests.append(
                Recorded(self.command, self.path, dict(self.headers.items()), body)
            )
            status, payload, delay = (
                receiver.replies.pop(0) if receiver.replies else receiver.default
            )
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:

        def sni(_socket, name, _context):
            receiver.server_names.append(name)

        tls.sni_callback = sni
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scheme = "https" if tls is not None else "http"
    receiver.url = f"{scheme}://127.0.0.1:{server.server_port}"
    return receiver, server
