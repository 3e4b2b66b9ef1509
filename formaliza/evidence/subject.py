"""What a chain of evidence (and a sealed document) is about: ("journey", id), later ("case", id)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    type: str  # "journey", later "case"
    id: str
