"""The Zenvia side of the fake provider (API v2, SMS and WhatsApp)."""

from __future__ import annotations

import json
import re
import time
import uuid

from formaliza.conversations.fake_provider import payloads, rules
from formaliza.conversations.fake_provider.base import Reply, ZenviaSender, zenvia_fail


class ZenviaAPI:
    """Mixin of FakeProvider (which holds the state, limits and delivery queue)."""

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
