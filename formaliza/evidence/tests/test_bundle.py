import dataclasses
import datetime as dt

import pytest
from django.core.files.storage import storages
from django_tasks_db.models import DBTaskResult

from formaliza.core.errors import ApplicationError, ValidationFailed
from formaliza.evidence.bundle import (
    bundle_from_manifest,
    bundle_to_manifest,
    bundle_validate,
    conditions_sha256,
)
from formaliza.evidence.models import SealedDocument
from formaliza.evidence.samples import sample_bundle
from formaliza.evidence.services import Subject, sealed_document_request


@pytest.fixture
def bundle(kit, fake):
    return sample_bundle(tenant=kit.tenant, fake=fake, contracts=1, pages=1)


def _fields(exc: ValidationFailed) -> dict[str, str]:
    return {item.field: item.code for item in exc.fields}


def test_a_complete_bundle_is_valid(bundle):
    bundle_validate(bundle)  # no exception
    assert bundle.conditions[0].sha256 == conditions_sha256(bundle.conditions[0].items)


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (lambda b: {"contracts": ()}, "contracts", "required"),
        (lambda b: {"signers": ()}, "signers", "required"),
        (
            lambda b: {"contracts": (dataclasses.replace(b.contracts[0], sha256="0" * 64),)},
            "contracts[0].sha256",
            "hash_mismatch",
        ),
        (
            lambda b: {"contracts": (dataclasses.replace(b.contracts[0], html="<p>x</p>"),)},
            "contracts[0]",
            "pdf_or_html",
        ),
        (
            lambda b: {"images": (dataclasses.replace(b.images[0], content=b"outra foto"),)},
            "images[0].sha256",
            "hash_mismatch",
        ),
        (
            lambda b: {
                "conditions": (dataclasses.replace(b.conditions[0], items=(("CET", "0%"),)),)
            },
            "conditions[0].sha256",
            "hash_mismatch",
        ),
        (
            lambda b: {"terms": dataclasses.replace(b.terms, text=b.terms.text + " (editado)")},
            "terms.sha256",
            "hash_mismatch",
        ),
        (
            lambda b: {"signers": (dataclasses.replace(b.signers[0], cpf="111.111.111-11"),)},
            "signers[0].cpf",
            "cpf_invalid",
        ),
        (lambda b: {"created_at": dt.datetime(2026, 1, 1, 10, 0)}, "created_at", "naive_datetime"),
        (
            lambda b: {"reading": (dataclasses.replace(b.reading[0], server_seconds=3.0),)},
            "reading[0]",
            "seconds",
        ),
        (
            lambda b: {"reading": (dataclasses.replace(b.reading[0], server_seconds=-1.0),)},
            "reading[0]",
            "seconds",
        ),
    ],
)
def test_incomplete_or_inconsistent_bundles_are_refused(bundle, change, field, code):
    broken = dataclasses.replace(bundle, **change(bundle))
    with pytest.raises(ValidationFailed) as caught:
        bundle_validate(broken)
    assert _fields(caught.value)[field] == code
    assert all(item.message for item in caught.value.fields)  # pt-BR, for people


def test_a_refused_request_creates_nothing(kit, bundle):
    broken = dataclasses.replace(bundle, signers=())
    with pytest.raises(ValidationFailed):
        sealed_document_request(tenant=kit.tenant, bundle=broken)
    assert not SealedDocument.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert not storages["default"].exists(f"evidence/{kit.tenant.pk}")


def test_a_subject_without_evidence_events_cannot_be_sealed(kit, fake):
    bundle = sample_bundle(tenant=kit.tenant, fake=fake, contracts=1, pages=1, record_events=False)
    with pytest.raises(ApplicationError) as caught:
        sealed_document_request(tenant=kit.tenant, bundle=bundle)
    assert caught.value.code == "evidence_chain_empty"
    assert not SealedDocument.objects.exists()


def test_another_tenants_subject_cannot_be_sealed(bundle, other_kit):
    with pytest.raises(ApplicationError) as caught:
        sealed_document_request(tenant=other_kit.tenant, bundle=bundle)
    assert caught.value.code == "evidence_chain_empty"
    assert not SealedDocument.objects.exists()


def test_manifest_round_trip_keeps_everything_and_stores_bytes_apart(bundle):
    blobs: dict[str, bytes] = {}

    def save(data: bytes) -> str:
        blobs[f"b{len(blobs)}"] = data
        return f"b{len(blobs) - 1}"

    manifest = bundle_to_manifest(bundle, save_blob=save)
    assert b"%PDF" not in repr(manifest).encode()  # binary parts are not in the JSON
    assert len(blobs) == 1 + 3  # one contract, three images
    loaded = bundle_from_manifest(manifest, load_blob=blobs.__getitem__)
    assert loaded == bundle
    assert loaded.subject == Subject("journey", bundle.subject.id)
