"""The verification page reads as ONE verdict (issue 12, item 7): for a document that failed,
nothing below the verdict vouches for it ("confere", "íntegra", ✔...), whatever combination
of the checks failed; for a valid one every check is shown as passed."""

import itertools
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.utils.html import strip_tags

from formaliza.evidence.signature import Check, seal_check
from formaliza.evidence.tests.conftest import stored
from formaliza.evidence.tests.test_validators import one_byte_changed
from formaliza.evidence.verification import Verification, verify_pdf

SUBJECT = "Formaliza Selo (Promotora Demo)"
TIMESTAMP = "10/03/2026 14:05:09 (UTC-03:00)"
PASSED = {
    **{name: seal_check(name, True, subject=SUBJECT, timestamp=TIMESTAMP)
       for name in ("integridade", "assinatura", "certificado", "cobertura", "carimbo_do_tempo")},
    "selo": Check("selo", True, "O PDF tem o selo digital do Formaliza."),
    "registro": Check("registro", True, "Idêntico ao documento ABCD-EFGH-JKMN-PQRS, selado em "
                      "10/03/2026 14:05:09 (UTC-03:00)."),
    "cadeia": Check("cadeia", True, "Cadeia de 14 eventos íntegra; os 14 eventos do laudo conferem."),
}  # fmt: skip
FAILED = {
    **{name: seal_check(name, False, subject=SUBJECT)
       for name in ("integridade", "assinatura", "certificado", "cobertura", "carimbo_do_tempo")},
    "selo": Check("selo", False, "O PDF não tem o selo digital do Formaliza."),
    "registro": Check("registro", False, "Este arquivo não é idêntico ao documento "
                      "ABCD-EFGH-JKMN-PQRS que o Formaliza selou."),
    "cadeia": Check("cadeia", False, "A cadeia de eventos foi alterada: Evento nº 2 ausente."),
}  # fmt: skip
# The order failures are told in, the most basic first: the headline is the first one.
ORDER = [
    "selo", "integridade", "cobertura", "assinatura", "certificado", "carimbo_do_tempo",
    "registro", "cadeia",
]  # fmt: skip
LISTED = list(PASSED)  # not the order verify_pdf lists them in: the verdict sorts them
# Words that vouch for a document; in a failed one they may only appear negated ("não ...").
AFFIRMING = re.compile(
    r"(?<!não )(?<!não é )\b(confere|conferem|íntegr\w*|idêntic\w*|válid[oa]s?|confiável|cobre)\b",
    re.IGNORECASE,
)


def _combinations():
    for failing in itertools.product((False, True), repeat=len(ORDER)):
        failed = {name for name, bad in zip(ORDER, failing, strict=True) if bad}
        yield failed, tuple(FAILED[n] if n in failed else PASSED[n] for n in LISTED)


def _page(verification: Verification) -> str:
    html = render_to_string("evidence/verify.html", {"v": verification})
    return html[html.index('id="result"') :]


def _lines(html: str, css: str) -> list[str]:
    return [strip_tags(m).strip() for m in re.findall(rf'<li class="{css}">(.*?)</li>', html)]


def _verification(checks) -> Verification:
    return Verification(checks=checks, sha256="ab" * 32, signer=SUBJECT, timestamp_at=None)


@pytest.mark.parametrize(
    ("failed", "checks"),
    list(_combinations()),
    ids=lambda value: "+".join(sorted(value)) or "none" if isinstance(value, set) else "",
)
def test_every_combination_of_the_checks_reads_as_one_verdict(failed, checks):
    verification = _verification(checks)
    html = _page(verification)
    text = strip_tags(html)

    verdicts = re.findall(r'class="verdict (ok|bad)">([^<]*)<', html)
    if not failed:
        assert verdicts == [("ok", "válido")]
        assert _lines(html, "yes") == [c.message for c in checks]
        assert _lines(html, "no") == []
        return
    assert verdicts == [("bad", "inválido")]
    assert _lines(html, "yes") == []  # no ✔ next to a failed document
    assert sorted(_lines(html, "no")) == sorted(FAILED[n].message for n in failed)
    assert not AFFIRMING.search(text), AFFIRMING.search(text)
    for name in set(ORDER) - failed:
        assert PASSED[name].message not in text
    # The headline is one of the failures, the most basic one first.
    assert verification.reason == next(FAILED[n].message for n in ORDER if n in failed)
    # The API's list says the same: passed checks of a failed document do not vouch for it.
    for detail in verification.details:
        assert detail.state in {"failed", "info", "skipped"}
        assert not AFFIRMING.search(detail.message), detail


@pytest.mark.parametrize(
    "name", ["formato", "selo", "assinatura", "registro"], ids=lambda n: f"only-{n}"
)
def test_short_verdicts_with_a_single_failed_check(name):
    """Unreadable file, no seal, damaged signature, or only our record (by code)."""
    checks = (Check(name, False, "Motivo em português."),)
    html = _page(_verification(checks))
    assert re.findall(r'class="verdict (ok|bad)">([^<]*)<', html) == [("bad", "inválido")]
    assert _lines(html, "no") == ["Motivo em português."] and _lines(html, "yes") == []


def _post(url: str, data: bytes):
    return Client().post(url, {"arquivo": SimpleUploadedFile("contrato.pdf", data)})


def test_a_tampered_pdf_on_the_public_page_is_one_verdict(sealed):
    """The case reported: 'INVÁLIDO … o resumo SHA-256 não confere' next to 'A assinatura
    digital confere com o certificado'."""
    body = _post("/verificar/", one_byte_changed(stored(sealed))).content.decode()
    result = strip_tags(body[body.index('id="result"') :])

    assert 'class="verdict bad">inválido<' in body
    assert "O conteúdo foi alterado depois do selo" in result
    assert "A assinatura digital confere" not in result
    assert "✔" not in body[body.index('id="result"') :] and 'class="yes"' not in body
    assert not AFFIRMING.search(result), AFFIRMING.search(result)
    assert "Não use este arquivo como prova" in result


def test_the_sealed_pdf_shows_every_check_passed(sealed):
    verification = verify_pdf(data=stored(sealed))
    html = _page(verification)
    assert _lines(html, "yes") == [c.message for c in verification.checks]
    assert "A assinatura digital confere com o certificado." in _lines(html, "yes")


def test_the_api_tells_the_same_single_verdict_for_a_tampered_pdf(sealed):
    body = _post("/api/v1/verify", one_byte_changed(stored(sealed))).json()

    assert (body["valid"], body["verdict"]) == (False, "inválido")
    states = {c["name"]: (c["ok"], c["state"]) for c in body["checks"]}
    assert states["integridade"] == (False, "failed") and states["registro"] == (False, "failed")
    assert states["assinatura"] == (True, "skipped")  # true of the bytes, says nothing here
    assert [c["state"] for c in body["checks"]][:2] == ["failed", "failed"]  # failures first
    for check in body["checks"]:
        assert check["state"] in {"failed", "info", "skipped"}
        assert not AFFIRMING.search(check["message"]), check
