"""The MK-Solutions connector against the fake MK web service over real HTTP: the session
token from WSAutenticacao (renewed when MK says it expired), ConsultaDoc, connections as
contracts, pending invoices with the PDF, linha digitável and Pix, the auto unlock."""

from __future__ import annotations

import datetime as dt

import pytest

from formaliza.erp.adapters.mk import MkConnector
from formaliza.erp.fake.mk import FakeMk
from formaliza.erp.ports import ErpFailure

CPF = "52998224725"


@pytest.fixture
def fake():
    server = FakeMk(today=dt.date(2026, 12, 3)).start()
    server.pessoas.append({"CodigoPessoa": 4410, "Nome": "JOÃO LIMA", "CPF_CNPJ": CPF,
                           "Fone": "(21) 99123-4567", "Situacao": "Ativo"})  # fmt: skip
    server.conexoes.append({"cd_cliente": 4410, "codconexao": 9001, "contrato": 311,
                            "bloqueada": "Sim", "plano": "FIBRA 300"})  # fmt: skip
    server.faturas.append(
        {"cd_cliente": 4410, "codfatura": 77001, "data_vencimento": "05/11/2026",
         "valor_total": 1234.5, "ld": "10499.12345 67890", "pix": "00020126mkpix",
         "link": "https://mk.exemplo/boleto/77001"}
    )  # fmt: skip
    yield server
    server.stop()


@pytest.fixture
def connector(fake):
    return MkConnector(base_url=fake.url + "/mk", token=fake.token, password=fake.password,
                       timeout=1)  # fmt: skip


def test_customer_with_its_connections(connector, fake):
    customer = connector.customer_find(document=CPF)
    assert (customer.id, customer.name) == ("4410", "JOÃO LIMA")
    (contract,) = customer.contracts
    assert (contract.id, contract.status, contract.phones) == ("9001", "blocked", ("21991234567",))
    auth = fake.requests[0]
    assert auth.path == "/mk/WSAutenticacao.rule" and auth.query["cd_servico"] == "9999"


def test_one_session_for_many_calls(connector, fake):
    connector.customer_find(document=CPF)
    connector.customer_find(document=CPF)
    assert [r.path for r in fake.requests].count("/mk/WSAutenticacao.rule") == 1


def test_expired_session_is_renewed_once(connector, fake):
    connector.customer_find(document=CPF)
    fake._sessions.clear()  # MK dropped the session before its Expire
    assert connector.customer_find(document=CPF) is not None
    assert [r.path for r in fake.requests].count("/mk/WSAutenticacao.rule") == 2


def test_unknown_document(connector):
    assert connector.customer_find(document="11144477735") is None


def test_invoice_with_the_pdf_the_line_and_pix(connector):
    customer = connector.customer_find(document=CPF)
    (invoice,) = connector.invoices_open(customer=customer)
    assert (invoice.id, invoice.amount, invoice.due) == ("77001", "1234.50", dt.date(2026, 11, 5))
    assert invoice.digitable_line == "10499.12345 67890" and invoice.pix_code == "00020126mkpix"
    assert invoice.pdf_url == "https://mk.exemplo/boleto/77001" and invoice.overdue


def test_auto_unlock_then_refused_in_the_same_month(connector, fake):
    customer = connector.customer_find(document=CPF)
    assert connector.trust_unlock(customer=customer, contract=customer.contracts[0]).ok
    fake.conexoes[0]["bloqueada"] = "Sim"
    again = connector.trust_unlock(customer=customer, contract=customer.contracts[0])
    assert not again.ok and again.message == "Operação indisponível para esta conexão."


def test_wrong_contra_senha(fake):
    connector = MkConnector(base_url=fake.url, token=fake.token, password="errada", timeout=1)
    with pytest.raises(ErpFailure) as caught:
        connector.customer_find(document=CPF)
    assert caught.value.kind == "auth"


def test_malformed(connector, fake):
    fake.fault = "malformed"
    with pytest.raises(ErpFailure) as caught:
        connector.customer_find(document=CPF)
    assert caught.value.kind == "malformed"
