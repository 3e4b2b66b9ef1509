from formaliza.accounts.models import ApiKey
from formaliza.accounts.roles import Role
from formaliza.accounts.selectors import api_key_authenticate
from formaliza.accounts.services import api_key_create, api_key_revoke


def test_key_is_stored_hashed_and_authenticates(kit):
    issued = api_key_create(tenant=kit.tenant, name="ERP")
    stored = ApiKey.objects.get(pk=issued.api_key.pk)
    assert issued.plaintext not in (stored.key_hash, stored.prefix)
    assert len(stored.key_hash) == 64
    assert api_key_authenticate(issued.plaintext) == stored
    assert api_key_authenticate(issued.plaintext + "x") is None
    assert api_key_authenticate("fz_" + stored.prefix + "_wrong") is None


def test_revoked_key_does_not_authenticate(kit):
    issued = api_key_create(tenant=kit.tenant, name="ERP")
    api_key_revoke(tenant=kit.tenant, key_id=issued.api_key.pk)
    assert api_key_authenticate(issued.plaintext) is None


def test_admin_creates_key_and_sees_it_once(kit):
    client = kit.client_for(Role.ADMIN)
    html = client.post("/conta/chaves-api/", {"name": "Meu ERP"}).content.decode()
    key = ApiKey.objects.get(name="Meu ERP")
    assert f"fz_{key.prefix}_" in html
    html = client.get("/conta/chaves-api/").content.decode()
    assert f"fz_{key.prefix}_…" in html
    assert html.count(f"fz_{key.prefix}_") == 1  # only the prefix is shown afterwards


def test_admin_cannot_revoke_another_tenants_key(kit, other_kit):
    client = other_kit.client_for(Role.ADMIN)
    assert client.post(f"/conta/chaves-api/{kit.api_key.pk}/revogar/").status_code == 404
    kit.api_key.refresh_from_db()
    assert kit.api_key.revoked_at is None


def test_admin_creates_user_with_role(kit):
    client = kit.client_for(Role.ADMIN)
    response = client.post("/conta/usuarios/", {
        "first_name": "Nova", "last_name": "Pessoa", "email": "nova@example.com",
        "role": Role.OPERATOR, "branch": "", "password": "uma-senha-bem-longa-123",
    })  # fmt: skip
    assert response.status_code == 302
    user = kit.tenant.users.get(email="nova@example.com")
    assert (user.role, user.tenant) == (Role.OPERATOR, kit.tenant)
