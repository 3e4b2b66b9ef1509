"""The tenant's ERP account: saved through the service and the API (secrets encrypted, never
returned, a blank secret keeps the stored one, specific pt-BR errors with stable codes), the
"testar conexão" check against the fake IXC and SGP (ok, wrong token, down), and another
tenant never sees or changes it."""

from __future__ import annotations

import json

import pytest

from formaliza.accounts.roles import Role
from formaliza.core.errors import ValidationFailed
from formaliza.erp import services
from formaliza.erp.fake.ixc import FakeIxc
from formaliza.erp.fake.sgp import FakeSgp
from formaliza.erp.models import ErpAccount

pytestmark = pytest.mark.django_db
URL = "/api/v1/erp/account"


@pytest.fixture
def ixc(kit, settings):
    fake = FakeIxc().start()
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    kit.tenant.outbound_allowlist = ["127.0.0.1"]
    kit.tenant.save()
    yield fake
    fake.stop()


def _put(client, kit, body):
    return client.put(URL, data=json.dumps(body), content_type="application/json",
                      **kit.api_headers())  # fmt: skip


def _ixc_body(fake, **extra):
    return {"kind": "ixc", "base_url": fake.url, "username": fake.user, "password": fake.token,
            **extra}  # fmt: skip


def test_saved_through_the_api_secrets_never_come_back(client, kit, ixc):
    response = _put(client, kit, _ixc_body(ixc))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind_display"] == "IXC Provedor" and body["has_password"] is True
    assert "ticket" in body["actions"] and "wifi" not in body["actions"]
    assert ixc.token not in response.content.decode()
    read = client.get(URL, **kit.api_headers())
    assert read.json()["username"] == ixc.user and ixc.token not in read.content.decode()


def test_a_blank_secret_keeps_the_stored_one(client, kit, ixc):
    _put(client, kit, _ixc_body(ixc))
    response = _put(client, kit, _ixc_body(ixc, password="", timeout_seconds=3))
    assert response.status_code == 200
    account = ErpAccount.objects.get(tenant=kit.tenant)
    assert (account.password, account.timeout_seconds) == (ixc.token, 3)


def test_missing_credentials_and_an_internal_address_are_told_field_by_field(client, kit):
    response = _put(client, kit, {"kind": "sgp", "base_url": "http://10.0.0.5/"})
    assert response.status_code == 422
    fields = {f["field"]: (f["code"], f["message"]) for f in response.json()["error"]["fields"]}
    assert fields["client_id"] == ("erp_credential_missing", "Informe “App (nome do token)”.")
    assert fields["client_secret"] == ("erp_credential_missing", "Informe “Token”.")
    assert fields["base_url"][0] == "erp_url_unsafe"
    assert not ErpAccount.objects.filter(tenant=kit.tenant).exists()


def test_connection_test_ok_wrong_token_and_down(client, kit, ixc):
    _put(client, kit, _ixc_body(ixc))
    ok = client.post(f"{URL}/test", **kit.api_headers()).json()
    assert ok == {"ok": True, "code": "ok", "message": "Conexão com o IXC Provedor funcionando."}
    assert ixc.requests[-1].headers["ixcsoft"] == "listar"  # a listing: changes nothing
    ixc.token = "trocado-no-ixc"
    assert client.post(f"{URL}/test", **kit.api_headers()).json()["code"] == "auth"
    ixc.fault = "500"
    assert client.post(f"{URL}/test", **kit.api_headers()).json()["code"] == "unavailable"


def test_connection_test_of_sgp(kit, settings):
    fake = FakeSgp().start()
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    kit.tenant.outbound_allowlist = ["127.0.0.1"]
    kit.tenant.save()
    actor = kit.actor(Role.ADMIN)
    try:
        services.erp_account_save(
            tenant=kit.tenant,
            actor=actor,
            data=services.AccountInput(
                kind="sgp", base_url=fake.url, client_id=fake.app, client_secret=fake.token
            ),
        )
        assert services.erp_connection_test(tenant=kit.tenant, actor=actor).ok
        fake.token = "outro"
        check = services.erp_connection_test(tenant=kit.tenant, actor=actor)
    finally:
        fake.stop()
    assert (check.ok, check.code) == (False, "auth")


def test_fields_of_another_system_are_cleared(kit, ixc):
    actor = kit.actor(Role.ADMIN)
    services.erp_account_save(
        tenant=kit.tenant,
        actor=actor,
        data=services.AccountInput(
            kind="sgp", base_url=ixc.url, client_id="app", client_secret="tok"
        ),
    )
    services.erp_account_save(
        tenant=kit.tenant,
        actor=actor,
        data=services.AccountInput(kind="ixc", base_url=ixc.url, username="12", password="t"),
    )
    account = ErpAccount.objects.get(tenant=kit.tenant)
    assert (account.client_id, account.client_secret) == ("", "")


def test_an_operator_cannot_configure_it(kit, ixc):
    with pytest.raises(Exception) as caught:
        services.erp_account_save(
            tenant=kit.tenant,
            actor=kit.actor(Role.OPERATOR),
            data=services.AccountInput(kind="ixc", base_url=ixc.url),
        )
    assert getattr(caught.value, "code", "") == "permission_denied"
    assert not ErpAccount.objects.filter(tenant=kit.tenant).exists()


def test_bad_kind_is_refused(kit, ixc):
    with pytest.raises(ValidationFailed) as caught:
        services.erp_account_save(
            tenant=kit.tenant,
            actor=kit.actor(Role.ADMIN),
            data=services.AccountInput(kind="beesweb", base_url=ixc.url),
        )
    assert caught.value.fields[0].code == "erp_kind_invalid"


def test_another_tenant_neither_sees_nor_changes_it(client, kit, other_kit, ixc):
    _put(client, kit, _ixc_body(ixc))
    assert client.get(URL, **other_kit.api_headers()).status_code == 404
    assert client.get(URL, **other_kit.api_headers()).json()["error"]["code"] == (
        "erp_not_configured"
    )
    check = client.post(f"{URL}/test", **other_kit.api_headers()).json()
    assert check["code"] == "not_configured" and not ixc.requests
    other_kit.tenant.outbound_allowlist = ["127.0.0.1"]
    other_kit.tenant.save()
    assert _put(client, other_kit, _ixc_body(ixc, username="99")).status_code == 200
    assert ErpAccount.objects.get(tenant=kit.tenant).username == ixc.user  # untouched
    assert ErpAccount.objects.count() == 2
