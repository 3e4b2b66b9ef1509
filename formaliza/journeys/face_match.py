"""The face-match decision: what a `FaceComparison` (ports.py) means for the journey, in the
three bands of the tenant's policy. Pure: no database, no model — services/face_match.py runs
the verifier in the background and carries out what this returns.

- score >= accept threshold: accepted (the seal may go);
- review threshold <= score < accept threshold: a person decides (the review queue);
- score < review threshold: refused, the client is asked for a new selfie while attempts are
  left (and the journey is not signed yet), then it goes to review rather than failing silently.
A selfie with another face in it, or where the model sees no face, asks for a new selfie the
same way; an ID front where the model finds no face goes straight to review (a new selfie would
not help).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from formaliza.journeys.ports import FaceComparison, FaceOutcome

ACCEPTED, REVIEW, REFUSED = "accepted", "review", "refused"

NO_FACE_ON_DOCUMENT = "rosto não encontrado no documento"
RETAKE_PROMPTS = {
    FaceOutcome.COMPARED: (
        "A selfie não confere com a foto do documento. Tire outra selfie com boa luz, de "
        "frente, sem óculos escuros nem boné."
    ),
    FaceOutcome.MANY_FACES_SELFIE: (
        "Apareceu mais de um rosto na selfie. Fique sozinho(a) na foto e tire outra selfie."
    ),
    FaceOutcome.NO_FACE_SELFIE: (
        "Não conseguimos conferir seu rosto na selfie. Tire outra selfie de frente, com o rosto "
        "inteiro dentro do oval e boa luz."
    ),
}
REVIEW_REASONS = {
    FaceOutcome.COMPARED: "semelhança entre os limites de aceite e de recusa",
    FaceOutcome.MANY_FACES_SELFIE: "mais de um rosto na selfie",
    FaceOutcome.NO_FACE_SELFIE: "rosto não encontrado na selfie",
}


@dataclass(frozen=True)
class Policy:
    """A tenant's face-match settings (models.FaceMatchPolicy, or the defaults of settings)."""

    enabled: bool
    accept_threshold: float
    review_threshold: float
    max_attempts: int

    @classmethod
    def defaults(cls) -> Policy:
        return cls(
            enabled=settings.JOURNEY_FACE_MATCH_ENABLED,
            accept_threshold=settings.JOURNEY_FACE_MATCH_ACCEPT,
            review_threshold=settings.JOURNEY_FACE_MATCH_REVIEW,
            max_attempts=settings.JOURNEY_FACE_MATCH_MAX_ATTEMPTS,
        )


@dataclass(frozen=True)
class Decision:
    band: str  # ACCEPTED | REVIEW | REFUSED
    retake: bool  # refused and the client is asked for another selfie
    reason: str  # why review, or why a new selfie (pt-BR, shown to operators)
    prompt: str = ""  # what the client reads on the selfie page (retake only)


def _band(score: float, policy: Policy) -> str:
    if score >= policy.accept_threshold:
        return ACCEPTED
    if score >= policy.review_threshold:
        return REVIEW
    return REFUSED


def decide(
    comparison: FaceComparison, *, policy: Policy, attempt: int, can_retake: bool
) -> Decision:
    """`attempt`: this selfie's number (1 for the first); `can_retake`: the journey is still at
    a point where the client can take another selfie (active, not signed)."""
    outcome = comparison.outcome
    if outcome == FaceOutcome.NO_FACE_DOCUMENT:
        return Decision(REVIEW, retake=False, reason=NO_FACE_ON_DOCUMENT)
    if outcome == FaceOutcome.COMPARED:
        band = _band(comparison.score or 0.0, policy)
        if band == ACCEPTED:
            return Decision(ACCEPTED, retake=False, reason="")
        if band == REVIEW:
            return Decision(REVIEW, retake=False, reason=REVIEW_REASONS[outcome])
    # Refused by score, or a selfie the comparison could not use: another selfie, or review.
    if can_retake and attempt < policy.max_attempts:
        why = (
            "selfie não confere com o documento"
            if outcome == FaceOutcome.COMPARED
            else REVIEW_REASONS[outcome]
        )
        return Decision(REFUSED, retake=True, reason=why, prompt=RETAKE_PROMPTS[outcome])
    if not can_retake:
        reason = f"{_refusal(outcome)}; a jornada já estava assinada (sem nova selfie)"
    else:
        reason = f"{_refusal(outcome)} em {attempt} tentativa(s)"
    return Decision(REVIEW, retake=False, reason=reason)


def _refusal(outcome: str) -> str:
    if outcome == FaceOutcome.COMPARED:
        return "selfie não conferiu com o documento"
    return REVIEW_REASONS[outcome]
