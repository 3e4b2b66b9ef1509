"""The CNJ unified process number (Resolução CNJ 65/2008): NNNNNNN-DD.AAAA.J.TR.OOOO.

The check digits DD are ISO 7064 Mod 97-10 over NNNNNNN AAAA J TR OOOO (python-stdnum's
`iso7064.mod_97_10`: the digits with DD moved to the end must leave remainder 1 modulo 97).
The segment J and the court code TR are checked against the Resolution's tables (with TRF6,
created in 2022). Messages are pt-BR and say what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum.iso7064 import mod_97_10

from formaliza.core import clock

# J -> the TR codes that exist in that branch of the Judiciary (00: the superior court/council).
COURTS = {
    "1": {0},  # STF
    "2": {0},  # CNJ
    "3": {0},  # STJ
    "4": {0, *range(1, 7), 90},  # Justiça Federal: CJF, TRF1..TRF6
    "5": {0, *range(1, 25), 90},  # Justiça do Trabalho: TST, TRT1..TRT24, CSJT
    "6": {0, *range(1, 28)},  # Justiça Eleitoral: TSE, TREs
    "7": {0, *range(1, 13)},  # Justiça Militar da União: STM, circunscrições
    "8": set(range(1, 28)),  # Justiça dos Estados e do DF
    "9": {13, 21, 26},  # Justiça Militar estadual: MG, RS, SP
}
PATTERN = re.compile(r"(\d{7})-?(\d{2})\.?(\d{4})\.?(\d)\.?(\d{2})\.?(\d{4})")


def cnj_check(text: str, *, today: dt.date | None = None) -> tuple[str, str]:
    """(formatted number, "") when valid, or ("", pt-BR reason)."""
    compact = re.sub(r"\s", "", text or "")
    if not compact:
        return "", "Informe o número do processo."
    match = PATTERN.fullmatch(compact)
    if not match:
        return "", (
            "O número do processo deve ter 20 dígitos no formato NNNNNNN-DD.AAAA.J.TR.OOOO "
            "(ex.: 5001234-56.2026.4.03.6301)."
        )
    seq, dd, year, j, tr, origin = match.groups()
    if int(tr) not in COURTS.get(j, set()):
        return "", f"O segmento de justiça {j} não tem o tribunal {tr} (campos J.TR)."
    if int(year) > (today or clock.today()).year:
        return "", f"O ano {year} do processo está no futuro."
    if not mod_97_10.is_valid(seq + year + j + tr + origin + dd):
        expected = mod_97_10.calc_check_digits(seq + year + j + tr + origin)
        return "", (
            f"Os dígitos verificadores {dd} não conferem com o restante do número (seriam "
            f"{expected}). Confira o número digitado."
        )
    return f"{seq}-{dd}.{year}.{j}.{tr}.{origin}", ""
