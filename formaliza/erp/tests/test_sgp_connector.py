"""The SGP connector against the fake SGP URA API over real HTTP: form-encoded token+app,
consultacliente, fatura2via (never retried: SGP may open an occurrence), liberacaopromessa
refused when used this month, the CPE manager, and the failures."""

from __future__ import annotations

import datetime as dt

import pytest

from formaliza.erp.adapters.sgp import SgpConnector
from formaliza.erp.fake.sgp import FakeSgp
from formaliza.erp.ports import ErpFailure

CNPJ = "11222333000181"


@pytest.fixture
def fake():
    server = FakeSgp(today=dt.date(2026, 12, 3)).start()
    server.contratos.append(
        {"clienteId": 88, "contratoId": 1201, "razaoSocial": "PADARIA BOM PÃO LTDA",
         "cpfCnpj": "11.222.333/0001-81", "telefones": ["(48) 99876-5432"],
         "contratoStatus": 4, "contratoStatusDisplay": "Suspenso", "planointernet": "400M"}
    )  # fmt: skip
    server.faturas.append(
        {"cpfcnpj": CNPJ, "fatura": 55501, "vencimento": "2026-11-20", "valor": 199.9,
         "link": "https://sgp.exemplo/boleto/55501.pdf", "linhadigitavel": "34191.09008 1",
         "codigopix": "00020126580014br.gov.bcb.pix0136sgp"}
    )  # fmt: skip
    yield server
    server.stop()


@pytest.fixture
def connector(fake):
    return SgpConnector(base_url=fake.url, app=fake.app, token=fake.token, timeout=1)


def test_customer_and_contracts_from_consultacliente(connector, fake):
    customer = connector.customer_find(document=CNPJ)
    assert customer.name == "PADARIA BOM PÃO LTDA"
    (contract,) = customer.contracts
    assert (contract.id, contract.status, contract.phones) == ("1201", "blocked", ("48998765432",))
    sent = fake.requests[0].form()
    assert sent == {"token": fake.token, "app": fake.app, "cpfcnpj": CNPJ}
    assert fake.requests[0].path == "/api/ura/consultacliente/"


def test_unknown_document(connector):
    assert connector.customer_find(document="52998224725") is None


def test_invoice_with_pdf_link_line_and_pix_without_opening_an_occurrence(connector, fake):
    customer = connector.customer_find(document=CNPJ)
    (invoice,) = connector.invoices_open(customer=customer)
    assert (invoice.amount, invoice.due, invoice.overdue) == ("199.90", dt.date(2026, 11, 20), True)
    assert invoice.pdf_url.endswith("55501.pdf") and invoice.pix_code.startswith("000201")
    assert fake.requests[-1].form()["nao_gerar_os"] == "1"


def test_trust_unlock_then_refused_in_the_same_month(connector, fake):
    customer = connector.customer_find(document=CNPJ)
    first = connector.trust_unlock(customer=customer, contract=customer.contracts[0])
    assert first.ok
    second = connector.trust_unlock(customer=customer, contract=customer.contracts[0])
    assert not second.ok and "já utilizada neste mês" in second.message


def test_wifi_change_goes_to_the_cpe_manager(connector, fake):
    customer = connector.customer_find(document=CNPJ)
    result = connector.wifi_change(customer=customer, contract=customer.contracts[0],
                                   ssid="Padaria", password="pao-quentinho")  # fmt: skip
    assert result.ok and result.message == "Solicitação enviada ao equipamento"
    assert fake.wifi["1201"] == {"ssid": "Padaria", "senha": "pao-quentinho"}


def test_wifi_refused_by_sgp(connector, fake):
    customer = connector.customer_find(document=CNPJ)
    result = connector.wifi_change(customer=customer, contract=customer.contracts[0], ssid="x",
                                   password="curta")  # fmt: skip
    assert not result.ok and "8 caracteres" in result.message
    assert fake.wifi == {}


def test_wrong_token(fake):
    connector = SgpConnector(base_url=fake.url, app=fake.app, token="outro", timeout=1)
    with pytest.raises(ErpFailure) as caught:
        connector.customer_find(document=CNPJ)
    assert caught.value.kind == "auth"


def test_fatura2via_is_not_retried_on_500(connector, fake):
    customer = connector.customer_find(document=CNPJ)
    fake.fault, before = "500", len(fake.requests)
    with pytest.raises(ErpFailure) as caught:
        connector.invoices_open(customer=customer)
    assert caught.value.kind == "unavailable" and len(fake.requests) == before + 1


def test_timeout(fake):
    fake.fault, fake.slow_seconds = "slow", 1.5
    connector = SgpConnector(base_url=fake.url, app=fake.app, token=fake.token, timeout=0.3)
    with pytest.raises(ErpFailure) as caught:
        connector.customer_find(document=CNPJ)
    assert caught.value.kind == "timeout"
