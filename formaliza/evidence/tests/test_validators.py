"""The sealed PDF as third parties see it: pyHanko's validator and, independently, poppler's
pdfsig (NSS), both trusting only the test CA; both must reject a tampered copy."""

import datetime as dt
import io
import subprocess

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
from pyhanko.stamp import TextStamp, TextStampStyle

from formaliza.core import clock
from formaliza.evidence import pki
from formaliza.evidence.signature import validate_seal

# The module's sealed sample is made with the test database (then rolled back).
pytestmark = pytest.mark.django_db

VALID = "Signature Validation: Signature is Valid."
TRUSTED = "Certificate Validation: Certificate is Trusted."


def _status(data: bytes):
    (signature,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    context = pki.validation_context()
    return signature, validate_pdf_signature(
        signature, signer_validation_context=context, ts_validation_context=context
    )


def one_byte_changed(data: bytes) -> bytes:
    """Flip one byte inside a content stream of the first page (well within the signed range)."""
    position = data.index(b"stream", 1000) + 60
    tampered = bytearray(data)
    tampered[position] ^= 0x01
    return bytes(tampered)


def test_pyhanko_judges_the_seal_valid_trusted_and_timestamped(sealed_sample):
    signature, status = _status(sealed_sample.data)

    assert signature.field_name == "SeloFormaliza"
    assert status.bottom_line
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.modification_level == ModificationLevel.NONE
    assert signature.docmdp_level == MDPPerm.NO_CHANGES  # a certification: nothing may change
    assert "NOT FOR PRODUCTION" in status.signing_cert.subject.human_friendly
    ts = status.timestamp_validity
    assert (ts.intact, ts.valid, ts.trusted) == (True, True, True)
    assert "TSA local" in ts.signing_cert.subject.human_friendly
    assert abs(ts.timestamp - clock.now()) < dt.timedelta(minutes=10)


def test_pdfsig_judges_the_seal_valid_and_trusted(sealed_sample, pdfsig):
    report = pdfsig(sealed_sample.data)

    assert "Signature Field Name: SeloFormaliza" in report
    assert VALID in report and TRUSTED in report
    assert "Total document signed" in report
    assert "Signature Type: ETSI.CAdES.detached" in report  # PAdES
    assert "NOT FOR PRODUCTION" in report


def test_pdfsig_trusts_the_seal_only_through_the_configured_ca(sealed_sample, tmp_path):
    empty = tmp_path / "empty-nss"
    empty.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{empty}", "--empty-password"], check=True)
    path = tmp_path / "s.pdf"
    path.write_bytes(sealed_sample.data)
    report = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{empty}", str(path)], capture_output=True, text=True
    ).stdout
    assert VALID in report and TRUSTED not in report


def test_both_validators_reject_a_copy_with_one_byte_changed(sealed_sample, pdfsig):
    tampered = one_byte_changed(sealed_sample.data)

    _, status = _status(tampered)
    assert not status.intact and not status.bottom_line

    report = pdfsig(tampered)
    assert "Digest Mismatch" in report
    assert VALID not in report


def test_both_validators_see_a_change_appended_after_the_seal(sealed_sample, pdfsig):
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed_sample.data))
    TextStamp(writer, TextStampStyle(stamp_text="PAGO", border_width=0)).apply(0, 200, 400)
    out = io.BytesIO()
    writer.write(out)
    altered = out.getvalue()

    _, status = _status(altered)
    assert status.intact  # the signed bytes are untouched...
    assert status.coverage != SignatureCoverageLevel.ENTIRE_FILE  # ...but more was added
    assert status.docmdp_ok is False and not status.bottom_line

    report = pdfsig(altered)
    assert "Total document signed" not in report
    assert "Not total document signed" in report


def _with_appended_revision(data: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (
            one_byte_changed,
            "O conteúdo foi alterado depois do selo: o resumo criptográfico (SHA-256) não confere.",
        ),
        (_with_appended_revision, "Há conteúdo acrescentado ao arquivo depois do selo."),
    ],
)
def test_our_own_seal_validation_agrees(sealed_sample, tamper, reason):
    data = sealed_sample.data
    assert validate_seal(data).ok

    check = validate_seal(tamper(data))

    assert not check.ok
    assert check.problems[0] == reason
