"""Import of orders from CSV/XLSX: all or nothing, errors naming row and column in pt-BR."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from formaliza.core import clock
from formaliza.triage.models import CertificateOrder, OrderEvent
from formaliza.triage.services import ImportRejected, orders_import
from formaliza.triage.tests.helpers import SYSTEM

GOOD = (
    "Pedido;Cliente;Produto;CPF/CNPJ;Celular;Pagamento;Documentos;Agendamento;Comparecimento;Vendedor\n"
    "A-1;Ana Souza;e-CPF A1;529.982.247-25;(11) 98765-4321;pago;recebidos;02/12/2026 10:00;não compareceu;Zé\n"
    "A-2;Bruno Lima;e-CNPJ A1;11.222.333/0001-81;11 97654-3210;pendente;recebidos;;;Zé\n"
    "\n"
    "A-3;Carla Dias;e-CPF A3;;;pago;pendentes;;;Zé\n"
)


def _import(kit, text: str, filename="pedidos.csv", encoding="utf-8"):
    return orders_import(
        tenant=kit.tenant, filename=filename, content=text.encode(encoding), who=SYSTEM
    )


def test_a_good_csv_imports_every_row_into_its_list(kit):
    report = _import(kit, GOOD)
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert report.ignored_columns == ["Vendedor"]
    lists = dict(CertificateOrder.objects.values_list("external_id", "worklist"))
    assert lists == {"A-1": "reagendar", "A-2": "pagamentos", "A-3": "documentos"}
    ana = CertificateOrder.objects.get(external_id="A-1")
    assert clock.local(ana.appointment_at) == dt.datetime(2026, 12, 2, 10, tzinfo=clock.SAO_PAULO)
    assert ana.events.first().author_label == "Sistema (teste) (importação pedidos.csv)"


def test_the_same_file_twice_changes_nothing_and_an_edit_updates(kit):
    _import(kit, GOOD)
    events = OrderEvent.objects.count()
    again = _import(kit, GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert OrderEvent.objects.count() == events
    edited = _import(kit, GOOD.replace("A-2;Bruno Lima;e-CNPJ A1;11.222.333/0001-81;11 97654-3210;pendente",
                                       "A-2;Bruno Lima;e-CNPJ A1;11.222.333/0001-81;11 97654-3210;pago"))  # fmt: skip
    assert (edited.updated, edited.unchanged) == (1, 2)
    assert CertificateOrder.objects.get(external_id="A-2").worklist == "agendar"


def test_one_bad_row_imports_nothing_and_names_row_and_column(kit):
    bad = GOOD.replace("529.982.247-25", "111.111.111-11").replace(
        "pendente;recebidos;;", "talvez;recebidos;31/02/2026;"
    )
    with pytest.raises(ImportRejected) as caught:
        _import(kit, bad)
    texts = [e.text for e in caught.value.errors]
    assert texts == [
        "Linha 2, coluna “CPF/CNPJ”: CPF ou CNPJ inválido.",
        "Linha 3, coluna “Pagamento”: Valor “talvez” inválido: use “pago” ou “pendente”.",
        "Linha 3, coluna “Agendamento”: Data inválida: use dd/mm/aaaa hh:mm.",
    ]
    assert caught.value.code == "triage_import_invalid"
    assert caught.value.message == "Nada foi importado: corrija 3 erro(s) no arquivo."
    assert not CertificateOrder.objects.exists() and not OrderEvent.objects.exists()


def test_the_blank_line_is_counted_in_the_row_numbers(kit):
    with pytest.raises(ImportRejected) as caught:
        _import(kit, GOOD.replace("A-3;Carla Dias", "A-3;C"))
    assert caught.value.errors[0].text == "Linha 5, coluna “Cliente”: Informe o nome do cliente."


def test_missing_columns_repeated_order_and_bad_files(kit):
    with pytest.raises(ImportRejected) as missing:
        _import(kit, "Cliente;Celular\nAna;11987654321\n")
    with pytest.raises(ImportRejected) as repeated:
        _import(kit, GOOD.replace("A-3;", "A-1;"))
    with pytest.raises(ImportRejected) as wrong_type:
        _import(kit, GOOD, filename="pedidos.pdf")
    with pytest.raises(ImportRejected) as not_xlsx:
        _import(kit, GOOD, filename="pedidos.xlsx")
    assert missing.value.errors[0].text == "Faltam as colunas obrigatórias: pedido, produto."
    assert repeated.value.errors[0].text == (
        "Linha 5, coluna “Pedido”: Pedido “A-1” repetido no arquivo (já na linha 2)."
    )
    assert wrong_type.value.errors[0].text == "Envie um arquivo .csv ou .xlsx."
    assert not_xlsx.value.errors[0].text == "O arquivo não é uma planilha XLSX válida."
    assert not CertificateOrder.objects.exists()


def test_a_windows_csv_with_commas_is_read(kit):
    report = _import(kit, GOOD.replace(";", ",").replace("Ana Souza", "Ana Conceição"),
                     encoding="cp1252")  # fmt: skip
    assert report.created == 3
    assert CertificateOrder.objects.get(external_id="A-1").client_name == "Ana Conceição"


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_with_numbers_and_dates_is_read(kit):
    content = xlsx([
        ["Pedido", "Nome do cliente", "Produto", "CPF", "Celular", "Pagamento", "Documentos", "Agendamento"],
        [1001, "Dora Alves", "e-CPF A1", 34567810, 11987654321, "Pago", "Recebidos",
         dt.datetime(2026, 12, 10, 9, 30)],
    ])  # fmt: skip
    report = orders_import(tenant=kit.tenant, filename="Pedidos.XLSX", content=content, who=SYSTEM)
    order = CertificateOrder.objects.get()
    assert report.created == 1 and order.external_id == "1001"
    assert order.client_document == "00034567810" and order.client_phone == "+5511987654321"
    assert clock.local(order.appointment_at).hour == 9 and order.worklist == ""


def test_an_xlsx_bad_row_is_named_too(kit):
    content = xlsx(
        [["Pedido", "Cliente", "Produto", "Documentos"], ["X", "Eva Nunes", "A1", "talvez"]]
    )
    with pytest.raises(ImportRejected) as caught:
        orders_import(tenant=kit.tenant, filename="p.xlsx", content=content, who=SYSTEM)
    assert caught.value.errors[0].text == (
        "Linha 2, coluna “Documentos”: Valor “talvez” inválido: use “recebidos” ou “pendentes”."
    )
