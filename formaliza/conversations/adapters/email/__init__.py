"""E-mail through Django's EMAIL_BACKEND (SMTP in production, console by default).

SMTP gives no delivery or read receipts: a message is "sent" when the server accepts it, with its
Message-ID as the provider id, so e-mail history looks like the other channels'.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid

from formaliza.conversations.content import Email
from formaliza.conversations.ports import (
    ChannelConfig,
    FetchedMedia,
    InboundMedia,
    OutboundRequest,
    ProviderError,
    RemoteTemplate,
    SendResult,
    WebhookItem,
)


class EmailProvider:
    def __init__(self, config: ChannelConfig):
        self.config = config

    def verify_request(self, *, body: bytes, headers: Mapping[str, str], url: str) -> bool:
        return False  # no inbound webhook for e-mail

    def handshake(self, *, query: Mapping[str, str]) -> str | None:
        return None

    def parse_webhook(self, *, body: bytes) -> list[WebhookItem]:
        return []

    def send(self, request: OutboundRequest) -> SendResult:
        content = request.content
        if not isinstance(content, Email):
            raise ValueError("the e-mail channel sends Email content only")
        message_id = make_msgid(domain=settings.CONVERSATION_EMAIL_MESSAGE_ID_DOMAIN)
        message = EmailMultiAlternatives(
            subject=content.subject,
            body=content.text,
            from_email=self.config.sender_id or settings.DEFAULT_FROM_EMAIL,
            to=[request.to],
            headers={"Message-ID": message_id, "X-Formaliza-Message": request.callback_data},
        )
        if content.html:
            message.attach_alternative(content.html, "text/html")
        for item in request.files:
            message.attach(item.filename, item.content, item.mime_type)
        try:
            get_connection(fail_silently=False).send_messages([message])
        except smtplib.SMTPRecipientsRefused as exc:
            raise ProviderError(code="smtp_refused", title=str(exc)[:300]) from exc
        except smtplib.SMTPResponseException as exc:
            permanent = 500 <= exc.smtp_code < 600
            raise ProviderError(
                code="smtp_refused" if permanent else "smtp_error",
                title=f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"[:300],
                retryable=not permanent,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ProviderError(code="smtp_error", title=str(exc)[:300], retryable=True) from exc
        return SendResult(provider_message_id=message_id.strip("<>"))

    def upload_media(self, *, content: bytes, mime_type: str, filename: str) -> str:
        raise ProviderError(code="100", title="E-mail anexa arquivos à própria mensagem.")

    def fetch_media(self, *, media: InboundMedia, max_bytes: int) -> FetchedMedia:
        raise ProviderError(code="100", title="E-mail não recebe mensagens por webhook.")

    def list_templates(self) -> list[RemoteTemplate]:
        return []
