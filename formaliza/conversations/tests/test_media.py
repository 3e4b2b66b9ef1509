"""Media both ways: inbound checks (hash, size, type, real bytes), outbound upload + send."""

import hashlib

import pytest

from formaliza.accounts.roles import Role
from formaliza.conversations.errors import InvalidContent
from formaliza.conversations.models import Attachment, Message
from formaliza.conversations.services import message_send_media
from formaliza.conversations.tests.helpers import client_says, fixture, post_signed
from formaliza.conversations.tests.media_samples import EXE, JPEG, PDF
from formaliza.core.testing import run_queued_tasks


def receive_image(channel, body: bytes | None = None):
    assert post_signed(channel, body or fixture("image")).status_code == 200
    run_queued_tasks()
    return Attachment.objects.get()


def test_a_hash_mismatch_is_rejected_and_nothing_is_stored(fake_api, channel):
    # The bytes served are not what the client sent: the media URL's answer agrees with them,
    # but the hash in the signed webhook does not.
    fake_api.media["1001"] = (JPEG + b"tampered", "image/jpeg")
    attachment = receive_image(channel)
    assert attachment.status == "rejected"
    assert attachment.error == "media_hash"
    assert not attachment.file


def test_bytes_that_are_not_the_declared_type_are_rejected(fake_api, channel):
    fake_api.media["1001"] = (EXE, "image/jpeg")
    attachment = receive_image(channel, fixture("image").replace(
        b'"sha256": "', b'"sha256_ignored": "'))  # fmt: skip
    assert (attachment.status, attachment.error) == ("rejected", "media_type")


def test_too_large_for_its_kind_is_rejected(fake_api, channel):
    big = JPEG + b"\x00" * (5 * 1024 * 1024)
    fake_api.media["1001"] = (big, "image/jpeg")
    body = fixture("image").replace(b'"sha256": "', b'"sha256_ignored": "')
    attachment = receive_image(channel, body)
    assert (attachment.status, attachment.error) == ("rejected", "media_too_large")


def test_expired_media_is_recorded_as_such(fake_api, channel):
    attachment = receive_image(channel)  # the fake never had media 1001
    assert (attachment.status, attachment.error) == ("rejected", "media_expired")
    assert Message.objects.get().kind == "image"  # the message itself is kept


def test_outbound_document_is_uploaded_then_sent_by_id(kit, fake_api, channel):
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    message = message_send_media(
        actor=kit.actor(Role.ATTENDANT), channel=channel, to="11987654321", kind="document", data=PDF,
        filename="contrato.pdf", mime_type="application/pdf", caption="Seu contrato",
    )  # fmt: skip
    run_queued_tasks()
    message.refresh_from_db()
    assert message.status == "accepted", message.error_title
    (sent,) = fake_api.sent
    document = sent["payload"]["document"]
    assert fake_api.media[document["id"]][0] == PDF
    assert (document["caption"], document["filename"]) == ("Seu contrato", "contrato.pdf")
    attachment = message.attachments.get()
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.provider_media_id == document["id"]


@pytest.mark.parametrize(
    ("kind", "data", "mime", "code"),
    [
        ("image", EXE, "image/jpeg", "media_type"),
        ("image", PDF, "application/pdf", "media_type"),
        ("image", JPEG + b"\x00" * (5 * 1024 * 1024), "image/jpeg", "media_too_large"),
        ("gif", JPEG, "image/gif", "media_type"),
    ],
)
def test_outbound_media_is_checked_before_anything_is_written(
    kit, fake_api, channel, kind, data, mime, code
):
    with pytest.raises(InvalidContent) as invalid:
        message_send_media(actor=kit.actor(Role.ATTENDANT), channel=channel, to="11987654321", kind=kind,
                           data=data, filename="x", mime_type=mime)  # fmt: skip
    assert invalid.value.code == code
    assert Message.objects.count() == 0 and Attachment.objects.count() == 0


def test_a_refused_media_send_leaves_no_file_behind(kit, fake_api, channel, settings, tmp_path):
    from formaliza.conversations.errors import MessageRefused

    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(MessageRefused):  # no window: the client never wrote
        message_send_media(actor=kit.actor(Role.ATTENDANT), channel=channel, to="11987654321",
                           kind="document", data=PDF, filename="c.pdf", mime_type="application/pdf")  # fmt: skip
    assert Attachment.objects.count() == 0
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
