"""Text folding for name search: what PostgreSQL's `lower(unaccent(...))` gives, in Python."""

from __future__ import annotations

import re
import unicodedata


def fold(value: str) -> str:
    """'  João   da SILVA ' -> 'joao da silva' (accents and case ignored, spaces collapsed)."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", plain).strip().lower()


def _trigram_sequence(value: str) -> list[str]:
    """pg_trgm's trigrams in order, duplicates kept: each word padded with two spaces before
    and one after; non-alphanumerics separate words."""
    grams: list[str] = []
    for word in re.findall(r"[0-9a-z]+", fold(value)):
        padded = f"  {word} "
        grams.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def trigrams(value: str) -> set[str]:
    """pg_trgm's trigrams of a string (`show_trgm`)."""
    return set(_trigram_sequence(value))


def similarity(a: str | None, b: str | None) -> float:
    """pg_trgm's `similarity(a, b)`: shared trigrams over the union."""
    ga, gb = trigrams(a or ""), trigrams(b or "")
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / len(ga | gb)


def word_similarity(a: str | None, b: str | None) -> float:
    """pg_trgm's `word_similarity(a, b)`: the best similarity between `a`'s trigrams and a
    continuous extent of `b`'s ordered trigrams — over an extent, shared / (a's + the
    extent's - shared), unique trigrams counted ('word' in 'two words' -> 0.8; 'maria clara'
    in 'maria laura souza' -> 0.5: the extent 'maria', since taking in 'laura' for its 'ra '
    adds five trigrams that are not in 'maria clara'). pg_trgm finds the same maximum with a
    faster walk; names are short, so every extent is tried here."""
    target = trigrams(a or "")
    sequence = _trigram_sequence(b or "")
    if not target or not sequence:
        return 0.0
    best = 0.0
    for start in range(len(sequence)):
        if sequence[start] not in target:
            continue  # an extent starting outside `a` is beaten by the one starting after
        seen: set[str] = set()
        shared = 0
        for gram in sequence[start:]:
            if gram not in seen:
                seen.add(gram)
                shared += gram in target
                if gram in target:
                    best = max(best, shared / (len(target) + len(seen) - shared))
    return best
