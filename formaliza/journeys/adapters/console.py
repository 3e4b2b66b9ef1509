"""Console adapter: logs the message instead of sending it.

Set settings.JOURNEY_MESSENGER to it instead of the WhatsApp assistant
(formaliza.flows.adapters.whatsapp_messenger) to print links in the server log: nothing reaches a
client.
"""

from __future__ import annotations

import logging
import uuid

from formaliza.journeys.ports import CompletionMessage, LinkMessage, SendResult

logger = logging.getLogger("formaliza.journeys.messages")


class ConsoleMessenger:
    def send_link(self, message: LinkMessage) -> SendResult:
        logger.info(
            "WhatsApp (simulado, nada foi enviado) para %s — link da formalização %s (%s): %s",
            message.phone, message.formalization_number, message.reason, message.link_url,
        )  # fmt: skip
        return SendResult(provider="console", message_id=f"console-{uuid.uuid4().hex}")

    def send_completion(self, message: CompletionMessage) -> SendResult:
        logger.info(
            "WhatsApp (simulado, nada foi enviado) para %s — formalização %s assinada (%s).",
            message.phone, message.formalization_number, ", ".join(message.proposal_numbers),
        )  # fmt: skip
        return SendResult(provider="console", message_id=f"console-{uuid.uuid4().hex}")
