"""Verdicts of the public verification (service level): upload or code."""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection

from formaliza.evidence.chain import event_hash
from formaliza.evidence.models import EvidenceChainHead, EvidenceEvent
from formaliza.evidence.samples import contract_pdf
from formaliza.evidence.tests.conftest import stored
from formaliza.evidence.tests.test_validators import one_byte_changed
from formaliza.evidence.verification import public_summary, verify_code, verify_pdf

CHECKS = [
    "selo", "integridade", "assinatura", "certificado", "cobertura", "carimbo_do_tempo",
    "registro", "cadeia",
]  # fmt: skip


def _sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _failed(verification) -> dict[str, str]:
    return {check.name: check.message for check in verification.checks if not check.ok}


def test_a_sealed_document_is_valid(sealed):
    verification = verify_pdf(data=stored(sealed))

    assert (verification.valid, verification.verdict) == (True, "válido")
    assert [check.name for check in verification.checks] == CHECKS
    assert verification.document == sealed
    assert verification.reason.startswith("Documento íntegro, idêntico ao selado pelo Formaliza")
    assert verification.sha256 == sealed.sha256
    assert "NOT FOR PRODUCTION" in verification.signer
    assert verification.timestamp_at == sealed.timestamp_at


def test_the_public_summary_shows_no_full_personal_data(sealed):
    summary = public_summary(sealed)
    signer = sealed.manifest["signers"][0]

    (shown,) = summary["signers"]
    assert shown["name"].split()[0] == signer["name"].split()[0]
    assert signer["name"] not in json.dumps(summary, ensure_ascii=False, default=str)
    assert shown["cpf"].startswith("***.") and shown["cpf"].endswith("-**")
    assert signer["cpf"] not in json.dumps(summary, default=str)
    assert summary["organization"] == sealed.tenant.name and summary["sha256"] == sealed.sha256


def test_one_changed_byte_is_invalid_with_the_reason(sealed):
    verification = verify_pdf(data=one_byte_changed(stored(sealed)))

    assert verification.verdict == "inválido"
    assert verification.reason == (
        "O conteúdo foi alterado depois do selo: o resumo criptográfico (SHA-256) não confere."
    )
    assert _failed(verification)["registro"] == (
        f"Este arquivo não é idêntico ao documento {sealed.code} que o Formaliza selou."
    )
    assert verification.document is None  # nothing about the original is disclosed


def test_a_validly_sealed_file_we_have_no_record_of_is_invalid(db, sealed_sample):
    verification = verify_pdf(data=sealed_sample.data)  # its rows were rolled back

    failed = _failed(verification)
    assert list(failed) == ["registro"]  # signature, certificate and timestamp are fine
    assert verification.reason == (
        "Este arquivo não corresponde a nenhum documento selado pelo Formaliza."
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"GIF89a not a pdf", "O arquivo não é um PDF."),
        (b"%PDF-1.7\n garbage", "O PDF está corrompido ou foi alterado e não pôde ser lido."),
        (None, "O PDF não tem o selo digital do Formaliza."),
    ],
)
def test_files_that_are_not_sealed_pdfs_are_invalid(db, data, reason):
    data = data or contract_pdf(title="Contrato", number="1", pages=1)
    verification = verify_pdf(data=data)
    assert (verification.verdict, verification.reason) == ("inválido", reason)


def test_an_event_deleted_after_sealing_makes_it_invalid(sealed):
    _sql(
        "DELETE FROM evidence_evidenceevent WHERE subject_id = %s AND sequence = 2",
        [sealed.subject_id],
    )
    verification = verify_pdf(data=stored(sealed))

    assert verification.verdict == "inválido"
    assert verification.reason == (
        "A cadeia de eventos foi alterada: Evento nº 2 ausente (a sequência salta para 3)."
    )
    assert list(_failed(verification)) == ["cadeia"]


def test_an_event_edited_after_sealing_makes_it_invalid(sealed):
    _sql(
        "UPDATE evidence_evidenceevent SET actor_label = %s WHERE subject_id = %s AND sequence = 7",
        ["Outra pessoa", sealed.subject_id],
    )
    verification = verify_pdf(data=stored(sealed))
    assert verification.reason.startswith("A cadeia de eventos foi alterada: Evento nº 7")


def test_a_chain_rewritten_consistently_still_does_not_match_the_seal(sealed):
    """Someone with write access edits event 2 and recomputes every later hash and the head: the
    chain verifies again, but the head the seal recorded (and printed) no longer matches."""
    events = list(EvidenceEvent.objects.filter(subject_id=sealed.subject_id).order_by("sequence"))
    previous = events[0].hash
    for event in events[1:]:
        data = {**event.data, "forjado": True} if event.sequence == 2 else event.data
        digest = event_hash(
            subject_type=event.subject_type, subject_id=event.subject_id,
            sequence=event.sequence, kind=event.kind, occurred_at=event.occurred_at,
            actor_kind=event.actor_kind, actor_label=event.actor_label, ip=event.ip,
            user_agent=event.user_agent, session_id=event.session_id, phone=event.phone,
            data=data, prev_hash=previous,
        )  # fmt: skip
        _sql(
            "UPDATE evidence_evidenceevent SET data = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [json.dumps(data), previous, digest, event.pk],
        )
        previous = digest
    EvidenceChainHead.objects.filter(subject_id=sealed.subject_id).update(last_hash=previous)

    verification = verify_pdf(data=stored(sealed))

    assert verification.reason == "Os eventos que constam do laudo não conferem com os registrados."


def test_verification_by_code(sealed):
    typed = sealed.code.lower().replace("-", " ")

    verification = verify_code(code=typed)

    assert verification.valid and verification.document == sealed
    assert verify_code(code="ZZZZ-ZZZZ-ZZZZ-ZZZZ") is None
    assert verify_code(code="não é código") is None


def test_verification_by_code_of_a_document_not_sealed_yet(request_seal):
    document = request_seal()
    verification = verify_code(code=document.code)
    assert verification.verdict == "inválido"
    assert verification.reason == (
        "Este documento ainda está sendo selado. Tente novamente em alguns minutos."
    )


def test_verification_by_code_notices_the_stored_file_was_replaced(sealed):
    storage = storages["default"]
    altered = one_byte_changed(stored(sealed))
    storage.delete(sealed.file_name)
    storage.save(sealed.file_name, ContentFile(altered))

    verification = verify_code(code=sealed.code)

    assert verification.verdict == "inválido"
    assert _failed(verification)["registro"] == (
        "O arquivo guardado não é idêntico ao que foi selado."
    )


def test_a_seal_by_a_certificate_we_do_not_trust_is_invalid(sealed, settings, tmp_path):
    settings.EVIDENCE_PKI_DIR = tmp_path / "another-pki"  # another CA: ours is no longer trusted

    verification = verify_pdf(data=stored(sealed))

    failed = _failed(verification)
    assert failed["certificado"].startswith("O certificado que selou (")
    assert failed["certificado"].endswith("não é de uma autoridade em que o Formaliza confia.")
    assert "carimbo_do_tempo" in failed
