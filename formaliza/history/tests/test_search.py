"""History search: every filter of the seed's form, the 30-day rule, keyset pages, label counts,
tenant isolation."""

import datetime as dt

import pytest

from formaliza.accounts.roles import Role
from formaliza.history import selectors
from formaliza.history.forms import HistorySearchForm
from formaliza.history.selectors import Cursor, HistoryFilters
from formaliza.history.tests.conftest import at

MARCH = {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31)}
CPF = "30720204852"  # the seed's example (valid check digits)
OTHER_CPF = "52998224725"


@pytest.fixture
def world(corpus, their_corpus):
    """Two conversations that differ in every filtered field, one outside the period, and one
    of another tenant that matches everything."""
    target = corpus.conversation(
        opened_at=at("2026-03-11", "20:44:18"), name="Maria Aparecida Santos",
        phone="+5511987654321", email="maria@example.com", cpf=CPF, finalization="assinado",
        department="Formalização", birth_date=dt.date(1958, 5, 2), campaign="INSS",
        keys=[("cpf", CPF), ("contract", "000123456789"), ("document_key", "a1b2-c3d4"),
              ("proposal", "P-998877"), ("full_name", "Maria Aparecida Santos"),
              ("birth_date", "02/05/1958")],
    )  # fmt: skip
    sms = corpus.channel.__class__.objects.create(
        tenant=corpus.tenant, name="SMS", kind="sms", provider="fake", sender_id="x"
    )
    decoy = corpus.conversation(
        opened_at=at("2026-03-20"), name="João Pereira", phone="+5521912345678",
        email="joao@example.com", cpf=OTHER_CPF, finalization="reprovado", department="Suporte",
        via=sms,
        keys=[("cpf", OTHER_CPF), ("contract", "000999"), ("document_key", "zz-99"),
              ("proposal", "P-111"), ("full_name", "João Pereira"), ("birth_date", "1970-01-01")],
    )  # fmt: skip
    outside = corpus.conversation(
        opened_at=at("2026-04-02"), name="Maria Aparecida Santos", phone="+5511987654321",
        cpf=CPF, finalization="assinado", department="Formalização",
    )  # fmt: skip
    theirs = their_corpus.conversation(
        opened_at=at("2026-03-11"), name="Maria Aparecida Santos", phone="+5511987654321",
        email="maria@example.com", cpf=CPF, finalization="assinado", department="Formalização",
        keys=[("cpf", CPF), ("contract", "000123456789"), ("document_key", "a1b2-c3d4"),
              ("proposal", "P-998877"), ("full_name", "Maria Aparecida Santos"),
              ("birth_date", "1958-05-02")],
    )  # fmt: skip
    return {"target": target, "decoy": decoy, "outside": outside, "theirs": theirs, "sms": sms}


def protocols(kit, **filters) -> list[str]:
    page = selectors.history_search(
        tenant=kit.tenant, filters=HistoryFilters(**{**MARCH, **filters})
    )
    return [c.protocol for c in page.rows]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cpf", CPF),
        ("contract", "000123456789"),
        ("document_key", "a1b2-c3d4"),
        ("proposal", "P-998877"),
        ("full_name", "maria aparecida  SANTOS"),
        ("birth_date", dt.date(1958, 5, 2)),
        ("name", "aparecida"),
        ("phone", "+5511987654321"),
        ("email", "MARIA@example.com"),
    ],
)
def test_each_key_filter_finds_only_the_matching_conversation_of_the_tenant(
    kit, world, field, value
):
    assert protocols(kit, **{field: value}) == [world["target"].protocol]


def test_protocol_department_channel_and_finalization_filters(kit, world, corpus):
    target, decoy = world["target"], world["decoy"]
    assert protocols(kit, protocol=target.protocol) == [target.protocol]
    assert protocols(kit, protocol=world["theirs"].protocol) == []
    assert protocols(kit, department_id=corpus.dept["Suporte"].pk) == [decoy.protocol]
    assert protocols(kit, channel_id=world["sms"].pk) == [decoy.protocol]
    assert protocols(kit, finalization_id=corpus.status["assinado"].pk) == [target.protocol]
    assert protocols(kit, finalization_id=corpus.status["desistencia"].pk) == []


def test_filters_combine_and_the_period_bounds_everything(kit, world, corpus):
    target = world["target"]
    assert protocols(kit) == [world["decoy"].protocol, target.protocol]  # newest first
    assert protocols(kit, cpf=CPF, department_id=corpus.dept["Suporte"].pk) == []
    assert protocols(kit, cpf=CPF, finalization_id=corpus.status["assinado"].pk) == [
        target.protocol
    ]
    april = {"start": dt.date(2026, 4, 1), "end": dt.date(2026, 4, 30)}
    page = selectors.history_search(tenant=kit.tenant, filters=HistoryFilters(**april, cpf=CPF))
    assert [c.protocol for c in page.rows] == [world["outside"].protocol]


def test_cpf_matches_the_contact_document_without_journey_keys(kit, corpus):
    plain = corpus.conversation(opened_at=at("2026-03-05"), cpf=OTHER_CPF)
    assert protocols(kit, cpf=OTHER_CPF) == [plain.protocol]


def test_period_days_are_brasilia_calendar_days(kit, corpus):
    late = corpus.conversation(opened_at=at("2026-03-31", "23:59"))
    early = corpus.conversation(opened_at=at("2026-04-01", "00:00"), phone="+5511900000001")
    assert protocols(kit) == [late.protocol]
    one_day = {"start": dt.date(2026, 4, 1), "end": dt.date(2026, 4, 1)}
    page = selectors.history_search(tenant=kit.tenant, filters=HistoryFilters(**one_day))
    assert [c.protocol for c in page.rows] == [early.protocol]


