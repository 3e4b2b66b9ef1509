"""SQLite fallback of the PostgreSQL functions the contact search uses (docs/contacts.md).

Registered on every new SQLite connection by `ContactsConfig.ready()`; PostgreSQL has the real
ones (pg_trgm, unaccent; contacts migration 0002). Deterministic, so SQLite may cache them."""

from __future__ import annotations

from formaliza.contacts.folding import fold, similarity, word_similarity


def _unaccent(value):
    import unicodedata

    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def register_functions(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("SIMILARITY", 2, similarity, deterministic=True)
    raw.create_function("WORD_SIMILARITY", 2, word_similarity, deterministic=True)
    raw.create_function("UNACCENT", 1, _unaccent, deterministic=True)
    raw.create_function("FOLD", 1, fold, deterministic=True)
