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

import base64
import hashlib
import heapq
import itertools
import json
import logging
import re
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx

from formaliza.conversations.fake_provider import payloads, rules

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 24 * 3600


@dataclass
class Number:
    phone_number_id: str
    access_token: str
    app_secret: str
    callback_url: str = ""
    waba_id: str = ""
    display_phone: str = "5511900000000"
    verify_token: str = ""
    throughput: int = 80
    pair_interval: float = 6.0
    pair_burst: int = 10
    enforce_window: bool = True


@dataclass
class ZenviaSender:
    sender_id: str
    token: str
    webhook_secret: str
    callback_url: str = ""
    channel: str = "sms"


@dataclass(order=True)
class Delivery:
    due: float
    seq: int
    url: str = field(compare=False)
    body: bytes = field(compare=False)
    headers: dict = field(compare=False)
    attempts: int = field(default=0, compare=False)


class Reply(Exception):
    def __init__(self, status: int, payload: dict):
        super().__init__(status)
        self.status = status
        self.payload = payload


def meta_fail(status: int, code: int, message: str, details: str = "") -> Reply:
    return Reply(
        status,
        {
            "error": {
                "message": f"(#{code}) {message}",
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": details or message},
                "fbtrace_id": uuid.uuid4().hex[:20],
            }
        },
    )


def zenvia_fail(status: int, code: str, message: str, details: list | None = None) -> Reply:
    return Reply(status, {"code": code, "message": message, "details": details or []})


