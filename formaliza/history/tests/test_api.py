"""The history API: search with the back office's filters and rules, cursor pages, transcripts
as PDF or text — tenant-scoped, in the API's error shape."""

from __future__ import annotations

from formaliza.history.tests.conftest import at

URL = "/api/v1/history"
PERIOD = "start=2026-03-01&end=2026-03-20"


def test_search_by_cpf_and_by_period_with_cursor_pages(client, kit, corpus):
    first = corpus.conversation(opened_at=at("2026-03-11"), cpf="52998224725", name="Maria Lima")
    corpus.conversation(opened_at=at("2026-03-12"), name="João Souza", phone="+5511911112222")
    corpus.conversation(opened_at=at("2026-04-30"), name="Fora do período")
    found = client.get(f"{URL}?{PERIOD}&cpf=529.982.247-25", **kit.api_headers()).json()
    assert [i["protocol"] for i in found["items"]] == [first.protocol]
    assert found["items"][0]["contact_name"] == "Maria Lima" and found["next_cursor"] is None

    page1 = client.get(f"{URL}?{PERIOD}&limit=1", **kit.api_headers()).json()
    assert page1["items"][0]["contact_name"] == "João Souza" and page1["next_cursor"]
    page2 = client.get(
        f"{URL}?{PERIOD}&limit=1&after={page1['next_cursor']}", **kit.api_headers()
    ).json()
    assert [i["contact_name"] for i in page2["items"]] == ["Maria Lima"]


def test_the_back_office_rules_answer_422_with_fields(client, kit, corpus):
    cases = {
        "start=2026-01-01&end=2026-03-20": "end",  # more than 30 days
        f"{PERIOD}&cpf=123": "cpf",
        f"{PERIOD}&name=ab": "name",
        f"{PERIOD}&department_id=999999": "department_id",
        f"{PERIOD}&after=nada": "after",
    }
    for query, field in cases.items():
        response = client.get(f"{URL}?{query}", **kit.api_headers())
        assert response.status_code == 422, query
        error = response.json()["error"]
        assert error["code"] == "validation_failed" and error["fields"][0]["field"] == field
        assert error["fields"][0]["message"]
    for query in ("start=0&end=2026-03-20", "end=2026-03-20", f"{PERIOD}&limit=500"):
        response = client.get(f"{URL}?{query}", **kit.api_headers())
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


def test_transcript_as_pdf_and_as_text(client, kit, corpus):
    conversation = corpus.conversation(opened_at=at("2026-03-11"), name="Maria Lima")
    corpus.message(conversation, "Quero assinar o contrato")
    url = f"{URL}/{conversation.protocol}/transcript"
    pdf = client.get(url, **kit.api_headers())
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = client.get(f"{url}?format=text", **kit.api_headers())
    assert text["Content-Type"].startswith("text/plain")
    assert "Quero assinar o contrato" in text.content.decode()
    assert f"atendimento-{conversation.protocol}.txt" in text["Content-Disposition"]
    assert client.get(f"{url}?format=doc", **kit.api_headers()).status_code == 422


def test_another_tenants_history_is_invisible(client, kit, other_kit, corpus, their_corpus):
    theirs = their_corpus.conversation(opened_at=at("2026-03-11"), cpf="52998224725")
    url = f"{URL}/{theirs.protocol}/transcript"
    assert client.get(url, **kit.api_headers()).status_code == 404
    assert client.get(f"{url}?format=doc", **kit.api_headers()).status_code == 404
    found = client.get(f"{URL}?{PERIOD}&cpf=52998224725", **kit.api_headers()).json()
    assert found["items"] == []
