"""Every inbound message type, status and error, replayed from fixture payloads of Meta's real
shapes through the signed webhook and the real worker code."""

import pytest

from formaliza.accounts.roles import Role
from formaliza.contacts.models import ContactPhone
from formaliza.conversations.models import Attachment, ChannelAlert, Conversation, Message, Receipt
from formaliza.conversations.services import message_send_template
from formaliza.conversations.tests.helpers import fixture, post_signed
from formaliza.conversations.tests.media_samples import FIXTURE_MEDIA, sha256_hex
from formaliza.core.testing import run_queued_tasks


def receive(channel, name: str, body: bytes | None = None) -> None:
    assert post_signed(channel, body or fixture(name)).status_code == 200
    run_queued_tasks()


@pytest.fixture
def outbound(kit, fake_api, channel):
    """A template we sent, known to the provider as wamid.OUTBOUND-1 / -CONTEXT."""
    from formaliza.conversations.services import TemplateInput, template_save

    template_save(
        tenant=kit.tenant, channel_id=channel.pk,
        data=TemplateInput(name="convite", language="pt_BR", category="utility",
                           components=[{"type": "BODY", "text": "Olá {{1}}!"}]),
    )  # fmt: skip
    fake_api.register_template(channel.business_account_id, {
        "name": "convite", "language": "pt_BR", "category": "UTILITY",
        "components": [{"type": "BODY", "text": "Olá {{1}}!"}],
    })  # fmt: skip
    message = message_send_template(
        actor=kit.actor(Role.OPERATOR), channel=channel, to="+55 11 98765-4321",
        template="convite", variables=["Maria"],
    )  # fmt: skip
    run_queued_tasks()
    fake_api.take_deliveries()  # its real receipts are not what these tests replay
    Message.objects.filter(pk=message.pk).update(provider_message_id="wamid.OUTBOUND-1")
    context = message_send_template(
        actor=kit.actor(Role.OPERATOR), channel=channel, to="+55 11 98765-4321",
        template="convite", variables=["Maria"],
    )  # fmt: skip
    run_queued_tasks()
    fake_api.take_deliveries()
    Message.objects.filter(pk=context.pk).update(provider_message_id="wamid.OUTBOUND-CONTEXT")
    message.refresh_from_db()
    return message


def only_inbound() -> Message:
    return Message.objects.get(direction="in")


def test_text_creates_contact_handle_conversation_and_message(kit, channel, handlers):
    receive(channel, "text")

    message = only_inbound()
    assert (message.kind, message.body, message.status) == (
        "text",
        "Oi, quero formalizar meu contrato",
        "received",
    )
    assert message.provider_message_id.startswith("wamid.")
    assert message.provider_timestamp.timestamp() == 1767264000  # the fixture's "timestamp"
    assert message.provider_payload["text"]["body"] == message.body  # raw object kept
    handle = message.handle
    assert (handle.address, handle.wa_id, handle.profile_name) == (
        "+5511987654321",
        "5511987654321",
        "Maria Santos",
    )
    assert handle.last_inbound_at == message.provider_timestamp
    phone = ContactPhone.objects.get(contact=message.contact)
    assert (phone.e164, phone.wa_id) == ("+5511987654321", "5511987654321")
    conversation = message.conversation
    assert (conversation.status, conversation.origin) == ("open", "client")
    assert conversation.protocol.isdigit() and len(conversation.protocol) == 10
    assert handlers == [("inbound", message.pk)]


def test_legacy_8_digit_wa_id_is_the_same_contact_as_the_9_digit_phone(kit, channel):
    from formaliza.contacts.services import contact_upsert_person
    from formaliza.core import br

    # The client was typed (in the pipeline) with the current 9-digit mobile.
    contact = contact_upsert_person(
        tenant=kit.tenant, cpf="52998224725", name="João Souza",
        phones=[br.phone_parse("(31) 98765-4321")],
    )  # fmt: skip

    receive(channel, "text_legacy_wa_id")

    message = only_inbound()
    assert message.contact_id == contact.pk
    assert (message.handle.address, message.handle.wa_id) == ("+5531987654321", "553187654321")
    phone = ContactPhone.objects.get(contact=contact, e164="+5531987654321")
    assert phone.wa_id == "553187654321"


def test_reply_context_links_to_our_message(outbound, channel):
    receive(channel, "text_reply_context")
    message = only_inbound()
    assert message.reply_to.provider_message_id == "wamid.OUTBOUND-CONTEXT"


def test_referral_from_an_ad_is_kept(channel):
    receive(channel, "text_referral")
    assert only_inbound().content["referral"]["source_type"] == "ad"


