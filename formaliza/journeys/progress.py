"""The client's steps as the pages count and describe them: the one source of the welcome
page's "Você vai:" list and of the header's "Etapa x de N" (they once disagreed: 6 against 8).
The order is the journey's (models.STEP_DONE_FIELD); a test keeps the two in step."""

from __future__ import annotations

from dataclasses import dataclass

from formaliza.journeys.models import Step


@dataclass(frozen=True)
class ClientStep:
    step: str
    number: int
    does: str  # what the client does, completing "Você vai:"


_DOES = (
    (Step.WELCOME, "confirmar se este celular é seu;"),
    (Step.TERMS, "aceitar os termos de uso;"),
    (Step.CONDITIONS, "conferir as condições e os seus dados;"),
    (Step.CONTRACTS, "ler cada contrato até o fim;"),
    (Step.ID_FRONT, "fotografar a frente do seu documento (RG ou CNH);"),
    (Step.ID_BACK, "fotografar o verso do documento;"),
    (Step.SELFIE, "tirar uma selfie;"),
    (Step.CONFIRM, "confirmar e assinar."),
)
CLIENT_STEPS: tuple[ClientStep, ...] = tuple(
    ClientStep(step=step, number=n, does=does) for n, (step, does) in enumerate(_DOES, 1)
)
TOTAL_STEPS = len(CLIENT_STEPS)
_NUMBER = {s.step: s.number for s in CLIENT_STEPS}


def step_number(step: str) -> int | None:
    """The step's position for the header; None once done (no header count)."""
    return _NUMBER.get(step)
