"""Executors of the interaction cards' effects: the client's description kept for the attendant,
satisfaction survey answers, and consent (opt-in/opt-out) through the conversation layer."""

from __future__ import annotations

from formaliza.conversations.services import consent_opt_in, consent_opt_out
from formaliza.conversations.services.inbox import note_add
from formaliza.core import clock
from formaliza.flows.effects.registry import EffectContext, executor
from formaliza.flows.models import SurveyAnswer


@executor("description")
def description_keep(ctx: EffectContext, payload: dict) -> dict:
    """The client's own words, shown to the attendant beside the conversation."""
    text = str(payload.get("text", "")).strip()
    if not text:
        return {"ok": False}
    note = note_add(conversation=ctx.conversation, kind="description", text=text, run_id=ctx.run_id)
    return {"ok": True, "note": note.pk}


@executor("survey_answer")
def survey_answer_record(ctx: EffectContext, payload: dict) -> dict:
    """One answer per target (company and/or the conversation's attendant). Without an
    attendant on the conversation, an attendant-only answer counts for nobody but is kept as
    the company's so the client's opinion is not lost."""
    score = int(payload["score"])
    if not 1 <= score <= 5:
        raise ValueError(f"survey score {score} out of 1-5")
    attendant = ctx.conversation.assignee
    targets = list(dict.fromkeys(payload.get("targets") or ["company"]))
    if attendant is None and targets == ["attendant"]:
        targets = ["company"]
    recorded = []
    for target in targets:
        if target == SurveyAnswer.Target.ATTENDANT and attendant is None:
            continue
        answer, _ = SurveyAnswer.objects.get_or_create(
            run_id=ctx.run_id, card=str(payload.get("card") or ctx.card)[:64], target=target,
            defaults={
                "tenant": ctx.tenant, "conversation": ctx.conversation, "score": score,
                "attendant": attendant if target == SurveyAnswer.Target.ATTENDANT else None,
                "created_at": clock.now(),
            },
        )  # fmt: skip
        recorded.append(answer.pk)
    return {"ok": True, "answers": recorded}


@executor("opt_in")
def opt_in(ctx: EffectContext, payload: dict) -> dict:
    changed = consent_opt_in(handle=ctx.conversation.handle, source="fluxo: opt-in")
    return {"ok": True, "changed": changed}


@executor("opt_out")
def opt_out(ctx: EffectContext, payload: dict) -> dict:
    changed = consent_opt_out(handle=ctx.conversation.handle, source="fluxo: opt-out")
    return {"ok": True, "changed": changed}
