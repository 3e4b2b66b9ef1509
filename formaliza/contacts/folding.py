"""Text folding for name search: what PostgreSQL's `lower(unaccent(...))` gives, in Python."""

from __future__ import annotations

import re
import unicodedata


def fold(value: str) -> str:
    """'  João   da SILVA ' -> 'joao da silva' (accents and case ignored, spaces collapsed)."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain).strip().lower()


def trigrams(value: str) -> set[str]:
    """pg_trgm's trigrams of a string: each word padded with two spaces before, one after;
    non-alphanumerics separate words."""
    grams: set[str] = set()
    for word in re.findall(r"[0-9a-z]+", fold(value)):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str | None, b: str | None) -> float:
    """pg_trgm's `similarity(a, b)`: shared trigrams over the union."""
    ga, gb = trigrams(a or ""), trigrams(b or "")
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)


def word_similarity(a: str | None, b: str | None) -> float:
    """pg_trgm's `word_similarity(a, b)`: the share of `a`'s trigrams found in the best extent
    of `b` ('word' in 'two words' -> 0.8). pg_trgm bounds the extent by trigram positions; for
    the shares it reports (matched over `a`'s count) the whole of `b` gives the same maximum."""
    target = trigrams(a or "")
    if not target:
        return 0.0
    return len(target & trigrams(b or "")) / len(target)
