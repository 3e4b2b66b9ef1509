"""The conversation layer's `ConversationBot` over the flows (settings.CONVERSATION_BOT =
"formaliza.flows.adapters.conversation_bot.FlowBot"): what the attendants' inbox (in
conversations) shows of the bot, and how it stops and restarts the flow runs on a conversation.
"""

from __future__ import annotations

from formaliza.conversations.models import Conversation
from formaliza.conversations.ports import BotRun
from formaliza.core import clock
from formaliza.core.errors import NotFound
from formaliza.flows.models import Flow, FlowRun
from formaliza.flows.services.runtime import run_start


def _published(tenant_id: int):
    return Flow.objects.filter(tenant_id=tenant_id, archived_at__isnull=True, live__isnull=False)


class FlowBot:
    def last_run(self, *, conversation_id: int) -> BotRun | None:
        run = FlowRun.objects.filter(conversation_id=conversation_id).select_related("flow").last()
        if run is None:
            return None
        return BotRun(run.flow.name, run.get_status_display(), run.reason)

    def stop(self, *, conversation_id: int, reason: str) -> None:
        for run in FlowRun.objects.select_for_update().filter(
            conversation_id=conversation_id, status__in=FlowRun.ACTIVE
        ):
            run.state = {**run.state, "status": "ended", "reason": reason, "wait": None}
            run.status, run.reason = FlowRun.Status.ENDED, reason
            run.wait_token, run.wait_until, run.ended_at = "", None, clock.now()
            run.save(
                update_fields=[
                    "state", "status", "reason", "wait_token", "wait_until", "ended_at",
                    "updated_at",
                ]
            )  # fmt: skip

    def startable(self, *, tenant_id: int) -> list[tuple[int, str]]:
        return list(_published(tenant_id).order_by("name").values_list("pk", "name"))

    def start(self, *, conversation_id: int, flow_id: int, released_by: int) -> None:
        conversation = Conversation.objects.get(pk=conversation_id)
        flow = _published(conversation.tenant_id).filter(pk=flow_id).first()
        if flow is None:
            raise NotFound("Fluxo publicado")
        run_start(conversation=conversation, flow=flow, context={"released_by": released_by})

    def pending(self, *, conversation_id: int) -> list[tuple[int, str]]:
        runs = FlowRun.objects.filter(
            conversation_id=conversation_id, status=FlowRun.Status.PENDING
        ).select_related("flow")
        return [(run.pk, run.flow.name) for run in runs.order_by("pk")]

    def start_pending(self, *, conversation_id: int, run_id: int, started_by: int) -> None:
        pending = (
            FlowRun.objects.select_for_update(of=("self",))
            .filter(pk=run_id, conversation_id=conversation_id, status=FlowRun.Status.PENDING)
            .select_related("flow", "conversation")
            .first()
        )
        if pending is None:
            raise NotFound("Assistente pendente")
        context = dict(pending.context)
        variables = context.pop("variables", {})
        pending.status, pending.reason = FlowRun.Status.ENDED, "iniciado pelo atendente"
        pending.ended_at = clock.now()
        pending.save(update_fields=["status", "reason", "ended_at", "updated_at"])
        run_start(
            conversation=pending.conversation, flow=pending.flow,
            context={**context, "started_by": started_by}, variables=variables,
        )  # fmt: skip
