import pytest

from formaliza.conversations.fake_provider import FakeProvider


@pytest.fixture
def fake_api(settings):
    """The fake Graph API / Zenvia server on an ephemeral port; its webhooks are collected for
    the test to deliver through the Django test client (see helpers.deliver)."""
    provider = FakeProvider(mode="collect", status_delay=0.0, read_after=0.0)
    settings.FAKE_PROVIDER_URL = provider.start()
    settings.CONVERSATION_HTTP_TIMEOUT_SECONDS = 3
    yield provider
    provider.stop()


@pytest.fixture
def channel(kit, fake_api):
    from formaliza.conversations.tests.helpers import whatsapp_channel

    return whatsapp_channel(kit.tenant, fake_api)


@pytest.fixture
def handlers(settings):
    """Record the handler calls the conversation layer enqueues (real tasks, run by the real
    worker code)."""
    settings.CONVERSATION_INBOUND_HANDLERS = [
        "formaliza.conversations.tests.handler_tasks.record_inbound"
    ]
    settings.CONVERSATION_STATUS_HANDLERS = [
        "formaliza.conversations.tests.handler_tasks.record_status"
    ]
    from formaliza.conversations.tests import handler_tasks

    handler_tasks.CALLS.clear()
    return handler_tasks.CALLS
