"""The port every messaging provider sits behind, and the typed values that cross it.

Services never see a vendor's JSON: adapters (`adapters/<vendor>/`) turn `OutboundRequest` into
the vendor's request, and the vendor's webhook bodies into `InboundMessage`, `StatusUpdate` and
`ChannelErrorEvent`. Settings (`CONVERSATION_PROVIDERS`) name the adapter of each provider.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from formaliza.conversations.content import Content


@dataclass(frozen=True)
class ChannelConfig:
    """What an adapter needs to know about a channel (credentials already decrypted)."""

    provider: str
    kind: str
    phone_number_id: str = ""
    business_account_id: str = ""
    account_id: str = ""
    sender_id: str = ""
    access_token: str = ""
    app_secret: str = ""
    verify_token: str = ""
    api_base_url: str = ""
    webhook_url: str = ""  # our URL for this channel (status callbacks, signature checks)
    # Tenant-typed base URLs go through the SSRF guard; ours (Meta's, the local fake) do not.
    check_urls: bool = False
    allow_private: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutboundFile:
    filename: str
    mime_type: str
    content: bytes


@dataclass(frozen=True)
class OutboundRequest:
    to: str  # the provider's address: WhatsApp id / phone digits, or an e-mail address
    content: Content
    callback_data: str  # our message id, echoed back by providers that support it
    reply_to_provider_id: str = ""
    files: list[OutboundFile] = field(default_factory=list)  # e-mail attachments


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    recipient_id: str = ""  # what the provider calls the recipient (WhatsApp id)
    raw: dict = field(default_factory=dict)


class ProviderError(Exception):
    """A provider refused or failed a call. `retryable` tells rate limits and outages (try
    again later) from refusals (this request will never succeed as it is).

    Not an `ApplicationError`, on purpose: it is the adapter's report to the service that made
    the call (dispatch, media, template sync), which retries it or records its `code` (the
    provider's own, e.g. Meta's 131026) on the message, attachment or channel. It never reaches
    a person or the API as it is; one that escaped a service would be a bug, and must answer 500
    rather than pass for a mistake in the caller's request."""

    def __init__(
        self,
        *,
        code: str,
        title: str = "",
        detail: str = "",
        retryable: bool = False,
        http_status: int | None = None,
    ):
        super().__init__(f"{code}: {title or detail}")
        self.code = code
        self.title = title
        self.detail = detail
        self.retryable = retryable
        self.http_status = http_status


@dataclass(frozen=True)
class InboundMedia:
    kind: str
    media_id: str
    mime_type: str = ""
    sha256: str = ""
    caption: str = ""
    filename: str = ""
    url: str = ""  # providers that give a direct URL (Zenvia) instead of an id


@dataclass(frozen=True)
class InboundMessage:
    provider_message_id: str
    sender: str  # WhatsApp id, phone digits or e-mail address of the client
    timestamp: dt.datetime
    kind: str  # a Message.Kind value
    channel_address: str = ""  # the number/sender the message was addressed to
    profile_name: str = ""
    text: str = ""
    media: InboundMedia | None = None
    reply_id: str = ""
    reply_title: str = ""
    context_id: str = ""  # provider id of the message being replied to
    data: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StatusUpdate:
    provider_message_id: str
    status: str  # sent | delivered | read | failed | deleted
    timestamp: dt.datetime
    channel_address: str = ""
    recipient: str = ""
    callback_data: str = ""
    error_code: str = ""
    error_title: str = ""
    error_detail: str = ""
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ChannelErrorEvent:
    code: str
    title: str
    detail: str
    timestamp: dt.datetime


WebhookItem = InboundMessage | StatusUpdate | ChannelErrorEvent


@dataclass(frozen=True)
class FetchedMedia:
    content: bytes
    mime_type: str
    declared_sha256: str = ""
    declared_size: int | None = None


@dataclass(frozen=True)
class RemoteTemplate:
    name: str
    language: str
    category: str
    status: str
    components: list[dict]
    provider_template_id: str = ""


class WebhookRejected(Exception):
    """The body is not a webhook of this provider (after a valid signature: log and drop)."""


class MessageProvider(Protocol):
    config: ChannelConfig

    def verify_request(self, *, body: bytes, headers: Mapping[str, str], url: str) -> bool:
        """True when the request really comes from the provider (signature on the raw body)."""
        ...

    def handshake(self, *, query: Mapping[str, str]) -> str | None:
        """The body to answer a subscription check with, or None to refuse it."""
        ...

    def parse_webhook(self, *, body: bytes) -> list[WebhookItem]: ...

    def send(self, request: OutboundRequest) -> SendResult: ...

    def upload_media(self, *, content: bytes, mime_type: str, filename: str) -> str: ...

    def fetch_media(self, *, media: InboundMedia, max_bytes: int) -> FetchedMedia: ...

    def list_templates(self) -> list[RemoteTemplate]: ...


@dataclass(frozen=True)
class BotRun:
    """What the inbox shows of the bot's last run on a conversation."""

    flow_name: str
    status_label: str  # pt-BR
    reason: str = ""


class ConversationBot(Protocol):
    """The bot that answers conversations until people take them (the flows app implements it;
    settings.CONVERSATION_BOT names the class). The inbox (services/inbox.py) asks it what it
    did, stops it when an attendant takes over, and gives conversations back to it; this layer
    imports nothing of the bot's."""

    def last_run(self, *, conversation_id: int) -> BotRun | None: ...

    def stop(self, *, conversation_id: int, reason: str) -> None:
        """End the runs still active on the conversation (inside the caller's transaction)."""

    def startable(self, *, tenant_id: int) -> list[tuple[int, str]]:
        """(id, name) of what an attendant may start when giving a conversation back."""

    def start(self, *, conversation_id: int, flow_id: int, released_by: int) -> None:
        """Start `flow_id` on the conversation now; NotFound when it cannot be started."""

    def pending(self, *, conversation_id: int) -> list[tuple[int, str]]:
        """(id, label) of runs left waiting for the attendant's decision on the conversation (the
        formalization assistant does not take a conversation people hold)."""

    def start_pending(self, *, conversation_id: int, run_id: int, started_by: int) -> None:
        """Start the pending run `run_id` on the conversation now (inside the caller's
        transaction); NotFound when there is no such pending run."""
