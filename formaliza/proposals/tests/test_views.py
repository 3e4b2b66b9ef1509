import pytest
from django.test import Client

from formaliza.accounts.roles import Role
from formaliza.proposals.models import Proposal
from formaliza.proposals.tests.helpers import decide, to_approval_step, typed


def test_login_page_is_in_portuguese_and_bad_password_is_explained(db, kit):
    client = Client()
    page = client.get("/conta/entrar/")
    assert "Entrar no Formaliza" in page.content.decode()
    response = client.post(
        "/conta/entrar/", {"username": kit.users[Role.ADMIN].email, "password": "errada"}
    )
    assert "E-mail ou senha incorretos." in response.content.decode()


def test_anonymous_is_sent_to_login(db):
    response = Client().get("/esteira/")
    assert response.status_code == 302
    assert response["Location"].startswith("/conta/entrar/")


def test_correspondent_types_a_proposal_through_the_form(kit, make_input):
    client = kit.client_for(Role.CORRESPONDENT)
    form = client.get("/esteira/nova/").content.decode()
    for label in (
        "Convênio",
        "Matrícula",
        "Cód. benefício",
        "Procuração pública",
        "Copiar endereço residencial",
        "Celular de formalização",
        "CET mensal",
        "1º vencimento",
        "Valor RMC",
        "(PPE)",
    ):
        assert label in form
    data = {k: v for k, v in make_input().items() if v not in (False, None)}
    data["copy_residential"] = "on"
    response = client.post("/esteira/nova/", data)
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert response["Location"] == f"/esteira/{proposal.number}/"
    page = client.get(response["Location"]).content.decode()
    assert "Aprovação Manual de Proposta" in page
    assert proposal.cpf_display in page


