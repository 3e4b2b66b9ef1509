"""The system cards' effect executors against the database, tenant boundaries included."""

from __future__ import annotations

import pytest
from django.core import mail

from formaliza.accounts.roles import Role
from formaliza.conversations.models import Conversation
from formaliza.core.testing import run_queued_tasks
from formaliza.flows.effects import executor_get
from formaliza.flows.models import GroupNotice, LinkedAccount, MetricCount, NotifyGroup
from formaliza.flows.tests.system_helpers import PHONE, conversation, effect_ctx, registered

pytestmark = pytest.mark.django_db

CPF = "52998224725"
CPF2 = "11144477735"
CNPJ = "11222333000181"


def run(name: str, conv, payload: dict | None = None):
    return executor_get(name).fn(effect_ctx(conv), payload or {})


@pytest.fixture
def conv(kit):
    return conversation(kit.tenant)


def reload(conv) -> Conversation:
    return Conversation.objects.get(pk=conv.pk)


def test_every_system_effect_is_registered_and_network_ones_run_outside_the_transaction():
    names = [
        "tag", "registration_lookup", "auto_link", "account_add", "account_list",
        "account_switch", "notify", "intent", "metric", "bulk_reply", "http",
    ]  # fmt: skip
    outside = {n for n in names if executor_get(n).outside_transaction}
    assert outside == {"http", "intent"}


def test_tag_adds_once_and_keeps_existing_tags(conv):
    Conversation.objects.filter(pk=conv.pk).update(tags=["antiga"])
    assert run("tag", conv, {"tags": ["VIP", "antiga"]}) == {"tags": ["antiga", "VIP"]}
    run("tag", conv, {"tags": ["VIP", "nova"]})
    assert reload(conv).tags == ["antiga", "VIP", "nova"]


def test_registration_lookup_is_tenant_scoped(kit, other_kit, conv):
    registered(other_kit.tenant, CPF, "De outra empresa")
    assert run("registration_lookup", conv, {"document": CPF}) == {"found": False}
    contact = registered(kit.tenant, CPF, "Ana Souza")
    result = run("registration_lookup", conv, {"document": CPF})
    assert result == {
        "found": True,
        "contact": {"id": contact.pk, "name": "Ana Souza", "document": CPF, "kind": "person"},
    }
    contact.archived_at = contact.created_at
    contact.save()
    assert run("registration_lookup", conv, {"document": CPF})["found"] is False
    assert run("registration_lookup", conv, {"document": ""})["found"] is False


def test_auto_link_links_the_registered_contact_with_the_phone(kit, conv):
    assert conv.contact.document == ""  # the contact created from the WhatsApp number
    assert run("auto_link", conv) == {"linked": False, "candidates": 0}
    contact = registered(kit.tenant, CPF, "Ana Souza", phone=PHONE)
    result = run("auto_link", conv)
    assert result["linked"] and result["contact"]["id"] == contact.pk
    assert reload(conv).contact_id == contact.pk
    account = LinkedAccount.objects.get(tenant=kit.tenant, phone=PHONE)
    assert (account.contact_id, account.active) == (contact.pk, True)
    # Now the conversation's contact has a document: linked as it is.
    assert run("auto_link", reload(conv))["contact"]["id"] == contact.pk


def test_auto_link_refuses_to_guess_between_two_registrations_unless_one_is_active(kit, conv):
    ana = registered(kit.tenant, CPF, "Ana", phone=PHONE)
    registered(kit.tenant, CNPJ, "Loja", phone=PHONE, kind="company")
    assert run("auto_link", conv) == {"linked": False, "candidates": 2}
    assert reload(conv).contact.document == ""
    LinkedAccount.objects.create(tenant=kit.tenant, phone=PHONE, contact=ana, active=True)
    assert run("auto_link", conv)["contact"]["id"] == ana.pk


