"""The card types. Each module registers its cards with `registry.register`; importing this
package makes every card type known to the format and the engine."""

from formaliza.flows.cards import (
    basic,  # noqa: F401
    formalization,  # noqa: F401
    interaction,  # noqa: F401
    system,  # noqa: F401
)
