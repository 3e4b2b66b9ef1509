"""Writes of the conversation layer. What flows, journeys and the back office call:

- sending: `message_send_text`, `message_send_template`, `message_send_choices`,
  `message_send_media`, `message_send_email` (all through `message_send`);
- `message_redact` (a client's secret, e.g. a Wi-Fi password, hidden in the history);
- consent and atendimentos: `consent_opt_out`, `consent_opt_in`, `consent_set`,
  `conversation_close`, `conversation_finalize`, `finalization_defaults_ensure`;
- configuration: `channel_create`, `channel_update`, `template_save`, `template_sync`;
- the webhook path and workers: `webhook_receive`, `inbound_event_process`, `message_dispatch`,
  `attachment_fetch` (called by tasks.py and views.py).
"""

from formaliza.conversations.services.channels import (
    ChannelInput,
    TemplateInput,
    channel_create,
    channel_update,
    channel_webhook_url,
    template_save,
    template_sync,
)
from formaliza.conversations.services.conversations import (
    consent_opt_in,
    consent_opt_out,
    consent_set,
    conversation_close,
    conversation_keys_add,
    conversation_keys_add_for_reference,
    conversations_close_idle,
)
from formaliza.conversations.services.departments import (
    department_save,
    department_set_active,
    departments_defaults_ensure,
)
from formaliza.conversations.services.dispatch import message_dispatch, messages_sweep
from formaliza.conversations.services.finalization import (
    conversation_finalize,
    conversation_finalize_for_reference,
    finalization_defaults_ensure,
)
from formaliza.conversations.services.gates import gate_refusal, window_open
from formaliza.conversations.services.inbound import (
    inbound_event_process,
    inbound_event_reprocess,
    inbound_message_record,
)
from formaliza.conversations.services.intake import webhook_handshake, webhook_receive
from formaliza.conversations.services.media import attachment_fetch
from formaliza.conversations.services.outbound import (
    message_send,
    message_send_choices,
    message_send_email,
    message_send_media,
    message_send_template,
    message_send_text,
)
from formaliza.conversations.services.receipts import receipts_link_orphans, status_record
from formaliza.conversations.services.redaction import message_redact

__all__ = [
    "ChannelInput",
    "TemplateInput",
    "attachment_fetch",
    "channel_create",
    "channel_update",
    "channel_webhook_url",
    "consent_opt_in",
    "consent_opt_out",
    "consent_set",
    "conversation_close",
    "conversation_finalize",
    "conversation_finalize_for_reference",
    "conversation_keys_add",
    "conversation_keys_add_for_reference",
    "conversations_close_idle",
    "department_save",
    "department_set_active",
    "departments_defaults_ensure",
    "finalization_defaults_ensure",
    "gate_refusal",
    "inbound_event_process",
    "inbound_event_reprocess",
    "inbound_message_record",
    "message_dispatch",
    "message_redact",
    "message_send",
    "message_send_choices",
    "message_send_email",
    "message_send_media",
    "message_send_template",
    "message_send_text",
    "messages_sweep",
    "receipts_link_orphans",
    "status_record",
    "template_save",
    "template_sync",
    "webhook_handshake",
    "webhook_receive",
    "window_open",
]
