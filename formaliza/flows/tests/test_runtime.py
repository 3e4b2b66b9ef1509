"""The runtime service: starting runs, routing client messages, dedupe, stale timers, the timer
sweep, one active run per conversation, tenant isolation and refused messages."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from formaliza.accounts.services import tenant_create
from formaliza.conversations.models import Conversation, ConversationNote, Department, Message
from formaliza.conversations.services import consent_opt_out
from formaliza.core import clock
from formaliza.core.errors import NotFound
from formaliza.flows import engine
from formaliza.flows.models import Flow, FlowRun, FlowRunEvent
from formaliza.flows.services import program, runtime
from formaliza.flows.testing import card, flow
from formaliza.flows.tests.runtime_helpers import bodies, channel_of, client_writes, publish

pytestmark = pytest.mark.django_db

MENU = flow(
    card("oi", "message", "d", text="Olá, {{nome_whatsapp}}! Protocolo {{protocolo}}."),
    card("d", "description", {"next": "fim", "timeout": "tempo"}, timeout_minutes=5),
    card("fim", "end", text="Recebido: {{descricao}}. {{empresa}} agradece."),
    card("tempo", "end", text="Encerrado por falta de resposta."),
    key="menu",
)


@pytest.fixture
def channel(kit):
    return channel_of(kit.tenant)


@pytest.fixture
def menu(kit):
    return publish(kit.tenant, MENU, trigger=Flow.Trigger.INBOUND)


def _run(conversation) -> FlowRun:
    return FlowRun.objects.get(conversation=conversation, status__in=FlowRun.ACTIVE)


def test_a_first_message_starts_the_inbound_flow_with_variables(kit, channel, menu):
    message = client_writes(channel, "oi")
    assert runtime.inbound_message_handle(message_id=message.pk) == "started"
    conv = message.conversation
    run = _run(conv)
    assert run.status == FlowRun.Status.WAITING
    assert run.card == "d"
    assert run.wait_token == "w1"
    assert clock.now() + dt.timedelta(minutes=4) < run.wait_until
    assert run.wait_until <= clock.now() + dt.timedelta(minutes=5)
    assert bodies(conv)[0] == f"Olá, Maria! Protocolo {conv.protocol}."
    sent = Message.objects.filter(conversation=conv, direction="out").first()
    assert sent.sent_by_label == "Sistema (fluxo)"
    assert sent.reference == f"flow-run:{run.pk}"
    assert list(run.events.values_list("key", flat=True)) == [f"msg:{message.public_id}"]


def test_the_next_message_steps_the_run_and_the_description_reaches_the_attendant(
    kit, channel, menu
):
    first = client_writes(channel, "oi")
    runtime.inbound_message_handle(message_id=first.pk)
    second = client_writes(channel, "Quero mudar meu endereço")
    assert runtime.inbound_message_handle(message_id=second.pk) == "step"
    conv = first.conversation
    run = FlowRun.objects.get(conversation=conv)
    assert run.status == FlowRun.Status.ENDED
    assert run.ended_at is not None
    assert run.state["vars"]["descricao"] == "Quero mudar meu endereço"
    assert bodies(conv)[-1] == "Recebido: Quero mudar meu endereço. Promotora Um agradece."
    note = ConversationNote.objects.get(conversation=conv)
    assert (note.kind, note.text, note.run_id) == (
        "description",
        "Quero mudar meu endereço",
        run.pk,
    )
    event = run.events.get(key=f"msg:{second.public_id}")
    assert event.outcome == "applied"
    assert [a["kind"] for a in event.actions] == ["set_variable", "effect", "send_text", "end"]


def test_a_duplicate_message_is_applied_once(kit, channel, menu):
    first = client_writes(channel, "oi")
    assert runtime.inbound_message_handle(message_id=first.pk) == "started"
    assert runtime.inbound_message_handle(message_id=first.pk) == "ignored"
    run = _run(first.conversation)
    assert run.card == "d"  # the message that started the run was not taken as the description
    second = client_writes(channel, "meu pedido")
    event = runtime.event_of_message(second)
    assert runtime.run_event(run_id=run.pk, event=event, key=f"msg:{second.public_id}")
    assert not runtime.run_event(run_id=run.pk, event=event, key=f"msg:{second.public_id}")
    assert FlowRunEvent.objects.filter(run=run).count() == 2
    assert len(bodies(first.conversation)) == 3  # greeting, question, closing


def test_a_message_after_the_run_ended_does_not_restart_it_twice(kit, channel, menu):
    first = client_writes(channel, "oi")
    runtime.inbound_message_handle(message_id=first.pk)
    second = client_writes(channel, "descrição")
    runtime.inbound_message_handle(message_id=second.pk)
    # A replayed task for the first message must not start the menu again.
    assert runtime.inbound_message_handle(message_id=first.pk) == "ignored"
    # A new message does: the client is talking to the bot again.
    third = client_writes(channel, "oi de novo")
    assert runtime.inbound_message_handle(message_id=third.pk) == "started"
    assert FlowRun.objects.filter(conversation=first.conversation).count() == 2


def test_stale_timer_is_ignored_and_the_current_one_times_out(kit, channel, menu):
    message = client_writes(channel, "oi")
    runtime.inbound_message_handle(message_id=message.pk)
    run = _run(message.conversation)
    before = dict(run.state)
    stale = engine.Event(kind="timer", token="w9")
    assert not runtime.run_event(run_id=run.pk, event=stale, key="timer:w9")
    run.refresh_from_db()
    assert run.state == before
    assert run.events.get(key="timer:w9").outcome == "ignored"
    # Nothing is due yet: the sweep fires nothing.
    assert runtime.run_timers_sweep() == 0
    FlowRun.objects.filter(pk=run.pk).update(wait_until=clock.now() - dt.timedelta(seconds=1))
    assert runtime.run_timers_sweep() == 1
    run.refresh_from_db()
    assert run.status == FlowRun.Status.ENDED
    assert bodies(message.conversation)[-1] == "Encerrado por falta de resposta."
    assert runtime.run_timers_sweep() == 0


def test_the_timers_sweep_task_runs_the_service(kit, channel, menu):
    from formaliza.flows.tasks import flow_timers_sweep

    message = client_writes(channel, "oi")
    runtime.inbound_message_handle(message_id=message.pk)
    FlowRun.objects.update(wait_until=clock.now() - dt.timedelta(seconds=1))
    assert flow_timers_sweep.call() == 1


def test_the_inbound_handler_is_wired_and_runs_as_a_task(kit, channel, menu, settings):
    from formaliza.core.testing import queued_tasks, run_queued_tasks

    assert "formaliza.flows.tasks.flow_inbound_message" in settings.CONVERSATION_INBOUND_HANDLERS
    assert any(p.endswith("flow_timers_sweep") for p, _ in settings.PERIODIC_TASKS)
    message = client_writes(channel, "oi")
    assert queued_tasks("flow_inbound_message")
    run_queued_tasks()
    assert _run(message.conversation).card == "d"


def test_one_active_run_per_conversation_a_new_start_replaces_it(kit, channel, menu):
    message = client_writes(channel, "oi")
    runtime.inbound_message_handle(message_id=message.pk)
    conv = message.conversation
    old = _run(conv)
    other = publish(kit.tenant, flow(card("d", "description"), key="outro"))
    new = runtime.run_start(conversation=conv, flow=other, context={"origem": "teste"})
    old.refresh_from_db()
    assert (old.status, old.reason) == (FlowRun.Status.ENDED, "substituída")
    assert FlowRun.objects.filter(conversation=conv, status__in=FlowRun.ACTIVE).get() == new
    assert new.context == {"origem": "teste"}
    assert new.version == other.live


def test_an_unpublished_flow_is_refused(kit, channel):
    message = client_writes(channel, "oi")
    draft = Flow.objects.create(tenant=kit.tenant, key="rascunho", name="Rascunho", draft={})
    with pytest.raises(runtime.FlowNotPublished) as exc:
        runtime.run_start(conversation=message.conversation, flow=draft)
    assert exc.value.code == "flow_not_published"
    assert "não tem versão publicada" in exc.value.message


def test_conversations_handled_by_people_are_left_alone(kit, channel, menu):
    message = client_writes(channel, "oi")
    Conversation.objects.filter(pk=message.conversation_id).update(handler="queue")
    assert runtime.inbound_message_handle(message_id=message.pk) == "human"
    assert not FlowRun.objects.exists()


def test_no_inbound_flow_means_nothing_happens(kit, channel):
    message = client_writes(channel, "oi")
    assert runtime.inbound_message_handle(message_id=message.pk) == "no_flow"
    assert bodies(message.conversation) == []


def test_tenant_isolation(kit, channel, menu):
    other = tenant_create(name="Outra Promotora", slug="outra-runtime")
    other_channel = channel_of(other, phone_number_id="99887766", business_account_id="5544")
    publish(other, flow(card("x", "description"), key="so-da-outra"))
    # Another tenant's message never starts this tenant's inbound flow.
    theirs = client_writes(other_channel, "oi", sender="5521999990000")
    if theirs is not None:
        assert runtime.inbound_message_handle(message_id=theirs.pk) == "no_flow"
    # A flow of another tenant cannot run on this tenant's conversation.
    mine = client_writes(channel, "oi")
    foreign = Flow.objects.get(tenant=other)
    with pytest.raises(NotFound) as exc:
        runtime.run_start(conversation=mine.conversation, flow=foreign)
    assert (exc.value.code, exc.value.status) == ("flow_not_found", 404)
    assert not FlowRun.objects.filter(conversation=mine.conversation).exists()
    # Going to a key that only exists in another tenant is "not published" here.
    caller = publish(kit.tenant, flow(card("ir", "go_to_flow", flow="so-da-outra"), key="chama"))
    run = runtime.run_start(conversation=mine.conversation, flow=caller)
    run.refresh_from_db()
    assert run.status == FlowRun.Status.FAILED
    assert "não publicado" in run.reason


def test_a_refused_message_ends_the_run_with_the_reason(kit, channel):
    hello = publish(kit.tenant, flow(card("a", "message", "b", text="Oi"), card("b", "end")))
    message = client_writes(channel, "oi")
    consent_opt_out(handle=message.handle, source="teste")
    run = runtime.run_start(conversation=message.conversation, flow=hello)
    run.refresh_from_db()
    assert run.status == FlowRun.Status.ENDED
    assert "opted_out" in run.reason
    assert bodies(message.conversation) == []
    event = run.events.get()
    assert event.actions[0]["refused"] == "opted_out"


def test_a_message_outside_the_window_fails_the_run_without_raising(kit, channel):
    hello = publish(kit.tenant, flow(card("a", "message", text="Oi")))
    message = client_writes(channel, "oi")
    message.handle.__class__.objects.filter(pk=message.handle_id).update(
        last_inbound_at=clock.now() - dt.timedelta(hours=30)
    )
    run = runtime.run_start(conversation=message.conversation, flow=hello)
    run.refresh_from_db()
    assert run.status == FlowRun.Status.FAILED
    assert "window_closed" in run.reason


def test_transfer_action_hands_the_conversation_to_a_department(kit, channel):
    suporte = Department.objects.create(tenant=kit.tenant, name="Suporte")
    data = flow(card("t", "transfer", department="Suporte", note="Cliente quer falar com alguém"))
    flow_ = publish(kit.tenant, data)
    message = client_writes(channel, "oi")
    run = runtime.run_start(conversation=message.conversation, flow=flow_)
    run.refresh_from_db()
    conv = Conversation.objects.get(pk=message.conversation_id)
    assert (conv.handler, conv.department, conv.assignee) == ("queue", suporte, None)
    assert run.status == FlowRun.Status.TRANSFERRED
    assert ConversationNote.objects.get(conversation=conv, kind="transfer").text.startswith(
        "Cliente quer"
    )
    # From now on the bot leaves the conversation alone.
    later = client_writes(channel, "alô?")
    assert runtime.inbound_message_handle(message_id=later.pk) == "human"


def test_facts_come_from_the_conversation_in_local_time(kit, channel):
    message = client_writes(channel, "oi")
    conv = Conversation.objects.get(pk=message.conversation_id)
    facts = program.facts_for(conv)
    assert facts.now.utcoffset() == dt.timedelta(hours=-3)
    assert facts.protocol == conv.protocol
    assert facts.whatsapp_name == "Maria"
    assert facts.phone == "+5511987654321"
    assert facts.company_name == "Promotora Um"
    assert facts.channel == "whatsapp"
    assert facts.origin == "client"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_racing_workers_step_one_conversation_one_event_at_a_time():
    """Threads (each with its own database connection) deliver the same messages at once:
    each message is applied exactly once and the steps never interleave. On PostgreSQL the
    conversation and run rows are locked; on SQLite the write transaction serializes them."""
    tenant = tenant_create(name="Promotora Corrida", slug="corrida")
    channel = channel_of(tenant)
    loop = flow(
        card("p", "description", "p2", variable="a"),
        card("p2", "description", "p3", variable="b"),
        card("p3", "description", "p4", variable="c"),
        card("p4", "description", variable="d"),
        key="fila",
    )
    publish(tenant, loop, trigger=Flow.Trigger.INBOUND)
    messages = [client_writes(channel, f"resposta {n}") for n in range(5)]
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(ids):
        try:
            barrier.wait()
            for message_id in ids:
                results.append(runtime.inbound_message_handle(message_id=message_id))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    ids = [m.pk for m in messages]
    threads = [threading.Thread(target=worker, args=(ids,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    run = FlowRun.objects.get(conversation=messages[0].conversation)
    # Five distinct messages, each applied once (the first started the run), 35 duplicates.
    assert results.count("started") == 1
    assert results.count("step") == 4
    assert results.count("ignored") == 35
    assert run.status == FlowRun.Status.ENDED
    assert run.steps == 5
    assert FlowRunEvent.objects.filter(run=run, outcome="applied").count() == 5
    # In order: a message is taken only after the one before it was applied.
    assert [run.state["vars"][v] for v in "abcd"] == [m.body for m in messages[1:]]


# --- effects: results fed back in the step, after the commit, and failures ----------------------

from pydantic import Field  # noqa: E402

from formaliza.flows import actions  # noqa: E402
from formaliza.flows.cards.registry import CARD_TYPES, CardType, register  # noqa: E402
from formaliza.flows.document import CardSettings  # noqa: E402
from formaliza.flows.effects import executor, executor_get  # noqa: E402
from formaliza.flows.engine import Ignore, Next, Wait  # noqa: E402

executor_get("description")  # the real executors first (the registry loads them lazily)
effect_calls: list[dict] = []


@executor("teste_eco")
def _echo(ctx, payload):
    effect_calls.append({"run": ctx.run_id, "card": ctx.card, **payload})
    return {"eco": payload["v"], "conversa": ctx.conversation.protocol}


@executor("teste_fora", outside_transaction=True)
def _outside(ctx, payload):
    effect_calls.append({"fora": True, **payload})
    return {"eco": payload["v"]}


@executor("teste_quebra")
def _broken(ctx, payload):
    raise RuntimeError("integração fora do ar")


if "teste_efeito" not in CARD_TYPES:

    @register
    class EffectProbe(CardType):
        """Asks an effect for a result and stores it (a stand-in for system cards)."""

        type = "teste_efeito"
        group = "system"
        label = "Teste de efeito"
        can_wait = True

        class Settings(CardSettings):
            effect: str = Field(default="teste_eco")

        def enter(self, ctx, card):
            ctx.emit(
                actions.Effect(name=card.settings.effect, payload={"v": "x"}, token=ctx.token())
            )
            return Wait()

        def resume(self, ctx, card, event):
            if event.kind != "result":
                return Ignore()
            ctx.set_var("eco", event.data.get("eco", ""))
            return Next()


def _effect_flow(kit, effect: str):
    return publish(
        kit.tenant,
        flow(
            card("e", "teste_efeito", "m", effect=effect),
            card("m", "message", text="eco={{eco}}"),
            key=f"efeito-{effect.replace('_', '-')}",
        ),
    )


def test_an_effect_result_is_fed_back_within_the_step(kit, channel):
    effect_calls.clear()
    message = client_writes(channel, "oi")
    run = runtime.run_start(conversation=message.conversation, flow=_effect_flow(kit, "teste_eco"))
    run.refresh_from_db()
    assert run.status == FlowRun.Status.ENDED
    assert run.state["vars"]["eco"] == "x"
    assert bodies(message.conversation) == ["eco=x"]
    assert effect_calls == [{"run": run.pk, "card": "e", "v": "x"}]
    assert list(run.events.order_by("pk").values_list("key", "outcome")) == [
        ("start", "applied"),
        ("result:w1", "applied"),
    ]


def test_an_effect_outside_the_transaction_runs_after_commit_and_resumes_the_run(
    kit, channel, django_capture_on_commit_callbacks
):
    from formaliza.core.testing import run_queued_tasks

    effect_calls.clear()
    message = client_writes(channel, "oi")
    with django_capture_on_commit_callbacks(execute=True):
        run = runtime.run_start(
            conversation=message.conversation, flow=_effect_flow(kit, "teste_fora")
        )
    run.refresh_from_db()
    assert (run.status, run.wait_token) == (FlowRun.Status.WAITING, "w1")
    assert effect_calls == []  # nothing ran inside the step
    run_queued_tasks()
    run.refresh_from_db()
    assert effect_calls == [{"fora": True, "v": "x"}]
    assert run.status == FlowRun.Status.ENDED
    assert bodies(message.conversation)[-1] == "eco=x"
    # The same result again (a retried task) is a duplicate.
    assert not runtime.effect_run_outside(run_id=run.pk, name="teste_fora", payload={"v": "y"},
                                          token="w1")  # fmt: skip


def test_a_failing_or_unknown_effect_fails_the_run_with_the_reason(kit, channel):
    message = client_writes(channel, "oi")
    run = runtime.run_start(
        conversation=message.conversation, flow=_effect_flow(kit, "teste_quebra")
    )
    run.refresh_from_db()
    assert run.status == FlowRun.Status.FAILED
    assert "teste_quebra" in run.reason
    run = runtime.run_start(conversation=message.conversation, flow=_effect_flow(kit, "nao_existe"))
    run.refresh_from_db()
    assert (run.status, run.reason) == (FlowRun.Status.FAILED, "Efeito desconhecido: nao_existe")


def test_bloquear_at_any_point_stops_what_the_flow_would_send(kit, channel):
    data = flow(
        card("d", "delay", "m", seconds=60), card("m", "message", text="Ainda aí?"), key="espera"
    )
    publish(kit.tenant, data, trigger=Flow.Trigger.INBOUND)
    first = client_writes(channel, "oi")
    runtime.inbound_message_handle(message_id=first.pk)
    block = client_writes(channel, "/bloquear")
    assert Message.objects.get(pk=block.pk).consent_action == "opt_out"
    run = _run(first.conversation)
    FlowRun.objects.filter(pk=run.pk).update(wait_until=clock.now() - dt.timedelta(seconds=1))
    runtime.run_timers_sweep()
    run.refresh_from_db()
    assert run.status == FlowRun.Status.ENDED
    assert "opted_out" in run.reason
    assert "Ainda aí?" not in bodies(first.conversation)


if "teste_modelo" not in CARD_TYPES:

    @register
    class TemplateProbe(CardType):
        """Sends a template (a stand-in for the system cards that do)."""

        type = "teste_modelo"
        group = "system"
        label = "Teste de modelo"

        def enter(self, ctx, card):
            ctx.emit(
                actions.SendTemplate(
                    name="convite",
                    language="pt_BR",
                    variables={"body": [ctx.render("{{cliente}}")]},
                )
            )
            return Next()


def test_a_template_goes_out_even_outside_the_window(kit, channel):
    from formaliza.conversations.models import Template
    from formaliza.conversations.services import TemplateInput, template_save

    template_save(
        tenant=kit.tenant, channel_id=channel.pk,
        data=TemplateInput(name="convite", language="pt_BR", category="utility",
                           components=[{"type": "BODY", "text": "Olá {{1}}, tudo certo?"}]),
    )  # fmt: skip
    Template.objects.filter(channel=channel, name="convite").update(status="approved")
    message = client_writes(channel, "oi")
    message.handle.__class__.objects.filter(pk=message.handle_id).update(
        last_inbound_at=clock.now() - dt.timedelta(days=3)
    )
    invite = publish(kit.tenant, flow(card("t", "teste_modelo"), key="convite"))
    run = runtime.run_start(conversation=message.conversation, flow=invite)
    run.refresh_from_db()
    assert run.status == FlowRun.Status.ENDED, run.reason
    sent = Message.objects.get(conversation=message.conversation, direction="out")
    assert (sent.kind, sent.body) == ("template", "Olá Maria, tudo certo?")
