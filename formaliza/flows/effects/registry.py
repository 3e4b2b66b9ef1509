from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from formaliza.accounts.models import Tenant
from formaliza.conversations.models import Conversation


@dataclass(frozen=True)
class EffectContext:
    tenant: Tenant
    conversation: Conversation
    run_id: int
    card: str  # the card that asked


@dataclass(frozen=True)
class Executor:
    name: str
    fn: Callable[[EffectContext, dict[str, Any]], dict[str, Any] | None]
    outside_transaction: bool = False


_EXECUTORS: dict[str, Executor] = {}


def executor(name: str, *, outside_transaction: bool = False):
    def wrap(fn):
        if name in _EXECUTORS:
            raise RuntimeError(f"effect executor {name!r} registered twice")
        _EXECUTORS[name] = Executor(name, fn, outside_transaction)
        return fn

    return wrap


# The modules whose executors register themselves on import.
MODULES = (
    "formaliza.flows.effects.formalization",
    "formaliza.flows.effects.interaction",
    "formaliza.flows.effects.system",
    "formaliza.flows.effects.erp",
)
_loaded = False


def executor_get(name: str) -> Executor:
    # Import every listed module once, even if a test imported one of them directly first (a
    # non-empty registry does not mean a complete one).
    global _loaded
    if not _loaded:
        for module in MODULES:
            import_module(module)
        _loaded = True
    return _EXECUTORS[name]