def test_auto_link_never_links_another_tenants_contact(kit, other_kit, conv):
    registered(other_kit.tenant, CPF, "De outra empresa", phone=PHONE)
    assert run("auto_link", conv)["linked"] is False
    assert reload(conv).contact.tenant_id == kit.tenant.pk


def test_account_add_links_and_activates_only_known_documents_of_the_tenant(kit, other_kit, conv):
    registered(other_kit.tenant, CPF2, "Outra")
    assert run("account_add", conv, {"document": CPF2}) == {"ok": False, "error": "not_found"}
    ana = registered(kit.tenant, CPF, "Ana")
    loja = registered(kit.tenant, CNPJ, "Loja", kind="company")
    assert run("account_add", conv, {"document": CPF})["ok"]
    assert run("account_add", conv, {"document": CNPJ})["contact"]["kind"] == "company"
    rows = LinkedAccount.objects.filter(tenant=kit.tenant, phone=PHONE).order_by("pk")
    assert [(r.contact_id, r.active) for r in rows] == [(ana.pk, False), (loja.pk, True)]
    assert reload(conv).contact_id == loja.pk
    # Adding an existing one again re-activates it.
    run("account_add", conv, {"document": CPF})
    assert LinkedAccount.objects.get(tenant=kit.tenant, phone=PHONE, active=True).contact == ana


def test_account_add_needs_a_phone(kit):
    from formaliza.conversations.services.conversations import (
        conversation_for,
        handle_get_or_create,
    )
    from formaliza.conversations.tests.helpers import whatsapp_channel

    channel = whatsapp_channel(kit.tenant)
    handle = handle_get_or_create(channel=channel, address="cliente@example.com")
    conv, _ = conversation_for(handle=handle, origin="client")
    registered(kit.tenant, CPF, "Ana")
    assert run("account_add", conv, {"document": CPF}) == {"ok": False, "error": "no_phone"}
    assert run("account_list", conv) == {"accounts": []}


def test_account_list_and_switch_stay_on_the_conversations_phone(kit, conv):
    ana = registered(kit.tenant, CPF, "Ana")
    loja = registered(kit.tenant, CNPJ, "Loja", kind="company")
    run("account_add", conv, {"document": CPF})
    run("account_add", conv, {"document": CNPJ})
    accounts = run("account_list", conv)["accounts"]
    assert [a["name"] for a in accounts] == ["Ana", "Loja"]
    result = run("account_switch", conv, {"account": accounts[0]["id"]})
    assert result["ok"] and reload(conv).contact_id == ana.pk
    assert LinkedAccount.objects.get(phone=PHONE, active=True).contact_id == ana.pk
    # Another phone's account (a forged id) is not switchable from here.
    other = conversation(kit.tenant, sender="5511912345678", channel=conv.channel)
    foreign = LinkedAccount.objects.create(
        tenant=kit.tenant, phone="+5511912345678", contact=loja, active=True
    )
    assert run("account_switch", conv, {"account": foreign.pk}) == {
        "ok": False,
        "error": "not_found",
    }
    assert [a["name"] for a in run("account_list", other)["accounts"]] == ["Loja"]


def test_account_switch_of_another_tenant_is_not_found(kit, other_kit, conv):
    outsider = registered(other_kit.tenant, CPF, "Outra")
    row = LinkedAccount.objects.create(tenant=other_kit.tenant, phone=PHONE, contact=outsider)
    assert run("account_switch", conv, {"account": row.pk})["ok"] is False
    assert run("account_list", conv) == {"accounts": []}