def test_keyset_pages_cover_every_row_once_in_order(kit, corpus):
    made = [
        corpus.conversation(opened_at=at("2026-03-10", f"10:{i:02d}"), phone=f"+55119000000{i:02d}")
        for i in range(7)
    ]
    # Two conversations at the same instant are ordered by id: no row is skipped or repeated.
    made.append(corpus.conversation(opened_at=made[3].opened_at, phone="+5511900000099"))
    seen, after, pages = [], None, 0
    while True:
        page = selectors.history_search(tenant=kit.tenant, filters=HistoryFilters(**MARCH),
                                        after=after, limit=3)  # fmt: skip
        seen += [c.pk for c in page.rows]
        pages += 1
        if page.next_cursor is None:
            break
        after = Cursor.decode(page.next_cursor.encode())
    expected = sorted(made, key=lambda c: (c.opened_at, c.pk), reverse=True)
    assert seen == [c.pk for c in expected]
    assert pages == 3


def test_a_tampered_cursor_starts_from_the_first_page():
    assert Cursor.decode("not-base64!") is None
    assert Cursor.decode("") is None


def test_label_counts_for_the_period(kit, world, corpus):
    corpus.conversation(opened_at=at("2026-03-02"), finalization="assinado", phone="+5511900000077")
    corpus.conversation(opened_at=at("2026-03-03"), phone="+5511900000078")
    counts = selectors.finalization_counts(tenant=kit.tenant, **MARCH)
    by_name = {(c.status.name if c.status else None): c.count for c in counts}
    assert by_name["Assinado"] == 2  # the April one and the other tenant's are not counted
    assert by_name["Reprovado"] == 1
    assert by_name["Em análise"] == 0
    assert by_name[None] == 1
    assert [c.status.name for c in counts if c.status][:3] == ["Assinado", "Integrado", "Andamento"]


# --- the form and the page ---------------------------------------------------------------------


def form_for(**data) -> HistorySearchForm:
    return HistorySearchForm(data={"start": "2026-03-01", "end": "2026-03-31", **data})


def test_thirty_days_apart_is_accepted_and_thirty_one_is_refused():
    assert form_for().is_valid()
    form = form_for(end="2026-04-01")
    assert not form.is_valid()
    assert "no máximo 30 dias" in form.errors["end"][0]
    assert not form_for(start="2026-03-10", end="2026-03-01").is_valid()
    missing = HistorySearchForm(data={"end": "2026-03-31"})
    assert not missing.is_valid() and "start" in missing.errors


def test_form_normalizes_cpf_and_phone_and_rejects_bad_ones():
    form = form_for(cpf="307.202.048-52", phone="(11) 98765-4321", name="  Mar  ")
    assert form.is_valid(), form.errors
    filters = form.filters()
    assert filters.cpf == CPF and filters.phone == "+5511987654321" and filters.name == "Mar"
    assert "CPF inválido" in form_for(cpf="11111111111").errors["cpf"][0]
    assert "Telefone inválido" in form_for(phone="123").errors["phone"][0]
    assert "3 letras" in form_for(name="ab").errors["name"][0]


def test_search_page_lists_results_with_labels_and_actions(kit, world):
    client = kit.client_for(Role.CORRESPONDENT)
    response = client.get("/historico/", {"start": "2026-03-01", "end": "2026-03-31", "cpf": CPF})
    html = response.content.decode()
    assert response.status_code == 200
    assert world["target"].protocol in html and world["decoy"].protocol not in html
    assert world["theirs"].protocol not in html
    for text in ("Assinado", "Formalização", "INSS", "Maria Aparecida Santos", "Visualizar",
                 "Baixar", "Anexos", "Status de finalização"):  # fmt: skip
        assert text in html
    assert f"/historico/atendimentos/{world['target'].protocol}/" in html


def test_search_page_refuses_a_long_period_in_portuguese(kit, world):
    client = kit.client_for(Role.OPERATOR)
    response = client.get("/historico/", {"start": "2026-01-01", "end": "2026-03-31"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "O período pode ter no máximo 30 dias" in html
    assert world["target"].protocol not in html


def test_search_page_next_page_link(kit, corpus, settings):
    settings.HISTORY_PAGE_SIZE = 2
    made = [corpus.conversation(opened_at=at("2026-03-10", f"1{i}:00"), phone=f"+551190000002{i}")
            for i in range(3)]  # fmt: skip
    client = kit.client_for(Role.OPERATOR)
    first = client.get("/historico/", {"start": "2026-03-01", "end": "2026-03-31"})
    html = first.content.decode()
    assert made[2].protocol in html and made[0].protocol not in html
    link = html.split('id="next-page"')[0].rsplit('href="?', 1)[1].split('"')[0]
    second = client.get("/historico/?" + link.replace("&amp;", "&")).content.decode()
    assert made[0].protocol in second and made[2].protocol not in second


def test_attendants_and_anonymous_users_cannot_open_the_history(kit, client):
    assert kit.client_for(Role.ATTENDANT).get("/historico/").status_code == 403
    assert client.get("/historico/").status_code == 302


def test_navigation_offers_history_and_portal_to_correspondents_and_labels_to_managers(kit):
    nav = kit.client_for(Role.CORRESPONDENT).get("/historico/").content.decode().split("<main")[0]
    assert 'href="/historico/"' in nav and 'href="/historico/portal/"' in nav
    assert 'href="/historico/status/"' not in nav
    manager_nav = kit.client_for(Role.MANAGER).get("/historico/").content.decode().split("<main")[0]
    assert 'href="/historico/status/"' in manager_nav
