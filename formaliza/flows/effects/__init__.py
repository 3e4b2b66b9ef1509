"""Executors of `actions.Effect`: what a card asks the world to do beyond sending messages.

Each executor is a function `(ctx: EffectContext, payload: dict) -> dict | None` registered by
name with `@executor("name")` in a module listed in `registry.MODULES`. The runtime calls it inside the
step's transaction; a returned dict is fed back to the engine as the `result` event's data when
the card waits for it. Executors that talk to the network (HTTP integration) run outside the
transaction: register them with `@executor("name", outside_transaction=True)`.
"""

from formaliza.flows.effects.registry import MODULES, EffectContext, executor, executor_get

__all__ = ["MODULES", "EffectContext", "executor", "executor_get"]
