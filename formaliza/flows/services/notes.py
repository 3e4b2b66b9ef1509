"""Notes on a conversation for the attendants (the client's description, transfer notes)."""

from __future__ import annotations

from formaliza.conversations.models import Conversation
from formaliza.core import clock
from formaliza.flows.models import ConversationNote


def note_add(
    *, conversation: Conversation, kind: str, text: str, run_id: int | None = None, author=None
) -> ConversationNote:
    return ConversationNote.objects.create(
        tenant_id=conversation.tenant_id, conversation=conversation, run_id=run_id, kind=kind,
        text=text.strip()[:4000], author=author, created_at=clock.now(),
    )  # fmt: skip
