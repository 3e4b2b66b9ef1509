"""Back office: journeys list and detail, link actions, photos (access logged), operator tasks,
terms and templates — with roles and tenant isolation."""

import pytest

from formaliza.accounts.roles import Role
from formaliza.core.testing import run_queued_tasks
from formaliza.journeys import services
from formaliza.journeys.models import CaptureAccess, JourneyLink, JourneyTerms, Step
from formaliza.journeys.tests.helpers import CLIENT_CTX, document_frame, jpeg, walk


@pytest.fixture
def captured(journey):
    return walk(journey, until=Step.CONFIRM)


def test_operator_sees_the_list_and_the_detail_with_steps_and_timeline(kit, captured):
    client = kit.client_for(Role.OPERATOR)
    listing = client.get("/jornadas/").content.decode()
    assert captured.request.number in listing
    assert "Jornadas" in listing and "Pendências" in listing  # navigation
    html = client.get(f"/jornadas/{captured.pk}/").content.decode()
    for label in (
        "Link enviado", "Aberto pelo cliente", "Termos aceitos", "Condições confirmadas",
        "Contratos lidos", "Documento (frente)", "Documento (verso)", "Selfie", "Assinado",
        "Expirado", "Linha do tempo", "Cadeia de evidências íntegra", "Foto aceita",
        "Contrato lido até o fim", "Reenviar link", "Renovar link",
    ):  # fmt: skip
        assert label in html, label
    assert "Ver imagem" not in html  # operators do not see biometric photos


def test_the_list_filters_by_status_and_search(kit, captured, make_input):
    from formaliza.journeys.tests.helpers import open_formalization

    other = services.journey_start(request_id=open_formalization(kit, make_input).pk).journey
    client = kit.client_for(Role.OPERATOR)
    by_cpf = client.get("/jornadas/", {"q": captured.cpf}).content.decode()
    assert captured.request.number in by_cpf and other.request.number not in by_cpf
    stopped = client.get("/jornadas/", {"status": "stopped"}).content.decode()
    assert "Nenhuma jornada." in stopped


def test_roles_without_journey_access_are_refused(kit, captured):
    for role in (Role.CORRESPONDENT, Role.ATTENDANT):
        assert kit.client_for(role).get(f"/jornadas/{captured.pk}/").status_code == 403
        assert kit.client_for(role).get("/jornadas/").status_code == 403


def test_another_tenants_journey_and_photos_are_not_found(other_kit, captured):
    client = other_kit.client_for(Role.ADMIN)
    capture = captured.captures.filter(accepted=True).first()
    assert client.get(f"/jornadas/{captured.pk}/").status_code == 404
    assert client.get(f"/jornadas/{captured.pk}/fotos/{capture.pk}/").status_code == 404
    assert client.post(f"/jornadas/{captured.pk}/renovar/").status_code == 404
    assert client.get("/jornadas/").content.decode().count(captured.request.number) == 0
    assert not CaptureAccess.objects.exists()
    assert JourneyLink.objects.filter(journey=captured).count() == 1