def test_form_shows_each_field_error_next_to_its_field_and_keeps_input(kit, make_input):
    client = kit.client_for(Role.CORRESPONDENT)
    data = {
        k: v
        for k, v in make_input(cpf="111.111.111-11", res_cep="12").items()
        if v not in (False, None)
    }
    response = client.post("/esteira/nova/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "CPF inválido: confira os 11 dígitos." in html
    assert "o CEP tem 8 dígitos" in html
    assert 'value="111.111.111-11"' in html
    assert Proposal.objects.count() == 0


def test_pipeline_lists_and_filters(kit, make_input):
    a, b = typed(kit, make_input, count=2)
    (c,) = typed(kit, make_input)
    decide(kit, c, "approve")
    client = kit.client_for(Role.CORRESPONDENT)
    html = client.get("/esteira/").content.decode()
    assert all(p.number in html for p in (a, b, c))
    html = client.get("/esteira/", {"activity": "APROVA_INICIO_FLUXO_ASS"}).content.decode()
    assert c.number in html and a.number not in html
    html = client.get("/esteira/", {"cpf": a.cpf}).content.decode()
    assert a.number in html and b.number in html and c.number not in html
    html = client.get("/esteira/", {"name": c.name.split()[0]}).content.decode()
    assert c.number in html
    html = client.get("/esteira/", {"number": b.number}).content.decode()
    assert b.number in html and a.number not in html.replace(f"/{b.number}/", "")
    html = client.get(
        "/esteira/", {"created_from": "01/01/2000", "created_to": "02/01/2000"}
    ).content.decode()
    assert "Nenhuma proposta encontrada" in html
    html = client.get("/esteira/", {"created_from": "99/99/2000"}).content.decode()
    assert "Informe uma data válida" in html


def test_manual_approval_screen_decides_and_shows_history(kit, make_input):
    (p,) = typed(kit, make_input)
    client = kit.client_for(Role.CORRESPONDENT)
    response = client.post(
        f"/esteira/{p.number}/decidir/", {"decision": "approve", "observation": "conferido"}
    )
    assert response.status_code == 302
    html = client.get(f"/esteira/{p.number}/").content.decode()
    assert "APROVA INÍCIO FLUXO ASS" in html
    assert "conferido" in html
    response = client.post(
        f"/esteira/{p.number}/decidir/", {"decision": "reject", "observation": ""}, follow=True
    )
    assert "Informe o motivo na observação." in response.content.decode()


def test_last_approval_reports_the_opened_formalization(kit, make_input):
    proposals = to_approval_step(kit, typed(kit, make_input, count=2))
    client = kit.client_for(Role.CORRESPONDENT)
    client.post(f"/esteira/{proposals[0].number}/decidir/", {"decision": "approve"})
    response = client.post(
        f"/esteira/{proposals[1].number}/decidir/", {"decision": "approve"}, follow=True
    )
    assert "uma única mensagem" in response.content.decode()


def test_operator_sees_but_cannot_type_or_decide(kit, make_input):
    (p,) = typed(kit, make_input)
    client = kit.client_for(Role.OPERATOR)
    assert client.get("/esteira/").status_code == 200
    page = client.get(f"/esteira/{p.number}/").content.decode()
    assert 'name="decision"' not in page
    assert client.get("/esteira/nova/").status_code == 403
    assert client.post(f"/esteira/{p.number}/decidir/", {"decision": "approve"}).status_code == 403
    p.refresh_from_db()
    assert p.activity == "DIGITACAO"


def test_attendant_has_no_pipeline(kit):
    assert kit.client_for(Role.ATTENDANT).get("/esteira/").status_code == 403


def test_another_tenants_proposal_is_404_in_pages(kit, other_kit, make_input):
    (p,) = typed(kit, make_input)
    client = other_kit.client_for(Role.ADMIN)
    assert client.get(f"/esteira/{p.number}/").status_code == 404
    assert client.post(f"/esteira/{p.number}/decidir/", {"decision": "approve"}).status_code == 404
    assert p.number not in client.get("/esteira/").content.decode().replace("Proposta", "")
    p.refresh_from_db()
    assert p.activity == "DIGITACAO"


def test_formalization_cancel_page(kit, make_input):
    (p,) = to_approval_step(kit, typed(kit, make_input))
    request = decide(kit, p, "approve").formalization
    manager = kit.client_for(Role.MANAGER)
    html = manager.get(f"/esteira/formalizacoes/{request.pk}/").content.decode()
    assert "Cancelar formalização" in html
    assert (
        kit.client_for(Role.CORRESPONDENT)
        .post(f"/esteira/formalizacoes/{request.pk}/cancelar/", {"reason": "x"})
        .status_code
        == 403
    )
    manager.post(f"/esteira/formalizacoes/{request.pk}/cancelar/", {"reason": "Cliente pediu"})
    request.refresh_from_db()
    assert request.status == "cancelled"


def test_another_tenants_formalization_is_404(kit, other_kit, make_input):
    (p,) = to_approval_step(kit, typed(kit, make_input))
    request = decide(kit, p, "approve").formalization
    client = other_kit.client_for(Role.ADMIN)
    assert client.get(f"/esteira/formalizacoes/{request.pk}/").status_code == 404
    assert (
        client.post(f"/esteira/formalizacoes/{request.pk}/cancelar/", {"reason": "x"}).status_code
        == 404
    )
    request.refresh_from_db()
    assert request.status == "open"


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        (Role.ADMIN, "/conta/chaves-api/", 200),
        (Role.MANAGER, "/conta/chaves-api/", 403),
        (Role.ADMIN, "/conta/usuarios/", 200),
        (Role.CORRESPONDENT, "/conta/usuarios/", 403),
        (Role.ADMIN, "/webhooks/", 200),
        (Role.MANAGER, "/webhooks/", 403),
        (Role.MANAGER, "/webhooks/entregas/", 200),
        (Role.OPERATOR, "/webhooks/entregas/", 403),
    ],
)
def test_back_office_pages_by_role(kit, role, url, status):
    assert kit.client_for(role).get(url).status_code == status
