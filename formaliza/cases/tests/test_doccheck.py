from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from formaliza.cases.doccheck import DocumentRefused, document_check
from formaliza.cases.tests.helpers import pdf_bytes, photo
from formaliza.journeys.images import ImageRefused
from formaliza.journeys.tests.helpers import bomb_png, document_frame, jpeg


def _pdf(mutate) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    mutate(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _names_javascript(writer):
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): DictionaryObject()}
    )


def test_a_plain_pdf_is_kept_as_it_is():
    data = pdf_bytes(2)
    checked = document_check(data)
    assert checked.mime_type == "application/pdf" and checked.data == data


def test_a_photo_is_stored_as_a_clean_jpeg_copy():
    checked = document_check(photo())
    assert checked.mime_type == "image/jpeg" and checked.sha256 != checked.original_sha256


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: _pdf(lambda w: w.encrypt("senha")), "pdf_encrypted"),
        (lambda: _pdf(_names_javascript), "pdf_active_content"),
        (lambda: _pdf(lambda w: w.add_attachment("a.exe", b"MZ")), "pdf_active_content"),
        (lambda: b"%PDF-1.7\n garbage", "pdf_unreadable"),
        (lambda: pdf_bytes(31), "pdf_too_long"),
        (lambda: b"GIF89a not a document", "file_type"),
        (lambda: b"", "file_missing"),
    ],
)
def test_unsafe_or_broken_files_are_refused(make, code):
    with pytest.raises(DocumentRefused) as caught:
        document_check(make())
    assert caught.value.code == code and caught.value.message


def test_open_action_javascript_is_refused():
    def mutate(writer):
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("x")}
        )
        writer._root_object[NameObject("/OpenAction")] = action

    with pytest.raises(DocumentRefused):
        document_check(_pdf(mutate))


def test_image_checks_are_the_journeys_bombs_and_blur():
    with pytest.raises(ImageRefused) as caught:
        document_check(bomb_png())
    assert caught.value.code == "image_bomb"
    with pytest.raises(ImageRefused) as caught:
        document_check(jpeg(document_frame(blur=8)))
    assert caught.value.code == "image_blurred"
