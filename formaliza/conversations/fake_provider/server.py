"""A fake WhatsApp Cloud API (Graph API) and Zenvia API, as a real HTTP server.

It accepts sends in the real formats, enforces the documented limits (text and interactive
sizes, template existence and parameter counts, the 24-hour window, per-number throughput and
per-recipient pair rate) answering with Meta-shaped errors, issues `wamid`s, and posts signed
status webhooks (sent, delivered, read — or failed with Meta's code) to the number's callback
URL. It also plays the client: `POST /_fake/inbound` makes it post a signed inbound message.

Deliveries go over HTTP (the demo, `manage.py fake_graph_api`) or are collected for a test to
hand to the Django test client (`mode="collect"`), which can also replay and shuffle them.

Conventions of this fake (documented in docs/conversations.md): a recipient whose number ends in
0000 is "not on WhatsApp" (status failed 131026); Brazilian mobiles outside area codes 11-28 get
the legacy 8-digit WhatsApp id, as commonly observed on the real platform.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx

from formaliza.conversations.fake_provider import payloads
from formaliza.conversations.fake_provider.base import (
    Delivery,
    Number,
    Reply,
    ZenviaSender,
    meta_fail,
)
from formaliza.conversations.fake_provider.graph import GraphAPI
from formaliza.conversations.fake_provider.zenvia import ZenviaAPI

logger = logging.getLogger(__name__)


class FakeProvider(GraphAPI, ZenviaAPI):
    def __init__(
        self,
        *,
        mode: str = "http",
        status_delay: float = 0.05,
        read_after: float | None = 0.3,
        send_delay: float = 0.0,
        loader: Callable[[FakeProvider, str], None] | None = None,
    ):
        self.mode = mode
        self.status_delay = status_delay
        self.read_after = read_after
        self.send_delay = send_delay  # hold each send this long (crash tests)
        self.loader = loader
        self.url = ""
        self.numbers: dict[str, Number] = {}
        self.zenvia: dict[str, ZenviaSender] = {}
        self.templates: dict[str, list[dict]] = defaultdict(list)
        self.media: dict[str, tuple[bytes, str]] = {}
        self.sent: list[dict] = []  # every accepted send, with its arrival time
        self.refused: list[dict] = []
        self.windows: dict[tuple[str, str], float] = {}
        # The clock of the rate limits (throughput, pair rate); tests may set one they control.
        self.clock: Callable[[], float] = time.time
        self._recent: dict[str, deque] = defaultdict(deque)
        self._pair_tat: dict[tuple[str, str], float] = {}
        self._lock = threading.RLock()
        self._seq = itertools.count()
        self._heap: list[Delivery] = []
        self._wake = threading.Condition(self._lock)
        self.collected: list[Delivery] = []
        self.in_flight = threading.Event()  # set while a held send is being answered
        self._server: ThreadingHTTPServer | None = None
        self._running = False

    # --- configuration (the "Meta dashboard") ---------------------------------------------
    def register_number(self, number: Number) -> None:
        with self._lock:
            self.numbers[number.phone_number_id] = number

    def register_zenvia(self, sender: ZenviaSender) -> None:
        with self._lock:
            self.zenvia[sender.sender_id] = sender

    def register_template(self, waba_id: str, template: dict) -> None:
        with self._lock:
            items = self.templates[waba_id]
            items[:] = [
                t for t in items
                if (t["name"], t["language"]) != (template["name"], template["language"])
            ]  # fmt: skip
            items.append({"status": "APPROVED", "id": str(len(items) + 1), **template})

    def open_window(self, phone_number_id: str, wa_id: str, at: float | None = None) -> None:
        with self._lock:
            self.windows[(phone_number_id, wa_id)] = at if at is not None else time.time()

    def _number(self, phone_number_id: str) -> Number | None:
        with self._lock:
            number = self.numbers.get(phone_number_id)
        if number is None and self.loader is not None:
            self.loader(self, phone_number_id)
            number = self.numbers.get(phone_number_id)
        return number

    # --- webhook deliveries -----------------------------------------------------------------
    def _deliver(self, url: str, body: bytes, headers: dict, delay: float) -> None:
        if not url:
            return
        item = Delivery(time.monotonic() + delay, next(self._seq), url, body, headers)
        with self._lock:
            if self.mode == "collect":
                self.collected.append(item)
            else:
                heapq.heappush(self._heap, item)
                self._wake.notify()

    def take_deliveries(self) -> list[Delivery]:
        with self._lock:
            items, self.collected = self.collected, []
        return items

    def _delivery_loop(self) -> None:
        client = httpx.Client(timeout=5.0)
        while self._running:
            with self._lock:
                while self._running and (not self._heap or self._heap[0].due > time.monotonic()):
                    timeout = self._heap[0].due - time.monotonic() if self._heap else 1.0
                    self._wake.wait(max(0.001, timeout))
                if not self._running:
                    break
                item = heapq.heappop(self._heap)
            try:
                response = client.post(item.url, content=item.body, headers=item.headers)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            if not ok and item.attempts < 6:  # Meta retries for days; a demo retries briefly
                item.attempts += 1
                item.due = time.monotonic() + 0.5 * 2**item.attempts
                with self._lock:
                    heapq.heappush(self._heap, item)
        client.close()

    def _meta_post(self, number: Number, payload: dict, delay: float = 0.0) -> bytes:
        body = payloads.dumps(payload)
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": payloads.meta_signature(number.app_secret, body),
        }
        self._deliver(number.callback_url, body, headers, delay)
        return body

    def _zenvia_post(self, sender: ZenviaSender, payload: dict, delay: float = 0.0) -> None:
        headers = {
            "Content-Type": "application/json",
            "X-Formaliza-Webhook-Token": sender.webhook_secret,
        }
        self._deliver(sender.callback_url, payloads.dumps(payload), headers, delay)

    # --- limits --------------------------------------------------------------------------------
    def _throughput_ok(self, number: Number, now: float) -> bool:
        with self._lock:
            recent = self._recent[number.phone_number_id]
            while recent and recent[0] <= now - 1.0:
                recent.popleft()
            if len(recent) >= number.throughput:
                return False
            recent.append(now)
            return True

    def _pair_ok(self, number: Number, wa_id: str, now: float) -> bool:
        key = (number.phone_number_id, wa_id)
        with self._lock:
            tat = max(self._pair_tat.get(key, 0.0), now)
            if tat - max(number.pair_burst - 1, 0) * number.pair_interval > now:
                return False
            self._pair_tat[key] = tat + number.pair_interval
            return True

    # --- HTTP ----------------------------------------------------------------------------------------
    def route(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, bytes, str]:
        parts = urlsplit(path)
        try:
            status, payload = self._dispatch(
                method, parts.path, parse_qs(parts.query), headers, body
            )
        except Reply as reply:
            status, payload = reply.status, reply.payload
        if isinstance(payload, bytes):
            return status, payload, "application/octet-stream"
        return status, payloads.dumps(payload), "application/json"

    def _dispatch(self, method, path, query, headers, body):
        graph = re.match(r"^/v\d+\.\d+/([^/]+)(?:/([a-z_]+))?$", path)
        if graph and method == "POST" and graph.group(2) == "messages":
            return 200, self.graph_send(graph.group(1), headers, body)
        if graph and method == "POST" and graph.group(2) == "media":
            return 200, self.graph_upload(graph.group(1), headers, body)
        if graph and method == "GET" and graph.group(2) == "message_templates":
            return 200, self.graph_templates(graph.group(1))
        if graph and method == "GET" and graph.group(2) is None:
            return 200, self.graph_media_info(graph.group(1), headers)
        media = re.match(r"^/_media/([^/]+)$", path)
        if media and method == "GET":
            if not headers.get("authorization", "").startswith("Bearer "):
                raise Reply(401, {"error": "missing bearer token"})
            found = self.media.get(media.group(1))
            if found is None:
                raise Reply(404, {"error": "expired"})
            return 200, found[0]
        zenvia = re.match(r"^/v2/channels/(sms|whatsapp)/messages$", path)
        if zenvia and method == "POST":
            return 200, self.zenvia_send(zenvia.group(1), headers, body)
        admin = re.match(r"^/_fake/(numbers|zenvia|templates)/([^/]+)$", path)
        if admin and method == "PUT":
            data = json.loads(body or b"{}")
            if admin.group(1) == "numbers":
                self.register_number(Number(phone_number_id=admin.group(2), **data))
            elif admin.group(1) == "zenvia":
                self.register_zenvia(ZenviaSender(sender_id=admin.group(2), **data))
            else:
                for template in data.get("templates", []):
                    self.register_template(admin.group(2), template)
            return 200, {"ok": True}
        if path == "/_fake/inbound" and method == "POST":
            return 200, self.client_says(json.loads(body or b"{}"))
        if path == "/_fake/health":
            return 200, {"ok": True, "numbers": len(self.numbers), "sent": len(self.sent)}
        raise meta_fail(404, 100, "Unknown path or method")

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are separate writes on a kept-alive connection: without this,
            # Nagle's algorithm and the client's delayed ACK add ~40 ms to every answer.
            disable_nagle_algorithm = True

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload, content_type = provider.route(
                    self.command, self.path, headers, body
                )
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = _handle  # noqa: N815 - BaseHTTPRequestHandler's names

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_port}"
        self._running = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        if self.mode == "http":
            threading.Thread(target=self._delivery_loop, daemon=True).start()
        return self.url

    def stop(self) -> None:
        self._running = False
        with self._lock:
            self._wake.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
