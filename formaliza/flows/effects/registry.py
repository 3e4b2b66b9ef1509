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


def executor_get(name: str) -> Executor:
    # Every listed module, even when one was imported directly before (a test, say): an
    # already imported module is not registered twice.
    from formaliza.flows.effects import MODULES

    for module in MODULES:
        import_module(module)
    return _EXECUTORS[name]
