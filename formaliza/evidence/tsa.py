"""A local RFC 3161 timestamp authority over HTTP, for development and tests only.

It speaks the real protocol (POST `application/timestamp-query`, answer
`application/timestamp-reply`), so sealing always takes the production path — pyHanko's HTTP
timestamp client — whether the TSA is this one or a commercial one. Tokens are built and signed by
pyHanko's `DummyTimeStamper` with the embedded PKI's TSA certificate (NOT FOR PRODUCTION).
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import cms, tsp
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from formaliza.evidence.pki import EmbeddedPki

logger = logging.getLogger(__name__)

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
MAX_QUERY_BYTES = 16 * 1024


class TimeStampResp(tsp.TimeStampResp):
    """RFC 3161 §2.4.2: the token is OPTIONAL (absent when the request is rejected); asn1crypto
    declares it required."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


def _rejection(reason: str) -> bytes:
    status = tsp.PKIStatusInfo(
        {"status": "rejection", "status_string": [reason], "fail_info": {"bad_data_format"}}
    )
    return TimeStampResp({"status": status}).dump()


def make_handler(pki: EmbeddedPki) -> type[BaseHTTPRequestHandler]:
    # Tokens carry the TSA certificate; the root is the validator's trust anchor.
    stamper = DummyTimeStamper(tsa_cert=pki.tsa_certificate, tsa_key=pki.tsa_private_key)

    class Handler(BaseHTTPRequestHandler):
        server_version = "FormalizaLocalTSA/1.0"

        def _reply(self, status: int, body: bytes, content_type: str = REPLY_TYPE) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            if self.headers.get("Content-Type", "").split(";")[0].strip() != QUERY_TYPE:
                self._reply(415, b"use application/timestamp-query", "text/plain")
                return
            if not 0 < length <= MAX_QUERY_BYTES:
                self._reply(413, b"query too large", "text/plain")
                return
            body = self.rfile.read(length)
            try:
                request = tsp.TimeStampReq.load(body)
                request.native  # noqa: B018 - parse it fully now, not lazily later
                response = stamper.request_tsa_response(request).dump()
            except (ValueError, TypeError, KeyError) as exc:
                logger.info("local TSA refused a malformed query: %s", exc)
                self._reply(200, _rejection("malformed TimeStampReq"))
                return
            self._reply(200, response)

        def do_GET(self):
            self._reply(405, b"POST an RFC 3161 query", "text/plain")

        def log_message(self, format, *args):
            logger.debug("local TSA: " + format, *args)

    return Handler


def make_server(*, pki: EmbeddedPki, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(pki))
    server.daemon_threads = True
    return server


def start_in_thread(*, pki: EmbeddedPki, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Start on a free port in a daemon thread (tests); the URL is `url_of(server)`."""
    server = make_server(pki=pki, host=host)
    threading.Thread(target=server.serve_forever, daemon=True, name="local-tsa").start()
    return server


def url_of(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"
