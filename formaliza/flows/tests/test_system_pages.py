"""Back office pages of the system cards: what they save, who may use them, and that another
tenant's records are never found."""

from __future__ import annotations

import pytest
from django.urls import reverse

from formaliza.accounts.roles import Role
from formaliza.conversations.services import TemplateInput, template_save
from formaliza.flows.models import (
    BulkSend,
    BusinessPeriod,
    GroupNotice,
    MetricCount,
    NotifyGroup,
)
from formaliza.flows.services.system import bulk_send_create
from formaliza.flows.testing import card, flow
from formaliza.flows.tests.runtime_helpers import channel_of, publish
from formaliza.flows.tests.system_helpers import conversation

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"flows_system:{name}", args=args)


@pytest.fixture
def admin(kit):
    return kit.client_for(Role.ADMIN)


def test_config_pages_need_the_channel_permission(kit):
    manager = kit.client_for(Role.MANAGER)
    for name in ("groups", "allowlist", "hours"):
        assert manager.get(url(name)).status_code == 403
    assert manager.get(url("metrics")).status_code == 200
    assert "Envios em massa" in manager.get(url("index")).content.decode()
    assert kit.client_for(Role.OPERATOR).get(url("bulks")).status_code == 403


def test_groups_create_edit_and_members_of_the_tenant_only(kit, other_kit, admin):
    member = kit.users[Role.OPERATOR]
    response = admin.post(url("groups"), {
        "name": "Supervisão", "members": [member.pk], "emails": "Sup@Example.com\nb@example.com",
    })  # fmt: skip
    assert response.status_code == 302
    group = NotifyGroup.objects.get(tenant=kit.tenant)
    assert list(group.members.all()) == [member]
    assert group.emails == ["sup@example.com", "b@example.com"]
    outsider = other_kit.users[Role.ADMIN]
    response = admin.post(url("group_edit", group.pk), {"name": "Sup", "members": [outsider.pk]})
    assert response.status_code == 200 and "members" in response.context["form"].errors
    response = admin.post(url("groups"), {"name": "Outro", "emails": "não é e-mail"})
    assert "E-mail inválido" in response.content.decode()
    response = admin.post(url("groups"), {"name": "Supervisão"})
    assert "Já existe um grupo" in response.content.decode()


def test_another_tenants_group_is_not_found(kit, other_kit, admin):
    theirs = NotifyGroup.objects.create(tenant=other_kit.tenant, name="Deles")
    assert admin.get(url("group_edit", theirs.pk)).status_code == 404
    assert admin.post(url("group_delete", theirs.pk)).status_code == 404
    assert NotifyGroup.objects.filter(pk=theirs.pk).exists()
    assert "Deles" not in admin.get(url("groups")).content.decode()


def test_allowlist_is_validated_and_saved_on_the_tenant(kit, admin):
    response = admin.post(url("allowlist"), {"entries": "ERP.interno.example\n10.20.0.0/16"})
    assert response.status_code == 302
    kit.tenant.refresh_from_db()
    assert kit.tenant.outbound_allowlist == ["erp.interno.example", "10.20.0.0/16"]
    response = admin.post(url("allowlist"), {"entries": "http://x/ y"})
    assert "Não é um host" in response.content.decode()


def test_business_hours_add_and_delete_scoped(kit, other_kit, admin):
    response = admin.post(url("hours"), {"weekday": 0, "start": "08:00", "end": "12:00"})
    assert response.status_code == 302
    assert BusinessPeriod.objects.filter(tenant=kit.tenant).count() == 1
    response = admin.post(url("hours"), {"weekday": 0, "start": "12:00", "end": "08:00"})
    assert "O fim precisa ser depois do início" in response.content.decode()
    theirs = BusinessPeriod.objects.create(
        tenant=other_kit.tenant, weekday=1, start="08:00", end="09:00"
    )
    assert admin.post(url("hour_delete", theirs.pk)).status_code == 404
    assert BusinessPeriod.objects.filter(pk=theirs.pk).exists()


