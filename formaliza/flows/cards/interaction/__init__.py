"""Interaction cards: what the client sees and answers. Send a file, consent (opt-in/opt-out),
questions (choice, confirmation, typed input with validation), the satisfaction survey, and the
transfer to people.

Questions share one retry rule: a wrong answer is answered with the card's retry message and
the question again, up to `max_attempts` answers; then the card sends its message after max
attempts (if any) and either runs the fallback flow (if set) or leaves through `max_attempts`
(unconnected: the flow ends). With `timeout_minutes`, no answer in time leaves through
`timeout`.
"""

from formaliza.flows.cards.interaction import (
    consent,  # noqa: F401
    questions,  # noqa: F401
    send_file,  # noqa: F401
    transfer,  # noqa: F401
)
