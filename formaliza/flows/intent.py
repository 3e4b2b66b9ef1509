"""Intent identification: the port the `intent` card's executor talks to, and the offline default.

A classifier gets the client's text and the card's intents (each a name and example phrases) and
returns the best intent or None. The executor loads the class named by the setting
`FLOW_INTENT_CLASSIFIER` (dotted path; default `KeywordClassifier` below), so a tenant can plug a
language model without the cards or the engine knowing.

`KeywordClassifier` needs no model download and no network: text and examples are normalized
(lower case, accents folded, punctuation dropped, Portuguese stop words removed, a light
plural/suffix stem, a small synonym table), and each intent scores the best overlap between the
text's words and one example's words (share of the example covered, with a bonus when the whole
example phrase appears). The best score at or above the threshold wins; a tie between two
intents is no answer (asking again beats guessing).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Intent:
    name: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    name: str
    score: float


class Classifier(Protocol):
    def classify(self, text: str, intents: Sequence[Intent], threshold: float) -> Match | None: ...


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation as spaces, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


_STOP_TEXT = (
    "a o as os um uma uns umas de do da dos das no na nos nas em e ou que com por para pra pro "
    "me meu minha meus minhas eu voce voces se ao aos a as esse essa isso este esta isto la "
    "gostaria queria quero preciso favor por ola oi bom boa dia tarde noite tudo bem sobre "
    "como qual quais onde quando ter tenho tem mais muito"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())

# Words that mean the same thing to a client of a promotora; each maps to a canonical word.
SYNONYMS = {
    "fatura": "boleto",
    "segunda": "boleto",
    "2via": "boleto",
    "conta": "boleto",
    "pagar": "pagamento",
    "paguei": "pagamento",
    "pago": "pagamento",
    "emprestimo": "credito",
    "financiamento": "credito",
    "consignado": "credito",
    "atendente": "humano",
    "pessoa": "humano",
    "falar": "humano",
    "cancelar": "cancelamento",
    "cancela": "cancelamento",
    "contrato": "contrato",
    "assinar": "assinatura",
    "assinei": "assinatura",
    "documento": "documentos",
    "doc": "documentos",
}


def _stem(word: str) -> str:
    for suffix in ("coes", "oes", "aes", "ais", "eis", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> frozenset[str]:
    words = []
    for word in fold(text).split():
        if word in STOP_WORDS:
            continue
        word = SYNONYMS.get(word, word)
        words.append(_stem(word))
    return frozenset(words)


class KeywordClassifier:
    """The offline default (see the module's docstring)."""

    def score(self, text: str, example: str) -> float:
        words, wanted = tokens(text), tokens(example)
        if not wanted or not words:
            return 0.0
        covered = len(words & wanted) / len(wanted)
        phrase = fold(example)
        bonus = 0.2 if phrase and f" {phrase} " in f" {fold(text)} " else 0.0
        return min(1.0, covered + bonus)

    def classify(self, text: str, intents: Sequence[Intent], threshold: float) -> Match | None:
        scored = sorted(
            (
                (max((self.score(text, e) for e in intent.examples), default=0.0), intent.name)
                for intent in intents
            ),
            reverse=True,
        )
        if not scored or scored[0][0] < threshold or scored[0][0] == 0:
            return None
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            return None
        return Match(name=scored[0][1], score=round(scored[0][0], 3))


def classifier_get() -> Classifier:
    """The classifier named by `settings.FLOW_INTENT_CLASSIFIER` (a class or factory path)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.FLOW_INTENT_CLASSIFIER)()
