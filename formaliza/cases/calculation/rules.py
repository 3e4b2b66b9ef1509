"""The calculation rules the default calculator knows: which average, which coefficient.

Each rule says how the salário de benefício (SB) is averaged and how the RMI follows from it.
The legal basis of each is explained in docs/cases.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

EC103_IN_FORCE = dt.date(2019, 11, 13)  # published and in force on this date
LEI_9876_IN_FORCE = dt.date(1999, 11, 29)
POINTS_RULE_FROM = dt.date(2015, 6, 18)  # Lei 13.183/2015 (MP 676/2015): the 85/95 points


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    average: str  # "best80" (Lei 9.876/99) | "all100" (EC 103/2019)
    coefficient: str  # how the RMI follows from the SB (see inss.py)
    legal_basis: str
    minimum_divisor: bool = False  # Lei 9.876/99, art. 3º, § 2º
    era: str = "lei9876"  # "lei9876": DIB up to 13/11/2019; "ec103": after


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in [
        Rule(
            "lei9876_tempo", "Aposentadoria por tempo de contribuição (até 13/11/2019)",
            "best80", "fator", "Lei 8.213/91, art. 29, I; Lei 9.876/99, art. 3º; Lei 8.213/91, art. 29-C",
            minimum_divisor=True,
        ),
        Rule(
            "lei9876_idade", "Aposentadoria por idade (até 13/11/2019)",
            "best80", "idade", "Lei 8.213/91, arts. 29, I, e 50; Lei 9.876/99, arts. 3º e 7º",
            minimum_divisor=True,
        ),
        Rule(
            "lei9876_invalidez", "Aposentadoria por invalidez (até 13/11/2019)",
            "best80", "integral", "Lei 8.213/91, arts. 29, II, e 44",
        ),
        Rule(
            "lei9876_auxilio", "Auxílio-doença (até 13/11/2019)",
            "best80", "auxilio", "Lei 8.213/91, arts. 29, II, e 61",
        ),
        Rule(
            "ec103_aposentadoria",
            "Aposentadoria pela regra geral ou de transição por pontos, idade ou idade mínima; incapacidade permanente não acidentária (após 13/11/2019)",
            "all100", "ec103", "EC 103/2019, art. 26, caput e §§ 2º e 5º", era="ec103",
        ),
        Rule(
            "ec103_pedagio50", "Aposentadoria por tempo de contribuição, transição com pedágio de 50% (após 13/11/2019)",
            "all100", "fator_sempre", "EC 103/2019, arts. 17 e 26", era="ec103",
        ),
        Rule(
            "ec103_pedagio100", "Aposentadoria, transição com pedágio de 100% (após 13/11/2019)",
            "all100", "integral", "EC 103/2019, arts. 20 e 26, § 3º", era="ec103",
        ),
        Rule(
            "ec103_auxilio", "Auxílio por incapacidade temporária (após 13/11/2019)",
            "all100", "auxilio", "EC 103/2019, art. 26; Lei 8.213/91, arts. 29, § 10, e 61", era="ec103",
        ),
    ]
}  # fmt: skip

RULE_CHOICES = [(rule.key, rule.label) for rule in RULES.values()]


def rule_era_mismatch(rule: Rule, dib: dt.date) -> str:
    """A pt-BR explanation when the rule cannot apply to a benefit started on `dib`."""
    if rule.era == "ec103" and dib <= EC103_IN_FORCE:
        return "As regras da EC 103/2019 valem para benefícios com início a partir de 14/11/2019."
    if rule.era == "lei9876" and dib < LEI_9876_IN_FORCE:
        return "O cálculo da Lei 9.876/99 vale para benefícios com início a partir de 29/11/1999."
    return ""
