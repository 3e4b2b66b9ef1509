"""System cards (one module per kind): tag, conditionals, registration lookup, auto-link, accounts, internal notice,
intent, HTTP integration, interactive template (bulk) and the two-path metric.

Like every card they are pure: whatever needs the database or the network is asked for with an
`actions.Effect` (executors in `flows/effects/system.py`); cards that need the answer wait for it
with the effect's token and continue on the `result` event. See docs/flows.md, "System cards".
"""

from formaliza.flows.cards.system import (
    conditions,  # noqa: F401
    erp,  # noqa: F401
    integration,  # noqa: F401
    registration,  # noqa: F401
)
