"""The tenant's terms (versioned) and contract templates (per product, sandboxed)."""

import pytest

from formaliza.accounts.roles import Role
from formaliza.core.errors import NotFound, PermissionDenied, ValidationFailed
from formaliza.journeys import documents, services
from formaliza.journeys.models import ContractTemplate, JourneyTerms
from formaliza.journeys.tests.helpers import open_formalization
from formaliza.proposals.models import CatalogEntry

TERMS = (
    "Ao aceitar, você concorda com a assinatura eletrônica dos contratos nesta página, "
    "reconhecendo este meio como válido (MP 2.200-2/2001, art. 10, § 2º). Registramos IP, "
    "horário, fotos e selfie para prevenir fraudes, conforme a LGPD, e guardamos tudo com segurança."
)


def test_publishing_terms_makes_a_new_immutable_version_for_new_journeys(kit, make_input):
    first = services.journey_start(request_id=open_formalization(kit, make_input).pk).journey
    published = services.journey_terms_publish(
        actor=kit.actor(Role.MANAGER), title="Termos 2026", body=TERMS
    )
    second = services.journey_start(request_id=open_formalization(kit, make_input).pk).journey

    assert (first.terms.version, second.terms.version) == (1, 2)
    assert second.terms == published
    assert published.sha256 == documents.terms_sha256(title="Termos 2026", body=TERMS)
    with pytest.raises(RuntimeError):
        published.save()


def test_terms_must_cover_the_electronic_signature(kit):
    with pytest.raises(ValidationFailed) as err:
        services.journey_terms_publish(
            actor=kit.actor(Role.ADMIN), title="Termos", body="Texto qualquer. " * 30
        )
    assert [f.code for f in err.value.fields] == ["electronic_signature_missing"]
    with pytest.raises(PermissionDenied):
        services.journey_terms_publish(actor=kit.actor(Role.OPERATOR), title="T", body=TERMS)
    assert JourneyTerms.objects.filter(tenant=kit.tenant).count() <= 1


def test_product_template_is_used_for_that_product_only(kit, make_input):
    product = CatalogEntry.objects.get(tenant=kit.tenant, kind="product", code="002")
    services.contract_template_save(
        actor=kit.actor(Role.ADMIN), product_id=product.pk, title="Contrato de refinanciamento",
        body="<p>REFIN de {{ cliente.nome }} — {{ condicoes.valor_liberado }}</p>",
    )  # fmt: skip
    refin = open_formalization(kit, make_input, count=1, product="002")
    novo = open_formalization(kit, make_input, count=1, product="001")

    refin_contract = services.journey_start(request_id=refin.pk).journey.contracts.get()
    novo_contract = services.journey_start(request_id=novo.pk).journey.contracts.get()

    assert refin_contract.html.startswith("<p>REFIN de ")
    assert "R$" in refin_contract.html
    assert refin_contract.title.startswith("Contrato de refinanciamento nº")
    assert "Cédula de Crédito Bancário" in novo_contract.html


def test_templates_are_validated_and_cannot_reach_beyond_their_data(kit, other_kit):
    admin = kit.actor(Role.ADMIN)
    for body in ("{% if %}", "{% load static %}", '{% include "base.html" %}', "{{ x.__class__ }}"):
        with pytest.raises(ValidationFailed) as err:
            services.contract_template_save(actor=admin, product_id=None, title="x", body=body)
        assert err.value.fields[0].code == "template_invalid", body
    other_product = CatalogEntry.objects.get(tenant=other_kit.tenant, kind="product", code="001")
    with pytest.raises(NotFound):
        services.contract_template_save(
            actor=admin, product_id=other_product.pk, title="x", body="ok"
        )
    assert not ContractTemplate.objects.filter(tenant=kit.tenant).exclude(product=None).exists()


def test_data_printed_by_a_template_is_escaped():
    html = documents.contract_render(
        body="<p>{{ cliente.nome }}</p>", context={"cliente": {"nome": "<script>x</script>"}}
    )
    assert html == "<p>&lt;script&gt;x&lt;/script&gt;</p>"