class FakeProvider:
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

    # --- Graph API: sending ----------------------------------------------------------------------
    def _auth(self, number: Number, headers: dict) -> None:
        if headers.get("authorization", "") != f"Bearer {number.access_token}":
            raise meta_fail(401, 190, "Invalid OAuth access token - Cannot parse access token")

    def graph_send(self, phone_number_id: str, headers: dict, body: bytes) -> dict:
        number = self._number(phone_number_id)
        if number is None:
            raise meta_fail(
                400,
                100,
                f"Unsupported post request. Object with ID '{phone_number_id}' does not exist",
            )
        self._auth(number, headers)
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise meta_fail(400, 100, "Invalid JSON") from exc
        now = time.time()
        to = re.sub(r"\D", "", str(payload.get("to", "")))
        if payload.get("messaging_product") != "whatsapp" or not to:
            raise meta_fail(400, 100, "Invalid parameter", "messaging_product and to are required")
        problem = rules.validate_message(
            payload, templates=self.templates.get(number.waba_id, []), media=self.media
        )
        if problem is not None:
            self.refused.append(
                {"phone_number_id": phone_number_id, "payload": payload, "code": problem[1]}
            )
            raise meta_fail(*problem)
        wa_id = rules.wa_id_of(to)
        if not self._throughput_ok(number, now):
            raise meta_fail(
                400, 130429, "Rate limit hit", "Cloud API message throughput has been reached."
            )
        if not self._pair_ok(number, wa_id, now):
            raise meta_fail(
                400, 131056, "(Business Account, Consumer Account) pair rate limit hit",
                "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
            )  # fmt: skip
        if self.send_delay:
            self.in_flight.set()
            time.sleep(self.send_delay)
        message_id = payloads.wamid()
        with self._lock:
            self.sent.append(
                {
                    "phone_number_id": phone_number_id,
                    "id": message_id,
                    "wa_id": wa_id,
                    "at": now,
                    "payload": payload,
                }
            )
        self._statuses_after_send(number, payload, message_id, wa_id, now)
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": payload.get("to"), "wa_id": wa_id}],
            "messages": [{"id": message_id, "message_status": "accepted"}],
        }

    def _statuses_after_send(
        self, number: Number, payload: dict, message_id: str, wa_id: str, now: float
    ) -> None:
        kind = payload.get("type")
        callback = str(payload.get("biz_opaque_callback_data", ""))
        category = "utility"
        if kind == "template":
            name = (payload.get("template") or {}).get("name")
            found = next(
                (t for t in self.templates.get(number.waba_id, []) if t["name"] == name), {}
            )
            category = str(found.get("category", "UTILITY")).lower()
        error = None
        if wa_id.endswith("0000"):
            error = payloads.meta_error(131026, "Message undeliverable", "Message Undeliverable.")
        elif kind != "template" and number.enforce_window:
            opened = self.windows.get((number.phone_number_id, wa_id))
            if opened is None or now - opened > WINDOW_SECONDS:
                error = payloads.meta_error(
                    131047, "Re-engagement message",
                    "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
                )  # fmt: skip

        def status(name: str, delay: float, err: dict | None = None) -> None:
            item = payloads.meta_status(
                message_id=message_id, status=name, recipient_id=wa_id, callback_data=callback,
                category=category, error=err,
            )  # fmt: skip
            envelope = payloads.meta_statuses(
                waba_id=number.waba_id, phone_number_id=number.phone_number_id,
                display_phone=number.display_phone, statuses=[item],
            )  # fmt: skip
            self._meta_post(number, envelope, delay)

        if error is not None:
            status("failed", self.status_delay, error)
            return
        status("sent", self.status_delay)
        status("delivered", self.status_delay * 2)
        if self.read_after is not None:
            status("read", self.read_after)

    # --- Graph API: media and templates ------------------------------------------------------------
    def graph_upload(self, phone_number_id: str, headers: dict, body: bytes) -> dict:
        number = self._number(phone_number_id)
        if number is None:
            raise meta_fail(400, 100, "Unsupported post request.")
        self._auth(number, headers)
        form = _multipart(headers.get("content-type", ""), body)
        file_part = form.get("file")
        if form.get("messaging_product", (b"",))[0] != b"whatsapp" or file_part is None:
            raise meta_fail(
                400, 100, "Invalid parameter", "file and messaging_product are required"
            )
        content, mime = file_part[0], file_part[1]
        problem = rules.media_problem(mime, len(content))
        if problem:
            raise meta_fail(400, 131053, "Media upload error", problem)
        media_id = str(uuid.uuid4().int)[:16]
        with self._lock:
            self.media[media_id] = (content, mime)
        return {"id": media_id}

    def add_media(self, content: bytes, mime: str) -> str:
        media_id = str(uuid.uuid4().int)[:16]
        with self._lock:
            self.media[media_id] = (content, mime)
        return media_id

    def graph_media_info(self, media_id: str, headers: dict) -> dict:
        if not headers.get("authorization", "").startswith("Bearer "):
            raise meta_fail(401, 190, "Invalid OAuth access token")
        with self._lock:
            found = self.media.get(media_id)
        if found is None:
            raise meta_fail(404, 100, "Unsupported get request. Object does not exist")
        content, mime = found
        return {
            "messaging_product": "whatsapp",
            "url": f"{self.url}/_media/{media_id}?ext={int(time.time())}",
            "mime_type": mime,
            "sha256": hashlib.sha256(content).hexdigest(),
            "file_size": str(len(content)),
            "id": media_id,
        }

    def graph_templates(self, waba_id: str) -> dict:
        return {"data": list(self.templates.get(waba_id, [])), "paging": {"cursors": {}}}

    # --- Zenvia ------------------------------------------------------------------------------
    def zenvia_send(self, channel: str, headers: dict, body: bytes) -> dict:
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise zenvia_fail(400, "VALIDATION_ERROR", "Validation error") from exc
        sender = self._sender(str(payload.get("from", "")))
        if sender is None or headers.get("x-api-token") != sender.token:
            raise zenvia_fail(401, "AUTHENTICATION_ERROR", "No authorization token was found")
        problem = rules.validate_zenvia(channel, payload)
        if problem:
            raise zenvia_fail(
                400,
                "VALIDATION_ERROR",
                "Validation error",
                [{"code": "INVALID", "message": problem}],
            )
        message_id = str(uuid.uuid4())
        to = str(payload["to"])
        with self._lock:
            self.sent.append(
                {
                    "sender_id": sender.sender_id,
                    "id": message_id,
                    "to": to,
                    "at": time.time(),
                    "payload": payload,
                }
            )
        if to.endswith("0000"):
            causes = [{"channelErrorCode": "UNDELIVERABLE", "reason": "Número inexistente"}]
            self._zenvia_post(
                sender,
                payloads.zenvia_status_event(
                    channel=channel, message_id=message_id, code="NOT_DELIVERED", causes=causes
                ),
                self.status_delay,
            )
        else:
            self._zenvia_post(
                sender,
                payloads.zenvia_status_event(channel=channel, message_id=message_id, code="SENT"),
                self.status_delay,
            )
            self._zenvia_post(
                sender,
                payloads.zenvia_status_event(
                    channel=channel, message_id=message_id, code="DELIVERED"
                ),
                self.status_delay * 2,
            )
        return {
            **payload,
            "id": message_id,
            "direction": "OUT",
            "channel": channel,
            "timestamp": payloads._iso(),
        }

    # --- the client side ---------------------------------------------------------------------------
    def client_says(self, spec: dict) -> dict:
        """Post an inbound message as the client would produce it (simulator, tests)."""
        if spec.get("sender_id"):
            return self._zenvia_client(spec)
        number = self._number(str(spec.get("phone_number_id", "")))
        if number is None:
            raise Reply(404, {"error": "número não registrado no simulador"})
        wa_id = rules.wa_id_of(re.sub(r"\D", "", str(spec.get("from", ""))))
        message_type, body = rules.inbound_body(spec, self)
        message = payloads.meta_message(
            wa_id=wa_id, message_type=message_type, body=body,
            context_id=str(spec.get("context_id", "")),
        )  # fmt: skip
        envelope = payloads.meta_inbound(
            waba_id=number.waba_id, phone_number_id=number.phone_number_id,
            display_phone=number.display_phone, wa_id=wa_id,
            profile_name=str(spec.get("name", "Cliente")), messages=[message],
        )  # fmt: skip
        self.open_window(number.phone_number_id, wa_id)
        self._meta_post(number, envelope)
        return {"message_id": message["id"], "wa_id": wa_id}

    def _sender(self, sender_id: str) -> ZenviaSender | None:
        with self._lock:
            sender = self.zenvia.get(sender_id)
        if sender is None and self.loader is not None:
            self.loader(self, "zenvia:" + sender_id)
            sender = self.zenvia.get(sender_id)
        return sender

    def _zenvia_client(self, spec: dict) -> dict:
        sender = self._sender(str(spec["sender_id"]))
        if sender is None:
            raise Reply(404, {"error": "remetente não registrado no simulador"})
        event = payloads.zenvia_message_event(
            channel=sender.channel, sender=re.sub(r"\D", "", str(spec.get("from", ""))),
            to=sender.sender_id, contents=[{"type": "text", "text": str(spec.get("text", ""))}],
            visitor_name=str(spec.get("name", "")),
        )  # fmt: skip
        self._zenvia_post(sender, event)
        return {"message_id": event["message"]["id"]}

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


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[bytes, str]]:
    message = BytesParser(policy=default_policy).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts: dict[str, tuple[bytes, str]] = {}
    if not message.is_multipart():
        return parts
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            parts[name] = (part.get_payload(decode=True) or b"", part.get_content_type())
    return parts


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