def test_metrics_report_shows_only_the_tenants_counts(kit, other_kit):
    MetricCount.objects.create(
        tenant=kit.tenant, flow_key="pesquisa", card="m", path="positive", count=3
    )
    MetricCount.objects.create(
        tenant=kit.tenant, flow_key="pesquisa", card="m", path="negative", count=1
    )
    MetricCount.objects.create(
        tenant=other_kit.tenant, flow_key="segredo", card="x", path="positive", count=9
    )
    response = kit.client_for(Role.MANAGER).get(url("metrics"))
    assert response.context["rows"] == [
        {"flow": "pesquisa", "card": "m", "positive": 3, "negative": 1, "total": 4, "share": 75}
    ]
    assert "segredo" not in response.content.decode()


CAMPAIGN = flow(card("t", "bulk_template", template="aviso"), key="campanha")


@pytest.fixture
def campaign(kit):
    channel = channel_of(kit.tenant)
    template_save(
        tenant=kit.tenant, channel_id=channel.pk,
        data=TemplateInput(name="aviso", language="pt_BR", category="utility",
                           components=[{"type": "BODY", "text": "Aviso importante"}]),
    )  # fmt: skip
    return publish(kit.tenant, CAMPAIGN), channel


def test_bulk_page_creates_and_shows_progress(kit, campaign):
    flow_, channel = campaign
    manager = kit.client_for(Role.MANAGER)
    response = manager.post(url("bulks"), {
        "flow": flow_.pk, "channel": channel.pk, "phones": "(11) 98765-4321\n11912345678",
    })  # fmt: skip
    bulk = BulkSend.objects.get(tenant=kit.tenant)
    assert response.status_code == 302 and response["Location"] == url("bulk", bulk.pk)
    data = manager.get(url("bulk_progress", bulk.pk)).json()
    assert (data["total"], data["status"]) == (2, "queued")
    assert [r["phone"] for r in data["recipients"]] == ["+5511987654321", "+5511912345678"]
    assert "+5511912345678" in manager.get(url("bulk", bulk.pk)).content.decode()
    response = manager.post(url("bulks"), {"flow": flow_.pk, "channel": channel.pk, "phones": "12"})
    assert "Telefones inválidos: 12" in response.content.decode()
    assert BulkSend.objects.count() == 1


def test_another_tenants_bulk_is_not_found(kit, other_kit, campaign):
    flow_, channel = campaign
    bulk = bulk_send_create(
        actor=kit.actor(Role.MANAGER),
        flow_id=flow_.pk,
        channel_id=channel.pk,
        phones=["+5511987654321"],
    )
    outsider = other_kit.client_for(Role.MANAGER)
    assert outsider.get(url("bulk", bulk.pk)).status_code == 404
    assert outsider.get(url("bulk_progress", bulk.pk)).status_code == 404
    # Nor can they pick this tenant's flow or channel in the form.
    response = outsider.post(
        url("bulks"), {"flow": flow_.pk, "channel": channel.pk, "phones": "11987654321"}
    )
    assert set(response.context["form"].errors) == {"flow", "channel"}


def test_notices_page_lists_only_the_users_notices(kit, other_kit):
    user = kit.users[Role.OPERATOR]
    group = NotifyGroup.objects.create(tenant=kit.tenant, name="G")
    conv = conversation(kit.tenant)
    GroupNotice.objects.create(
        tenant=kit.tenant, group=group, user=user, conversation=conv, text="Para você"
    )
    GroupNotice.objects.create(
        tenant=kit.tenant, group=group, user=kit.users[Role.ADMIN], text="Para outra pessoa"
    )
    client = kit.client_for(Role.OPERATOR)
    page = client.get(url("notices")).content.decode()
    assert "Para você" in page and "Para outra pessoa" not in page
    assert client.post(url("notices")).status_code == 302
    assert GroupNotice.objects.get(user=user).read_at is not None
    assert GroupNotice.objects.get(user=kit.users[Role.ADMIN]).read_at is None
