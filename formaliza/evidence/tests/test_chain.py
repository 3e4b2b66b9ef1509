import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from formaliza.evidence.models import AppendOnlyError, EvidenceEvent
from formaliza.evidence.services import (
    EvidenceActor,
    RequestContext,
    Subject,
    evidence_chain_verify,
    evidence_event_record,
)

SUBJECT = Subject("journey", "j-1")


@pytest.fixture
def chain(kit):
    ctx = RequestContext(
        ip="200.1.2.3",
        user_agent="Mozilla/5.0 (Linux; Android 10)",
        session_id="abc",
        phone="+5511987654321",
    )
    for n, kind in enumerate(
        ["journey.opened", "terms.accepted", "contract.read", "journey.signed"], 1
    ):
        evidence_event_record(
            tenant=kit.tenant, subject=SUBJECT, kind=kind, actor=EvidenceActor("client", "Maria"),
            data={"n": n, "sha256": "ab" * 32, "nested": {"k": [1, 2]}}, context=ctx,
        )  # fmt: skip
    return list(EvidenceEvent.objects.order_by("sequence"))


def _sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_events_are_chained_and_verify(chain):
    assert [e.sequence for e in chain] == [1, 2, 3, 4]
    assert chain[0].prev_hash == ""
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(chain))
    verdict = evidence_chain_verify(subject=SUBJECT)
    assert verdict.ok, verdict.problems
    assert (verdict.events, verdict.last_hash) == (4, chain[-1].hash)


def test_orm_refuses_edits_and_deletes(chain):
    event = chain[1]
    event.kind = "outra coisa"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        chain[0].delete()


def test_edited_event_is_detected(chain):
    _sql("UPDATE evidence_evidenceevent SET data = %s WHERE id = %s", ['{"n": 99}', chain[1].pk])
    verdict = evidence_chain_verify(subject=SUBJECT)
    assert not verdict.ok
    assert "Evento nº 2 (terms.accepted) foi alterado." in verdict.problems


def test_edited_ip_is_detected(chain):
    _sql("UPDATE evidence_evidenceevent SET ip = %s WHERE id = %s", ["10.0.0.1", chain[2].pk])
    assert (
        "Evento nº 3 (contract.read) foi alterado."
        in evidence_chain_verify(subject=SUBJECT).problems
    )


def test_deleted_event_is_detected(chain):
    _sql("DELETE FROM evidence_evidenceevent WHERE id = %s", [chain[1].pk])
    problems = evidence_chain_verify(subject=SUBJECT).problems
    assert "Evento nº 2 ausente (a sequência salta para 3)." in problems
    assert "Evento nº 3 não aponta para o evento anterior." in problems


def test_deleted_last_event_is_detected_by_the_head(chain):
    _sql("DELETE FROM evidence_evidenceevent WHERE id = %s", [chain[-1].pk])
    problems = evidence_chain_verify(subject=SUBJECT).problems
    assert any("registrou 4 eventos" in p for p in problems)


def test_verify_command_reports_broken_chains(chain):
    call_command("evidence_verify")
    _sql("DELETE FROM evidence_evidenceevent WHERE id = %s", [chain[0].pk])
    with pytest.raises(CommandError):
        call_command("evidence_verify", subject="journey:j-1")


def test_chains_are_independent_per_subject(kit, chain):
    other = Subject("journey", "j-2")
    event = evidence_event_record(
        tenant=kit.tenant, subject=other, kind="journey.opened", actor=EvidenceActor("system")
    )
    assert (event.sequence, event.prev_hash) == (1, "")


def test_a_chain_cannot_be_continued_by_another_tenant(chain, other_kit):
    with pytest.raises(ValueError, match="another tenant"):
        evidence_event_record(
            tenant=other_kit.tenant, subject=SUBJECT, kind="x", actor=EvidenceActor("system")
        )
    assert EvidenceEvent.objects.count() == 4