def test_viewing_a_photo_is_logged_with_who_and_when(kit, captured):
    capture = captured.captures.get(kind="selfie", accepted=True)
    manager = kit.client_for(Role.MANAGER)
    assert "Ver imagem" in manager.get(f"/jornadas/{captured.pk}/").content.decode()

    response = manager.get(f"/jornadas/{captured.pk}/fotos/{capture.pk}/", REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    access = CaptureAccess.objects.get()
    assert (access.user, access.capture, access.ip) == (
        kit.users[Role.MANAGER],
        capture,
        "10.1.2.3",
    )
    assert access.tenant == kit.tenant
    detail = manager.get(f"/jornadas/{captured.pk}/").content.decode()
    assert "Acessos às fotos" in detail and kit.users[Role.MANAGER].display_name in detail


def test_a_role_without_the_photo_permission_gets_nothing_and_leaves_no_log(kit, captured):
    capture = captured.captures.filter(accepted=True).first()
    response = kit.client_for(Role.OPERATOR).get(f"/jornadas/{captured.pk}/fotos/{capture.pk}/")
    assert response.status_code == 403
    assert not CaptureAccess.objects.exists()


def test_a_refused_photo_has_nothing_to_show(kit, journey):
    walk(journey, until=Step.ID_FRONT)
    outcome = services.journey_capture_submit(
        journey_id=journey.pk, kind="id_front", data=jpeg(document_frame(size=(100, 80))),
        source="camera", client_retakes=0, context=CLIENT_CTX,
    )  # fmt: skip
    response = kit.client_for(Role.ADMIN).get(f"/jornadas/{journey.pk}/fotos/{outcome.capture.pk}/")
    assert response.status_code == 404
    assert not CaptureAccess.objects.exists()


def test_resend_and_renew_from_the_detail_page(kit, journey, outbox):
    run_queued_tasks()
    client = kit.client_for(Role.OPERATOR)
    resend = client.post(f"/jornadas/{journey.pk}/reenviar/", follow=True)
    assert "reenvio" in resend.content.decode()
    run_queued_tasks()
    renew = client.post(f"/jornadas/{journey.pk}/renovar/", follow=True)
    assert "Link renovado" in renew.content.decode()
    run_queued_tasks()
    assert [m.reason for m in outbox.links()] == ["initial", "resend", "renew"]
    assert JourneyLink.objects.filter(journey=journey, revoked_at__isnull=True).count() == 1


def test_correspondents_cannot_renew_links(kit, journey):
    response = kit.client_for(Role.CORRESPONDENT).post(f"/jornadas/{journey.pk}/renovar/")
    assert response.status_code == 403
    assert JourneyLink.objects.filter(journey=journey).count() == 1


def test_operator_resolves_a_task_from_the_tasks_page(kit, journey):
    walk(journey, until=Step.CONDITIONS)
    issue = services.journey_issue_report(
        journey_id=journey.pk, message="CPF errado", context=CLIENT_CTX
    )
    client = kit.client_for(Role.OPERATOR)
    page = client.get("/jornadas/pendencias/").content.decode()
    assert "CPF errado" in page and journey.client_name in page

    empty = client.post(
        f"/jornadas/pendencias/{issue.pk}/resolver/", {"resolution": ""}, follow=True
    )
    assert "Descreva o que foi feito" in empty.content.decode()
    done = client.post(
        f"/jornadas/pendencias/{issue.pk}/resolver/",
        {"resolution": "Cancelada na esteira para corrigir o CPF"},
        follow=True,
    )
    assert f"Pendência {issue.pk} resolvida." in done.content.decode()
    issue.refresh_from_db()
    journey.refresh_from_db()
    assert issue.status == "resolved"
    assert journey.status == "stopped"  # not resumed: the formalization will be redone


def test_other_tenants_tasks_are_not_found(other_kit, journey):
    walk(journey, until=Step.CONDITIONS)
    issue = services.journey_issue_report(journey_id=journey.pk, message="x", context=CLIENT_CTX)
    response = other_kit.client_for(Role.ADMIN).post(
        f"/jornadas/pendencias/{issue.pk}/resolver/", {"resolution": "y", "resume": "on"}
    )
    assert response.status_code == 404
    issue.refresh_from_db()
    assert issue.status == "open"


def test_manager_publishes_terms_and_edits_a_template(kit):
    client = kit.client_for(Role.MANAGER)
    assert (
        "Termos de uso da formalização digital"
        in client.get("/jornadas/conteudo/").content.decode()
    )
    body = (
        "Você aceita a assinatura eletrônica destes contratos nesta página, nos termos da "
        "MP 2.200-2/2001, e autoriza o registro de IP, horário, fotos e selfie para prevenir fraudes. "
        "Seus dados seguem a LGPD e só são usados para esta contratação."
    )
    response = client.post("/jornadas/conteudo/termos/", {"title": "Termos v2", "body": body})
    assert response["Location"] == "/jornadas/conteudo/"
    assert (
        JourneyTerms.objects.filter(tenant=kit.tenant).order_by("-version").first().title
        == "Termos v2"
    )
    bad = client.post(
        "/jornadas/conteudo/modelos/", {"product": "", "title": "X", "body": "{% for %}"}
    )
    assert "Erro de sintaxe" in bad.content.decode()
    ok = client.post(
        "/jornadas/conteudo/modelos/",
        {"product": "", "title": "Contrato", "body": "<p>{{ cliente.nome }}</p>"},
    )
    assert ok["Location"] == "/jornadas/conteudo/"
    assert kit.client_for(Role.OPERATOR).get("/jornadas/conteudo/").status_code == 403