@pytest.mark.parametrize(
    ("name", "kind", "media_id", "caption", "filename"),
    [
        ("image", "image", "1001", "Frente do RG", ""),
        ("audio", "audio", "1002", "", ""),
        ("video", "video", "1003", "Vídeo", ""),
        ("document", "document", "1004", "Comprovante", "comprovante.pdf"),
        ("sticker", "sticker", "1005", "", ""),
    ],
)
def test_media_is_fetched_in_two_steps_checked_and_stored(
    fake_api, channel, name, kind, media_id, caption, filename
):
    content, mime = FIXTURE_MEDIA[media_id]
    fake_api.media[media_id] = (content, mime)

    receive(channel, name)

    message = only_inbound()
    assert (message.kind, message.body) == (kind, caption)
    attachment = Attachment.objects.get(message=message)
    assert attachment.status == "stored", attachment.error
    assert (attachment.sha256, attachment.size, attachment.mime_type) == (
        sha256_hex(content),
        len(content),
        mime,
    )
    with attachment.file.open("rb") as fh:
        assert fh.read() == content
    assert attachment.filename == (filename or attachment.filename)
    if name == "audio":
        assert message.content["voice"] is True


def test_location_contacts_and_system_messages(channel):
    receive(channel, "location")
    receive(channel, "contacts")
    receive(channel, "system")
    location, contacts, system = Message.objects.filter(direction="in").order_by("id")
    assert (
        location.kind == "location"
        and "Av. Paulista" in location.body
        and "-23.5613" in location.body
    )
    assert location.content["location"]["longitude"] == -46.6565
    assert contacts.kind == "contacts" and "Ana Lima" in contacts.body
    assert system.kind == "system" and "changed" in system.body


def test_reaction_points_at_the_message_reacted_to(outbound, channel):
    receive(channel, "reaction")
    message = only_inbound()
    assert (message.kind, message.body) == ("reaction", "👍")
    assert message.reply_to.provider_message_id == "wamid.OUTBOUND-CONTEXT"


@pytest.mark.parametrize(
    ("name", "kind", "choice"),
    [
        ("button", "template_reply", "iniciar"),
        ("interactive_button_reply", "button_reply", "continuar"),
        ("interactive_list_reply", "list_reply", "renovar"),
    ],
)
def test_replies_to_choices_carry_the_id_we_sent(channel, handlers, name, kind, choice):
    receive(channel, name)
    message = only_inbound()
    assert (message.kind, message.choice_id) == (kind, choice)
    assert handlers == [("inbound", message.pk)]


def test_unsupported_message_is_kept_with_its_error(channel):
    receive(channel, "unsupported")
    message = only_inbound()
    assert message.kind == "unsupported"
    assert message.content["error_code"] == "131051"


def test_change_level_errors_become_channel_alerts(channel):
    receive(channel, "errors")
    alert = ChannelAlert.objects.get(channel=channel)
    assert (alert.code, alert.title) == ("131000", "Something went wrong")
    assert Message.objects.count() == 0


@pytest.mark.parametrize("status", ["sent", "delivered", "read"])
def test_status_receipts_set_their_time_and_advance_the_status(outbound, channel, handlers, status):
    handlers.clear()
    receive(channel, f"status_{status}")

    outbound.refresh_from_db()
    assert outbound.status == status
    assert getattr(outbound, f"{status}_at") is not None
    receipt = Receipt.objects.get(message=outbound)
    assert receipt.status == status
    assert receipt.data["pricing"]["category"] == "utility"
    assert handlers == [("status", outbound.pk, status)]


def test_failed_status_records_metas_code_and_explains_it(outbound, channel):
    receive(channel, "status_failed_131047")
    outbound.refresh_from_db()
    assert (outbound.status, outbound.error_code) == ("failed", "131047")
    assert "24 horas" in outbound.error_explanation
    assert outbound.failed_at is not None


def test_failed_131050_suppresses_marketing_to_that_client(outbound, channel):
    receive(channel, "status_failed_131050")
    outbound.handle.refresh_from_db()
    assert outbound.handle.marketing_blocked_at is not None


def test_deleted_status_marks_the_time_without_changing_the_status(outbound, channel):
    receive(channel, "status_sent")
    receive(channel, "status_deleted")
    outbound.refresh_from_db()
    assert (outbound.status, outbound.deleted_at is not None) == ("sent", True)


def test_a_batch_with_several_entries_and_changes(outbound, channel, handlers):
    handlers.clear()
    receive(channel, "batch")

    inbound = list(Message.objects.filter(direction="in").order_by("id"))
    assert [m.body for m in inbound] == ["primeira", "segunda", "oi"]
    assert len({m.handle_id for m in inbound}) == 2
    assert Conversation.objects.filter(origin="client").count() == 1  # Maria's joined her open one
    outbound.refresh_from_db()
    assert outbound.status == "sent"
    assert [c[0] for c in handlers].count("inbound") == 3


def test_a_message_for_another_number_of_the_app_is_ignored(channel):
    body = fixture("text").replace(b"106540352242922", b"999999999999999")
    receive(channel, "text", body)
    assert Message.objects.count() == 0
