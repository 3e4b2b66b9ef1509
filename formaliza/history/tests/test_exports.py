"""Exports of a result list: small ones at once (CSV, XLSX), large ones as a background job with
progress, downloadable only by the same tenant until they expire."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from formaliza.accounts.roles import Role
from formaliza.core.testing import run_queued_tasks
from formaliza.history.models import HistoryExport
from formaliza.history.services import history_exports_prune
from formaliza.history.tests.conftest import at

QUERY = {"start": "2026-03-01", "end": "2026-03-31"}
HEADER = ["Protocolo", "Iniciado em", "Encerrado em", "Status de finalização", "Setor",
          "Finalizado por", "Campanha", "Contato", "Telefone/E-mail", "Canal de entrada",
          "Situação"]  # fmt: skip


@pytest.fixture
def rows(kit, corpus, their_corpus):
    made = [
        corpus.conversation(
            opened_at=at("2026-03-1" + str(i), "09:30"),
            name=f"Cliente {i}",
            phone=f"+55119876500{i:02d}",
            finalization="assinado" if i % 2 else "",
            department="Suporte" if i == 1 else "",
            campaign="INSS",
            finished_by=kit.users[Role.OPERATOR] if i == 1 else None,
        )
        for i in range(3)
    ]
    their_corpus.conversation(opened_at=at("2026-03-12"), name="Cliente Deles")
    return made


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_small_result_downloads_at_once_as_csv(kit, rows):
    response = kit.client_for(Role.CORRESPONDENT).get("/historico/exportar/",
                                                      {**QUERY, "format": "csv"})  # fmt: skip
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        "attachment;" in response["Content-Disposition"]
        and ".csv" in response["Content-Disposition"]
    )
    table = read_csv(response.content)
    assert table[0] == HEADER
    assert [r[0] for r in table[1:]] == [c.protocol for c in reversed(rows)]
    second = next(r for r in table if r[0] == rows[1].protocol)
    assert second[1] == "11/03/2026 09:30:00"
    assert second[3:9] == ["Assinado", "Suporte", kit.users[Role.OPERATOR].display_name, "INSS",
                           "Cliente 1", "(11) 98765-0001"]  # fmt: skip
    assert "Cliente Deles" not in response.content.decode("utf-8-sig")


def test_small_result_downloads_at_once_as_xlsx(kit, rows):
    response = kit.client_for(Role.OPERATOR).get("/historico/exportar/",
                                                 {**QUERY, "format": "xlsx", "name": "Cliente 2"})  # fmt: skip
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADER
    assert len(values) == 2 and values[1][0] == rows[2].protocol and values[1][7] == "Cliente 2"


def test_export_refuses_an_invalid_search(kit, rows):
    client = kit.client_for(Role.OPERATOR)
    response = client.get("/historico/exportar/", {"start": "2026-01-01", "end": "2026-03-31",
                                                   "format": "csv"})  # fmt: skip
    assert response.status_code == 422
    assert "no máximo 30 dias" in response.content.decode()
    assert client.get("/historico/exportar/", {**QUERY, "format": "pdf"}).status_code == 422


def test_large_result_runs_in_the_background_with_progress(kit, rows, settings):
    settings.HISTORY_EXPORT_SYNC_MAX_ROWS = 2
    client = kit.client_for(Role.CORRESPONDENT)
    response = client.get("/historico/exportar/", {**QUERY, "format": "csv"})
    export = HistoryExport.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/historico/exportacoes/{export.pk}/"
    )
    assert export.tenant == kit.tenant and export.status == HistoryExport.Status.PENDING
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and f"/historico/exportacoes/{export.pk}/status/" in page
    status = client.get(f"/historico/exportacoes/{export.pk}/status/").json()
    assert status["status"] == "pending" and status["download_url"] == ""

    assert run_queued_tasks() >= 1

    status = client.get(f"/historico/exportacoes/{export.pk}/status/").json()
    assert status == {"status": "done", "processed": 3, "total": 3, "percent": 100, "error": "",
                      "download_url": f"/historico/exportacoes/{export.pk}/baixar/"}  # fmt: skip
    download = client.get(status["download_url"])
    table = read_csv(b"".join(download.streaming_content))
    assert table[0] == HEADER and sorted(r[0] for r in table[1:]) == sorted(
        c.protocol for c in rows
    )


def test_background_xlsx_export(kit, rows, settings):
    settings.HISTORY_EXPORT_SYNC_MAX_ROWS = 1
    client = kit.client_for(Role.OPERATOR)
    client.get("/historico/exportar/", {**QUERY, "format": "xlsx"})
    run_queued_tasks()
    export = HistoryExport.objects.get()
    assert export.status == HistoryExport.Status.DONE and export.file.name.endswith(".xlsx")
    data = b"".join(client.get(f"/historico/exportacoes/{export.pk}/baixar/").streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.max_row == 4 and sheet.cell(1, 1).value == "Protocolo"


def test_another_tenant_cannot_see_or_download_an_export(kit, other_kit, rows, settings):
    settings.HISTORY_EXPORT_SYNC_MAX_ROWS = 1
    kit.client_for(Role.OPERATOR).get("/historico/exportar/", {**QUERY, "format": "csv"})
    run_queued_tasks()
    export = HistoryExport.objects.get()
    outsider = other_kit.client_for(Role.ADMIN)
    for suffix in ("", "status/", "baixar/"):
        response = outsider.get(f"/historico/exportacoes/{export.pk}/{suffix}")
        assert response.status_code == 404
        assert rows[0].protocol.encode() not in response.content


def test_expired_export_is_refused_then_pruned(kit, rows, settings):
    settings.HISTORY_EXPORT_SYNC_MAX_ROWS = 1
    client = kit.client_for(Role.OPERATOR)
    client.get("/historico/exportar/", {**QUERY, "format": "csv"})
    run_queued_tasks()
    export = HistoryExport.objects.get()
    storage, name = export.file.storage, export.file.name
    assert storage.exists(name)
    HistoryExport.objects.filter(pk=export.pk).update(
        expires_at=export.created_at - dt.timedelta(seconds=1)
    )
    response = client.get(f"/historico/exportacoes/{export.pk}/baixar/")
    assert response.status_code == 410
    assert client.get(f"/historico/exportacoes/{export.pk}/status/").json()["download_url"] == ""
    assert history_exports_prune() == 1
    assert not HistoryExport.objects.exists() and not storage.exists(name)


def test_running_the_export_twice_changes_nothing(kit, rows, settings):
    from formaliza.history.services import history_export_run

    settings.HISTORY_EXPORT_SYNC_MAX_ROWS = 1
    kit.client_for(Role.OPERATOR).get("/historico/exportar/", {**QUERY, "format": "csv"})
    run_queued_tasks()
    export = HistoryExport.objects.get()
    assert history_export_run(export_id=str(export.pk)) == "done"
    export.refresh_from_db()
    assert export.processed == 3
