"""Test helpers: a fake-provider WhatsApp channel, signed webhook posts through the Django test
client, and delivery of what the fake provider would have posted to us."""

from __future__ import annotations

import json
import random
from pathlib import Path
from urllib.parse import urlsplit

from django.test import Client
from django.urls import reverse

from formaliza.conversations.fake_provider import FakeProvider, channel_register, payloads
from formaliza.conversations.services import ChannelInput, channel_create

FIXTURES = Path(__file__).parent / "fixtures"
PNID = "106540352242922"
WABA = "102290129340398"
CLIENT_PHONE = "5511987654321"  # the fixtures' client


def fixture(name: str, provider: str = "meta") -> bytes:
    return (FIXTURES / provider / f"{name}.json").read_bytes()


def fixture_json(name: str, provider: str = "meta") -> dict:
    return json.loads(fixture(name, provider))


def webhook_path(channel) -> str:
    return reverse("conversations:webhook", kwargs={"channel_key": channel.key})


def whatsapp_channel(tenant, fake: FakeProvider | None = None, **overrides):
    data = {
        "name": "WhatsApp Formalização",
        "kind": "whatsapp",
        "provider": "fake",
        "phone_number_id": PNID,
        "business_account_id": WABA,
        "display_phone_number": "+5511940001000",
        **overrides,
    }
    channel = channel_create(tenant=tenant, data=ChannelInput(**data))
    if fake is not None:
        channel_register(fake, channel, callback_url="http://testserver" + webhook_path(channel))
    return channel


def sms_channel(tenant, fake: FakeProvider | None = None, **overrides):
    data = {"name": "SMS", "kind": "sms", "provider": "fake", "sender_id": "formaliza",
            "access_token": "zenvia-token", **overrides}  # fmt: skip
    channel = channel_create(tenant=tenant, data=ChannelInput(**data))
    if fake is not None:
        channel_register(fake, channel, callback_url="http://testserver" + webhook_path(channel))
    return channel


def post_signed(channel, body: bytes, *, secret: str | None = None, client: Client | None = None):
    secret = channel.app_secret if secret is None else secret
    headers = {"X-Hub-Signature-256": payloads.meta_signature(secret, body)} if secret else {}
    return (client or Client()).post(
        webhook_path(channel), data=body, content_type="application/json", headers=headers
    )


def deliver(fake: FakeProvider, *, client: Client | None = None, shuffle: bool = False,
            times: int = 1) -> list[int]:  # fmt: skip
    """Post what the fake provider sent to our webhook (optionally shuffled and repeated, as
    at-least-once delivery allows). Returns the HTTP statuses."""
    client = client or Client()
    items = fake.take_deliveries() * times
    if shuffle:
        random.Random(7).shuffle(items)
    statuses = []
    for item in items:
        response = client.post(
            urlsplit(item.url).path, data=item.body, content_type="application/json",
            headers={k: v for k, v in item.headers.items() if k != "Content-Type"},
        )  # fmt: skip
        statuses.append(response.status_code)
    return statuses


def client_says(fake: FakeProvider, channel, text: str = "Oi", *, phone: str = CLIENT_PHONE,
                **spec) -> dict:  # fmt: skip
    """The client writes (through the fake provider), and the webhook is delivered."""
    result = fake.client_says(
        {"phone_number_id": channel.phone_number_id, "from": phone, "name": "Maria Santos",
         "type": spec.pop("type", "text"), "text": text, **spec}
    )  # fmt: skip
    assert set(deliver(fake)) == {200}
    return result
