"""Flow definitions: import, export, publish, rollback, archive — services and back-office views,
within one tenant."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from formaliza.accounts.roles import Role
from formaliza.conversations.services.conversations import conversation_for, handle_for_inbound
from formaliza.conversations.tests.helpers import whatsapp_channel
from formaliza.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from formaliza.flows import format as flow_format
from formaliza.flows import selectors
from formaliza.flows.models import Flow, FlowRun, FlowVersion
from formaliza.flows.services.definitions import (
    FlowInvalid,
    flow_archive,
    flow_export,
    flow_import,
    flow_publish,
    flow_rollback,
    flow_trigger_set,
)
from formaliza.flows.testing import card, flow


def sample(key: str = "boas-vindas", text: str = "Olá, {{cliente}}!") -> dict:
    return flow(
        card("oi", "message", "desc", text=text),
        card("desc", "description", "fim"),
        card("fim", "end", text="Obrigado, protocolo {{protocolo}}."),
        key=key,
    )


def text_of(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)


def manager(kit):
    return kit.actor(Role.MANAGER)


# --- import ------------------------------------------------------------------------------------


def test_import_creates_the_flow_with_its_canonical_draft(kit):
    result = flow_import(tenant=kit.tenant, actor=manager(kit), text=text_of(sample()))

    assert result.created
    assert result.flow.key == "boas-vindas"
    assert result.flow.name == "Fluxo boas-vindas"
    assert result.flow.live is None
    assert result.flow.draft == flow_format.to_data(flow_format.parse(sample()))
    assert result.warnings == []


def test_an_invalid_file_imports_nothing_and_lists_every_problem_in_pt_br(kit):
    data = sample()
    data["cards"][0]["settings"] = {"text": ""}  # neither text nor audio
    data["cards"][1]["next"] = {"next": "nao-existe"}
    data["cards"][2]["type"] = "teletransporte"

    with pytest.raises(FlowInvalid) as caught:
        flow_import(tenant=kit.tenant, actor=manager(kit), text=text_of(data))

    problems = {(p.card, p.field): p.message for p in caught.value.problems}
    assert problems == {
        ("oi", "settings"): "informe o texto da mensagem ou um áudio MP3 (apenas um)",
        ("fim", "type"): 'tipo de card desconhecido: "teletransporte"',
        ("desc", "next.next"): 'conecta a um card que não existe: "nao-existe"',
    }
    assert caught.value.status == 422
    assert caught.value.as_dict()["error"]["problems"][0]["card"] in {"oi", "fim", "desc"}
    assert not Flow.objects.filter(tenant=kit.tenant).exists()


def test_an_invalid_file_leaves_the_existing_draft_untouched(kit):
    first = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample()).flow
    broken = sample(text="Novo texto")
    broken["start"] = "sumiu"

    with pytest.raises(FlowInvalid):
        flow_import(tenant=kit.tenant, actor=manager(kit), data=broken, on_conflict="update")

    first.refresh_from_db()
    assert first.draft["cards"][0]["settings"]["text"] == "Olá, {{cliente}}!"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": ', "JSON inválido na linha 1, coluna 12: era esperado um valor"),
        ('{"a": 1, "a": 2}', 'campo repetido no JSON: "a"'),
        (b"\xff\xfe{}", "o arquivo precisa estar codificado em UTF-8"),
        ("[]", "o arquivo deve conter um objeto JSON de fluxo"),
    ],
)
def test_undecodable_files_are_refused_with_a_pt_br_reason(kit, text, message):
    with pytest.raises(FlowInvalid) as caught:
        flow_import(tenant=kit.tenant, actor=manager(kit), text=text)
    assert [p.message for p in caught.value.problems] == [message]
    assert not Flow.objects.exists()


def test_a_nul_character_is_refused_before_reaching_the_database(kit):
    with pytest.raises(FlowInvalid) as caught:
        flow_import(tenant=kit.tenant, actor=manager(kit), data=sample(text="Olá\x00"))
    assert "caractere nulo" in caught.value.problems[0].message
    assert not Flow.objects.exists()


def test_a_file_over_the_size_limit_is_refused(kit):
    data = sample()
    data["description"] = "x" * flow_format.MAX_BYTES
    with pytest.raises(FlowInvalid) as caught:
        flow_import(tenant=kit.tenant, actor=manager(kit), text=text_of(data))
    assert caught.value.problems[0].message == "arquivo grande demais (máximo 1 MB)"


def test_importing_an_existing_key_asks_then_updates_the_draft_or_renames(kit):
    original = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample()).flow
    newer = sample(text="Nova saudação")

    with pytest.raises(Conflict) as caught:
        flow_import(tenant=kit.tenant, actor=manager(kit), data=newer)
    assert caught.value.code == "flow_key_exists"

    updated = flow_import(tenant=kit.tenant, actor=manager(kit), data=newer, on_conflict="update")
    assert not updated.created and updated.flow.pk == original.pk
    assert updated.flow.draft["cards"][0]["settings"]["text"] == "Nova saudação"

    renamed = flow_import(tenant=kit.tenant, actor=manager(kit), data=newer, key="saudacao-2")
    assert renamed.created
    assert renamed.flow.key == "saudacao-2"
    assert renamed.flow.draft["key"] == "saudacao-2"
    assert Flow.objects.filter(tenant=kit.tenant).count() == 2


def test_an_invalid_new_key_is_a_problem(kit):
    with pytest.raises(FlowInvalid) as caught:
        flow_import(tenant=kit.tenant, actor=manager(kit), data=sample(), key="Chave Ruim")
    assert caught.value.problems[0].field == "key"


def test_import_warns_about_undeclared_variables_and_unknown_flows_but_imports(kit):
    data = flow(
        card("oi", "message", "ir", text="Olá {{apelido}} {{descricao}}"),
        card("ir", "go_to_flow", flow="inexistente"),
        card("d", "description", "oi"),
        key="avisos",
    )
    result = flow_import(tenant=kit.tenant, actor=manager(kit), data=data)

    codes = sorted(w.code for w in result.warnings)
    assert codes == ["dangling_output", "undeclared_variable", "unknown_flow", "unreachable"]
    assert "apelido" in next(w.message for w in result.warnings if w.code == "undeclared_variable")
    assert Flow.objects.filter(key="avisos").exists()


def test_only_managers_and_admins_import(kit):
    with pytest.raises(PermissionDenied):
        flow_import(tenant=kit.tenant, actor=kit.actor(Role.OPERATOR), data=sample())
    assert not Flow.objects.exists()


def test_another_tenants_export_imports_as_is(kit, other_kit):
    mine = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample()).flow
    flow_publish(flow=mine, actor=manager(kit))
    exported = flow_export(flow=mine)

    theirs = flow_import(
        tenant=other_kit.tenant, actor=other_kit.actor(Role.ADMIN), text=exported.text
    )

    assert theirs.created
    assert theirs.flow.tenant == other_kit.tenant
    assert theirs.flow.draft == mine.draft
    assert flow_export(flow=theirs.flow, draft=True).text == exported.text


# --- export --------------------------------------------------------------------------------------


def test_export_round_trips_exactly(kit):
    created = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample()).flow
    draft = flow_export(flow=created)
    assert draft.filename == "boas-vindas-rascunho.json"

    version = flow_publish(flow=created, actor=manager(kit)).version
    exported = flow_export(flow=created)
    assert exported.filename == f"boas-vindas-v{version.number}.json"
    assert exported.text == draft.text
    assert flow_format.dumps(flow_format.loads(exported.text)) == exported.text
    with pytest.raises(NotFound):
        flow_export(flow=created, version=99)


# --- publish, versions, rollback ------------------------------------------------------------------


def test_publish_makes_an_immutable_version_and_an_identical_draft_is_a_no_op(kit):
    created = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample()).flow

    first = flow_publish(flow=created, actor=manager(kit), note="primeira")
    again = flow_publish(flow=created, actor=manager(kit))

    assert first.created and first.version.number == 1
    assert first.version.checksum == flow_format.checksum(created.draft)
    assert first.version.published_by == kit.users[Role.MANAGER]
    assert not again.created and again.version == first.version
    assert FlowVersion.objects.filter(flow=created).count() == 1
    created.refresh_from_db()
    assert created.live == first.version

    flow_import(
        tenant=kit.tenant, actor=manager(kit), data=sample(text="Oi de novo"), on_conflict="update"
    )
    second = flow_publish(flow=created, actor=manager(kit))
    assert second.created and second.version.number == 2
    first.version.refresh_from_db()
    assert first.version.document["cards"][0]["settings"]["text"] == "Olá, {{cliente}}!"


def test_publish_refuses_a_go_to_flow_to_a_missing_flow_and_an_invalid_draft(kit):
    data = flow(card("ir", "go_to_flow", flow="cobranca"), key="menu")
    menu = flow_import(tenant=kit.tenant, actor=manager(kit), data=data).flow

    with pytest.raises(FlowInvalid) as caught:
        flow_publish(flow=menu, actor=manager(kit))
    assert [(p.card, p.field) for p in caught.value.problems] == [("ir", "settings.flow")]
    assert not FlowVersion.objects.exists()

    flow_import(tenant=kit.tenant, actor=manager(kit), data=sample(key="cobranca"))
    assert flow_publish(flow=menu, actor=manager(kit)).created

    # A draft broken behind the importer's back (a card type removed, say) is not published.
    Flow.objects.filter(pk=menu.pk).update(draft={**menu.draft, "start": "nada"})
    with pytest.raises(FlowInvalid):
        flow_publish(flow=menu, actor=manager(kit))
    assert FlowVersion.objects.filter(flow=menu).count() == 1


def _conversation(kit):
    channel = whatsapp_channel(kit.tenant)
    handle = handle_for_inbound(channel=channel, sender="5511987654321")
    return conversation_for(handle=handle, origin="client")[0]


def test_runs_stay_on_their_version_through_publish_and_rollback(kit):
    created = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample()).flow
    v1 = flow_publish(flow=created, actor=manager(kit)).version
    run = FlowRun.objects.create(
        tenant=kit.tenant, conversation=_conversation(kit), flow=created, version=v1
    )
    flow_import(
        tenant=kit.tenant, actor=manager(kit), data=sample(text="Versão 2"), on_conflict="update"
    )
    v2 = flow_publish(flow=created, actor=manager(kit)).version

    run.refresh_from_db()
    created.refresh_from_db()
    assert (run.version, created.live) == (v1, v2)

    rolled = flow_rollback(flow=created, actor=manager(kit), number=1)

    created.refresh_from_db()
    assert rolled == v1 and created.live == v1
    assert FlowVersion.objects.filter(flow=created).count() == 2  # re-pointed, no v3
    with pytest.raises(Conflict):
        flow_rollback(flow=created, actor=manager(kit), number=1)
    with pytest.raises(NotFound):
        flow_rollback(flow=created, actor=manager(kit), number=7)
    # Publishing the draft (now v1's document, which is live) publishes nothing.
    again = flow_publish(flow=created, actor=manager(kit))
    assert again.created is False and again.version == v1
    # Rolling forward to v2 brings its text back into the draft.
    flow_rollback(flow=created, actor=manager(kit), number=2)
    created.refresh_from_db()
    assert created.draft["cards"][0]["settings"]["text"] == "Versão 2"


def test_rollback_makes_the_version_the_draft_and_drops_unpublished_edits(kit):
    created = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample()).flow
    v1 = flow_publish(flow=created, actor=manager(kit)).version
    flow_import(
        tenant=kit.tenant, actor=manager(kit), data=sample(text="Versão 2"), on_conflict="update"
    )
    flow_publish(flow=created, actor=manager(kit))
    edited = {**sample(text="Rascunho não publicado"), "name": "Outro nome"}
    flow_import(tenant=kit.tenant, actor=manager(kit), data=edited, on_conflict="update")

    flow_rollback(flow=created, actor=manager(kit), number=1)

    stored = Flow.objects.get(pk=created.pk)
    assert stored.draft == v1.document
    assert stored.draft["cards"][0]["settings"]["text"] == "Olá, {{cliente}}!"
    assert stored.name == v1.document["name"]
    assert flow_format.checksum(stored.draft) == v1.checksum
    assert created.draft == v1.document  # the caller's instance too
    # The diagram page (the draft) shows v1 again, with no problems.
    page = kit.client_for(Role.MANAGER).get(reverse("flows:detail", args=[created.key]))
    assert page.status_code == 200 and "Problemas" not in page.content.decode()


def test_archive_hides_the_flow_and_import_restores_it(kit):
    created = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample()).flow
    flow_archive(flow=created, actor=manager(kit))
    assert list(selectors.flow_list(tenant=kit.tenant)) == []
    assert "boas-vindas" not in selectors.flow_keys(tenant=kit.tenant)

    flow_import(tenant=kit.tenant, actor=manager(kit), data=sample(), on_conflict="update")
    assert list(selectors.flow_list(tenant=kit.tenant)) == [created]


# --- back office ---------------------------------------------------------------------------------


def test_list_shows_live_version_and_warnings_count(kit):
    created = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample()).flow
    flow_publish(flow=created, actor=manager(kit))
    warned = flow(card("a", "message", text="oi"), card("b", "end"), key="com-avisos")
    flow_import(tenant=kit.tenant, actor=manager(kit), data=warned)

    page = kit.client_for(Role.OPERATOR).get(reverse("flows:list")).content.decode()

    assert "Fluxo boas-vindas" in page and "v1" in page
    assert "2 avisos" in page  # a: dangling "next"; b: unreachable


def test_nav_shows_fluxos_to_who_may_see_them(kit):
    url = reverse("flows:list")
    assert f'href="{url}"' in kit.client_for(Role.OPERATOR).get(url).content.decode()
    assert kit.client_for(Role.ATTENDANT).get(url).status_code == 403


def test_import_view_uploads_a_file_and_redirects_to_the_diagram(kit):
    client = kit.client_for(Role.MANAGER)
    upload = SimpleUploadedFile("f.json", text_of(sample()).encode(), "application/json")

    response = client.post(reverse("flows:import"), {"file": upload})

    assert response.status_code == 302
    assert response["Location"] == reverse("flows:detail", args=["boas-vindas"])
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and 'id="card-oi"' in page


def test_import_view_lists_each_problem_and_imports_nothing(kit):
    data = sample()
    data["cards"][1]["settings"] = {"timeout_minutes": 0, "extra": 1}

    response = kit.client_for(Role.MANAGER).post(reverse("flows:import"), {"text": text_of(data)})

    page = response.content.decode()
    assert response.status_code == 200
    assert "nada foi importado" in page
    assert (
        "card <code>desc</code>, campo <code>settings.timeout_minutes</code>: deve ser no mínimo 1"
        in page
    )
    assert "card <code>desc</code>, campo <code>settings.extra</code>: campo desconhecido" in page
    assert not Flow.objects.exists()


def test_import_view_asks_on_an_existing_key_and_keeps_the_content(kit):
    flow_import(tenant=kit.tenant, actor=manager(kit), data=sample())
    client = kit.client_for(Role.MANAGER)
    newer = text_of(sample(text="Atualizado"))

    asked = client.post(reverse("flows:import"), {"text": newer})
    assert "Já existe um fluxo com a chave" in asked.content.decode()
    assert 'value="update"' in asked.content.decode()
    assert "Atualizado" in asked.content.decode()

    missing_key = client.post(reverse("flows:import"), {"text": newer, "on_conflict": "new"})
    assert "Informe a nova chave" in missing_key.content.decode()

    done = client.post(reverse("flows:import"), {"text": newer, "on_conflict": "update"})
    assert done.status_code == 302
    assert Flow.objects.get(key="boas-vindas").draft["cards"][0]["settings"]["text"] == "Atualizado"


def test_operators_see_but_do_not_manage(kit):
    created = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample()).flow
    client = kit.client_for(Role.OPERATOR)

    assert client.get(reverse("flows:detail", args=[created.key])).status_code == 200
    assert client.get(reverse("flows:import")).status_code == 403
    assert client.post(reverse("flows:publish", args=[created.key])).status_code == 403
    assert not FlowVersion.objects.exists()


def test_publish_export_and_rollback_views(kit):
    created = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample()).flow
    client = kit.client_for(Role.MANAGER)

    client.post(reverse("flows:publish", args=[created.key]), {"note": "v1"})
    again = client.post(reverse("flows:publish", args=[created.key]), follow=True)
    assert "nada foi publicado" in again.content.decode()
    flow_import(
        tenant=kit.tenant, actor=manager(kit), data=sample(text="Dois"), on_conflict="update"
    )
    client.post(reverse("flows:publish", args=[created.key]))

    download = client.get(reverse("flows:export", args=[created.key]))
    assert download["Content-Disposition"] == 'attachment; filename="boas-vindas-v2.json"'
    assert json.loads(download.content)["cards"][0]["settings"]["text"] == "Dois"
    old = client.get(reverse("flows:export", args=[created.key]) + "?versao=1")
    assert old["Content-Disposition"] == 'attachment; filename="boas-vindas-v1.json"'

    versions = client.get(reverse("flows:versions", args=[created.key])).content.decode()
    assert reverse("flows:rollback", args=[created.key, 1]) in versions
    client.post(reverse("flows:rollback", args=[created.key, 1]))
    created.refresh_from_db()
    assert created.live.number == 1

    shown = client.get(reverse("flows:detail", args=[created.key]) + "?versao=2")
    assert shown.status_code == 200 and "Dois" not in shown.content.decode()  # texts not drawn
    assert client.get(reverse("flows:detail", args=[created.key]) + "?versao=9").status_code == 404


def test_diagram_page_lists_and_highlights_warnings(kit):
    data = flow(
        card("a", "message", {"next": "b"}, text="oi"),
        card("b", "message", {"next": "a"}, text="de novo"),
        card("solto", "end"),
        key="laco",
    )
    flow_import(tenant=kit.tenant, actor=manager(kit), data=data)

    page = (
        kit.client_for(Role.OPERATOR).get(reverse("flows:detail", args=["laco"])).content.decode()
    )

    assert "loop_without_wait" in page and "unreachable" in page
    assert 'id="card-solto" class="box warn unreachable"' in page
    assert 'class="box start warn"' in page


@pytest.mark.parametrize(
    ("name", "method", "args"),
    [
        ("flows:detail", "get", []),
        ("flows:export", "get", []),
        ("flows:versions", "get", []),
        ("flows:publish", "post", []),
        ("flows:rollback", "post", [1]),
        ("flows:archive", "post", []),
        ("flows:trigger", "post", []),
    ],
)
def test_another_tenants_flow_is_not_found(kit, other_kit, name, method, args):
    theirs = flow_import(
        tenant=other_kit.tenant, actor=other_kit.actor(Role.ADMIN), data=sample()
    ).flow
    flow_publish(flow=theirs, actor=other_kit.actor(Role.ADMIN))
    client = kit.client_for(Role.ADMIN)

    response = getattr(client, method)(reverse(name, args=[theirs.key, *args]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.archived_at is None
    assert FlowVersion.objects.filter(flow=theirs).count() == 1


# --- trigger ------------------------------------------------------------------------------------


def test_trigger_set_allows_one_flow_per_automatic_trigger(kit):
    first = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample()).flow
    second = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample(key="outro")).flow

    flow_trigger_set(flow=first, actor=manager(kit), trigger="inbound")
    assert Flow.objects.get(pk=first.pk).trigger == "inbound"

    with pytest.raises(Conflict) as taken:
        flow_trigger_set(flow=second, actor=manager(kit), trigger="inbound")
    assert taken.value.code == "flow_trigger_taken"
    assert f"“{first.name}” já é o fluxo de “Novo atendimento" in taken.value.message
    assert Flow.objects.get(pk=second.pk).trigger == "manual"

    # Freeing the trigger lets the other flow take it.
    flow_trigger_set(flow=first, actor=manager(kit), trigger="manual")
    flow_trigger_set(flow=second, actor=manager(kit), trigger="inbound")
    assert Flow.objects.get(pk=second.pk).trigger == "inbound"

    with pytest.raises(ValidationFailed):
        flow_trigger_set(flow=first, actor=manager(kit), trigger="sempre")
    with pytest.raises(PermissionDenied):
        flow_trigger_set(flow=first, actor=kit.actor(Role.OPERATOR), trigger="formalization")
    flow_archive(flow=first, actor=manager(kit))
    with pytest.raises(Conflict) as archived:
        flow_trigger_set(flow=first, actor=manager(kit), trigger="formalization")
    assert archived.value.code == "flow_archived"
    assert Flow.objects.get(pk=first.pk).trigger == "manual"


def test_trigger_view_saves_and_shows_refusals_next_to_the_field(kit):
    holder = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample(key="ja-tem")).flow
    flow_trigger_set(flow=holder, actor=manager(kit), trigger="inbound")
    created = flow_import(tenant=kit.tenant, actor=manager(kit), data=sample()).flow
    client = kit.client_for(Role.MANAGER)
    url = reverse("flows:trigger", args=[created.key])

    page = client.get(reverse("flows:detail", args=[created.key])).content.decode()
    assert url in page and 'name="trigger"' in page

    refused = client.post(url, {"trigger": "inbound"})
    assert refused.status_code == 422
    body = refused.content.decode()
    assert 'class="error" role="alert"' in body and "já é o fluxo de" in body
    assert Flow.objects.get(pk=created.pk).trigger == "manual"

    forged = client.post(url, {"trigger": "tudo"})
    assert (
        forged.status_code == 422 and "Escolha uma das opções de início." in forged.content.decode()
    )

    saved = client.post(url, {"trigger": "formalization"}, follow=True)
    text = saved.content.decode()
    assert "Início do fluxo: Formalização aberta na esteira." in text
    assert "ainda não foi publicado" in text
    assert Flow.objects.get(pk=created.pk).trigger == "formalization"

    operator = kit.client_for(Role.OPERATOR)
    assert operator.post(url, {"trigger": "manual"}).status_code == 403
    assert Flow.objects.get(pk=created.pk).trigger == "formalization"