def test_notify_creates_notices_for_the_tenants_members_and_emails_the_group(kit, other_kit, conv):
    group = NotifyGroup.objects.create(
        tenant=kit.tenant, name="Supervisão", emails=["sup@example.com", "b@example.com"]
    )
    inactive = kit.users[Role.MANAGER]
    inactive.is_active = False
    inactive.save()
    # An outsider in the members (should never happen through the forms) gets nothing.
    group.members.add(kit.users[Role.ADMIN], inactive, other_kit.users[Role.ADMIN])
    NotifyGroup.objects.create(tenant=other_kit.tenant, name="Supervisão")
    result = run("notify", conv, {"group": "Supervisão", "text": "Cliente pediu ajuda"})
    assert result == {"ok": True, "users": 1, "emails": 2}
    [notice] = GroupNotice.objects.all()
    assert (notice.user, notice.text, notice.conversation_id) == (
        kit.users[Role.ADMIN],
        "Cliente pediu ajuda",
        conv.pk,
    )
    run_queued_tasks()
    [email] = mail.outbox
    assert email.to == ["sup@example.com", "b@example.com"]
    assert email.body == "Cliente pediu ajuda" and "Supervisão" in email.subject


def test_notify_unknown_group_is_reported_not_raised(kit, other_kit, conv):
    NotifyGroup.objects.create(tenant=other_kit.tenant, name="Financeiro", emails=["x@e.com"])
    assert run("notify", conv, {"group": "Financeiro", "text": "x"}) == {
        "ok": False,
        "error": "group_not_found",
    }
    run_queued_tasks()
    assert not mail.outbox and not GroupNotice.objects.exists()


INTENTS = [
    {"name": "boleto", "examples": ["segunda via do boleto"]},
    {"name": "humano", "examples": ["falar com atendente"]},
]


class AlwaysHuman:
    def classify(self, text, intents, threshold):
        from formaliza.flows.intent import Match

        return Match(name="humano", score=1.0)


class Broken:
    def classify(self, text, intents, threshold):
        raise RuntimeError("modelo fora do ar")


def test_intent_uses_the_offline_default_classifier(conv):
    payload = {"text": "2ª via do boleto, por favor", "intents": INTENTS, "threshold": 0.5}
    assert run("intent", conv, payload)["intent"] == "boleto"
    assert run("intent", conv, {**payload, "text": "bom dia"}) == {"intent": ""}


def test_intent_classifier_is_pluggable_and_its_failure_is_a_miss(conv, settings):
    payload = {"text": "boleto", "intents": INTENTS, "threshold": 0.5}
    settings.FLOW_INTENT_CLASSIFIER = "formaliza.flows.tests.test_system_effects.AlwaysHuman"
    assert run("intent", conv, payload) == {"intent": "humano", "score": 1.0}
    settings.FLOW_INTENT_CLASSIFIER = "formaliza.flows.tests.test_system_effects.Broken"
    assert run("intent", conv, payload) == {"intent": "", "error": "classifier_failed"}


def test_metric_counts_each_path_atomically(kit, other_kit, conv):
    for path in ("positive", "positive", "negative"):
        assert run("metric", conv, {"flow": "pesquisa", "card": "m", "path": path}) == {"ok": True}
    other = conversation(other_kit.tenant)
    run("metric", other, {"flow": "pesquisa", "card": "m", "path": "positive"})
    counts = {
        (m.tenant_id, m.path): m.count
        for m in MetricCount.objects.filter(flow_key="pesquisa", card="m")
    }
    assert counts == {
        (kit.tenant.pk, "positive"): 2,
        (kit.tenant.pk, "negative"): 1,
        (other_kit.tenant.pk, "positive"): 1,
    }
    assert run("metric", conv, {"flow": "pesquisa", "card": "m", "path": "x"})["ok"] is False


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_metric_counts_from_racing_workers_are_all_kept():
    """Threads with their own connections count the same path at once, the first ones racing
    to create the row: no count is lost (F() update, create race caught)."""
    import threading

    from django.db import connection, transaction

    from formaliza.accounts.services import tenant_create

    tenant = tenant_create(name="Promotora Métrica", slug="metrica")
    conv = conversation(tenant)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            for _ in range(10):
                with transaction.atomic():
                    run("metric", conv, {"flow": "f", "card": "m", "path": "positive"})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert (
        MetricCount.objects.get(tenant=tenant, flow_key="f", card="m", path="positive").count == 40
    )
