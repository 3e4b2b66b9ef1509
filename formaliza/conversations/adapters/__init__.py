"""Which adapter speaks for a channel. Settings (`CONVERSATION_PROVIDERS`) map each provider name
to a dotted path of a class (or factory) taking a `ChannelConfig`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

from formaliza.conversations.ports import ChannelConfig, MessageProvider

if TYPE_CHECKING:
    from formaliza.conversations.models import Channel


def channel_config(channel: Channel) -> ChannelConfig:
    return ChannelConfig(
        provider=channel.provider,
        kind=channel.kind,
        phone_number_id=channel.phone_number_id,
        business_account_id=channel.business_account_id,
        account_id=channel.account_id,
        sender_id=channel.sender_id,
        access_token=channel.access_token or "",
        app_secret=channel.app_secret or "",
        verify_token=channel.verify_token or "",
        api_base_url=channel.api_base_url,
        webhook_url=settings.PUBLIC_BASE_URL
        + reverse("conversations:webhook", kwargs={"channel_key": channel.key}),
        check_urls=bool(channel.api_base_url),
        allow_private=tuple(channel.tenant.outbound_allowlist or ()),
    )


def provider_for_config(config: ChannelConfig) -> MessageProvider:
    try:
        path = settings.CONVERSATION_PROVIDERS[config.provider]
    except KeyError as exc:
        raise LookupError(f"no adapter configured for provider {config.provider!r}") from exc
    return import_string(path)(config)


def provider_for(channel: Channel) -> MessageProvider:
    return provider_for_config(channel_config(channel))
