"""Revision theses: the one the calculator computes, and those the courts have closed.

A closed thesis is refused with the explanation below instead of producing a value a client
could never obtain. The sources are listed in docs/cases.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thesis:
    key: str
    label: str
    closed: bool
    explanation: str = ""


THESES: dict[str, Thesis] = {
    thesis.key: thesis
    for thesis in [
        Thesis(
            "recalculo",
            "Recálculo da RMI com os salários de contribuição corretos (erro de cálculo, salários faltantes ou menores no CNIS)",
            closed=False,
        ),
        Thesis(
            "vida_toda",
            "Revisão da vida toda (incluir salários anteriores a 07/1994)",
            closed=True,
            explanation=(
                "O STF, ao julgar as ADIs 2.110 e 2.111 (sessão de 21/03/2024, ata publicada em "
                "05/04/2024), declarou constitucional e obrigatória a regra de transição do "
                "art. 3º da Lei 9.876/99: o segurado não pode escolher a média com os salários "
                "anteriores a julho de 1994. Com isso a tese do Tema 1.102 ficou superada; os "
                "embargos julgados em 10/04/2025 apenas dispensaram a devolução de valores "
                "recebidos por decisões anteriores a 05/04/2024. Não há valor a pedir por esta tese."
            ),
        ),
        Thesis(
            "desaposentacao",
            "Desaposentação ou reaposentação (trocar a aposentadoria por outra com as contribuições posteriores)",
            closed=True,
            explanation=(
                "O STF fixou no Tema 503 da repercussão geral (RE 661.256, 2016, e embargos "
                "julgados em 2020) que, no Regime Geral, não há previsão legal de desaposentação "
                "nem de reaposentação. Não há valor a pedir por esta tese."
            ),
        ),
    ]
}

THESIS_CHOICES = [(thesis.key, thesis.label) for thesis in THESES.values()]
