"""The Graph API side of the fake provider (WhatsApp Cloud API): sends, media, templates, and
the client's inbound messages, with Meta's limits and error shapes."""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid

from formaliza.conversations.fake_provider import payloads, rules
from formaliza.conversations.fake_provider.base import Number, Reply, meta_fail, multipart

WINDOW_SECONDS = 24 * 3600


class GraphAPI:
    """Mixin of FakeProvider (which holds the state, limits and delivery queue)."""

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
        now = self.clock()
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
        form = multipart(headers.get("content-type", ""), body)
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
