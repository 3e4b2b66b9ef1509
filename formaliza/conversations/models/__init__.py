"""The conversation layer's nouns: channels (a provider and its credentials), message templates,
the contact's handle on a channel (with its 24-hour window and consent), conversations
(atendimentos, each with a protocol), messages with their receipts and attachments, and the raw
inbound webhook events they came from."""

from formaliza.conversations.models.channels import (
    DEFAULT_OPT_IN_KEYWORDS,
    DEFAULT_OPT_OUT_KEYWORDS,
    DEFAULT_OPT_OUT_REPLY,
    Channel,
    ChannelAlert,
    Template,
    ThroughputLimiter,
)
from formaliza.conversations.models.conversations import (
    ContactHandle,
    Conversation,
    ConversationKey,
    ConversationNote,
    Department,
    FinalizationStatus,
)
from formaliza.conversations.models.messages import (
    STATUS_RANK,
    Attachment,
    DispatchAttempt,
    InboundEvent,
    Message,
    MessageStatus,
    Receipt,
    attachment_upload_to,
)

__all__ = [
    "DEFAULT_OPT_IN_KEYWORDS",
    "DEFAULT_OPT_OUT_KEYWORDS",
    "DEFAULT_OPT_OUT_REPLY",
    "STATUS_RANK",
    "Attachment",
    "Channel",
    "ChannelAlert",
    "ContactHandle",
    "Conversation",
    "ConversationKey",
    "ConversationNote",
    "Department",
    "DispatchAttempt",
    "FinalizationStatus",
    "InboundEvent",
    "Message",
    "MessageStatus",
    "Receipt",
    "Template",
    "ThroughputLimiter",
    "attachment_upload_to",
]
