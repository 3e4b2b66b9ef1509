"""The local fake provider (Meta Graph API + Zenvia) and how our channels register with it."""

from __future__ import annotations

from formaliza.conversations.fake_provider.server import FakeProvider, Number, ZenviaSender

__all__ = ["FakeProvider", "Number", "ZenviaSender", "channel_register"]


def channel_register(fake: FakeProvider, channel, *, callback_url: str = "") -> None:
    """Tell the fake about one of our channels, as one configures an app on Meta's (or
    Zenvia's) dashboard: credentials, webhook URL, approved templates."""
    from formaliza.conversations.models import Template
    from formaliza.conversations.services.channels import channel_webhook_url

    callback_url = callback_url or channel_webhook_url(channel)
    if channel.kind == "sms":
        fake.register_zenvia(
            ZenviaSender(
                sender_id=channel.sender_id, token=channel.access_token,
                webhook_secret=channel.app_secret, callback_url=callback_url, channel="sms",
            )
        )  # fmt: skip
        return
    waba_id = channel.business_account_id or channel.phone_number_id
    fake.register_number(
        Number(
            phone_number_id=channel.phone_number_id, access_token=channel.access_token,
            app_secret=channel.app_secret, callback_url=callback_url, waba_id=waba_id,
            display_phone=(channel.display_phone_number or "5511900000000").lstrip("+"),
            throughput=channel.throughput_per_second,
        )
    )  # fmt: skip
    for template in Template.objects.filter(channel=channel, status=Template.Status.APPROVED):
        fake.register_template(
            waba_id,
            {
                "name": template.name, "language": template.language,
                "category": template.category.upper(), "components": template.components,
            },
        )  # fmt: skip


def database_loader(fake: FakeProvider, key: str) -> None:
    """For the standalone server: look an unknown number (or Zenvia sender) up among our
    `fake` channels, so channels created after it started work without a restart."""
    from django.db import close_old_connections

    from formaliza.conversations.models import Channel

    close_old_connections()
    channels = Channel.objects.select_related("tenant").filter(provider="fake", is_active=True)
    if key.startswith("zenvia:"):
        channel = channels.filter(kind="sms", sender_id=key[len("zenvia:") :]).first()
    else:
        channel = channels.filter(kind="whatsapp", phone_number_id=key).first()
    if channel is not None:
        channel_register(fake, channel)
