"""The `fake` provider: the real adapters (Meta's wire format for WhatsApp, Zenvia's for SMS)
aimed at the local fake provider server (`manage.py fake_graph_api`), so a demo or a test runs
the same code path as production without any account."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings

from formaliza.conversations.adapters.meta_cloud import MetaCloudProvider
from formaliza.conversations.adapters.zenvia import ZenviaProvider
from formaliza.conversations.ports import ChannelConfig, MessageProvider

GRAPH_VERSION = "v21.0"


def FakeProvider(config: ChannelConfig) -> MessageProvider:  # noqa: N802 - a class-like factory
    base = settings.FAKE_PROVIDER_URL.rstrip("/")
    if config.kind == "sms":
        return ZenviaProvider(replace(config, api_base_url=f"{base}/v2", check_urls=False))
    return MetaCloudProvider(
        replace(config, api_base_url=f"{base}/{GRAPH_VERSION}", check_urls=False)
    )
