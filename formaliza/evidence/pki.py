"""Certificates, keys and the timestamp authority used to seal and to verify.

Production configures a PKCS#12 file (`EVIDENCE_SIGNING_PKCS12` + password), a real RFC 3161
timestamp authority (`EVIDENCE_TSA_URL`) and the roots it trusts (`EVIDENCE_TRUST_ROOTS`).

Without a PKCS#12 file the embedded default is used: on first use it generates, under
`EVIDENCE_PKI_DIR`, its own CA, a signing certificate (stored as PKCS#12 with a generated
password, so sealing loads it exactly as it loads a production file) and a timestamp authority
certificate for the local TSA (`manage.py evidence_tsa`, started by `manage.py serve`). Every name
says NOT FOR PRODUCTION: validators show it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext

NOT_FOR_PRODUCTION = "NOT FOR PRODUCTION"
CA_NAME = f"Formaliza CA local - {NOT_FOR_PRODUCTION}"
SEAL_NAME = f"Formaliza Selo local - {NOT_FOR_PRODUCTION}"
TSA_NAME = f"Formaliza TSA local - {NOT_FOR_PRODUCTION}"
ORGANIZATION = "Formaliza (ambiente local, NÃO USAR EM PRODUÇÃO)"

_FILES = ("ca.pem", "ca-key.pem", "seal.p12", "seal.p12.password", "tsa.pem", "tsa-key.pem")
_README = (
    "Infraestrutura de chaves LOCAL do Formaliza — NÃO USAR EM PRODUÇÃO (NOT FOR PRODUCTION).\n"
    "Gerada automaticamente para desenvolvimento e testes: uma AC, o certificado do selo "
    "(seal.p12, senha em seal.p12.password) e o certificado da TSA local.\n"
    "Em produção configure EVIDENCE_SIGNING_PKCS12, EVIDENCE_SIGNING_PKCS12_PASSWORD, "
    "EVIDENCE_TSA_URL e EVIDENCE_TRUST_ROOTS (veja docs/evidence.md).\n"
)


class PkiError(RuntimeError):
    """The configured certificate or key cannot be used (a terminal sealing failure)."""


@dataclass(frozen=True)
class EmbeddedPki:
    directory: Path

    def path(self, name: str) -> Path:
        return self.directory / name

    @property
    def ca_certificate(self) -> asn1_x509.Certificate:
        return load_certificate(self.path("ca.pem"))

    @property
    def tsa_certificate(self) -> asn1_x509.Certificate:
        return load_certificate(self.path("tsa.pem"))

    @property
    def tsa_private_key(self) -> asn1_keys.PrivateKeyInfo:
        _, _, der = pem.unarmor(self.path("tsa-key.pem").read_bytes())
        return asn1_keys.PrivateKeyInfo.load(der)


def is_embedded() -> bool:
    return not settings.EVIDENCE_SIGNING_PKCS12


def load_certificate(path: Path) -> asn1_x509.Certificate:
    data = Path(path).read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return asn1_x509.Certificate.load(data)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, NOT_FOR_PRODUCTION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=sign and not ca, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _issue(
    *,
    common_name: str,
    key: rsa.RSAPrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: rsa.RSAPrivateKey,
    days: int,
    extended_usage: list | None = None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    is_ca = issuer is None
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer.subject if issuer else _name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True, ca=is_ca), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
    )
    if extended_usage:
        # RFC 3161 §2.3: a TSA certificate has exactly one, critical, extended key usage.
        builder = builder.add_extension(x509.ExtendedKeyUsage(extended_usage), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, data: bytes, *, secret: bool) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o600 if secret else 0o644)
    os.replace(tmp, path)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_certificate(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _generate(directory: Path) -> None:
    ca_key, seal_key, tsa_key = _new_key(), _new_key(), _new_key()
    ca = _issue(common_name=CA_NAME, key=ca_key, issuer=None, issuer_key=ca_key, days=3650)
    seal = _issue(common_name=SEAL_NAME, key=seal_key, issuer=ca, issuer_key=ca_key, days=3650)
    tsa = _issue(
        common_name=TSA_NAME, key=tsa_key, issuer=ca, issuer_key=ca_key, days=3650,
        extended_usage=[ExtendedKeyUsageOID.TIME_STAMPING],
    )  # fmt: skip
    password = secrets.token_urlsafe(24)
    p12 = pkcs12.serialize_key_and_certificates(
        SEAL_NAME.encode(), seal_key, seal, [ca],
        serialization.BestAvailableEncryption(password.encode()),
    )  # fmt: skip
    _write(directory / "ca-key.pem", _pem_key(ca_key), secret=True)
    _write(directory / "tsa-key.pem", _pem_key(tsa_key), secret=True)
    _write(directory / "tsa.pem", _pem_certificate(tsa), secret=False)
    _write(directory / "seal.p12.password", password.encode(), secret=True)
    _write(directory / "seal.p12", p12, secret=True)
    _write(directory / "LEIA-ME.txt", _README.encode(), secret=False)
    # Last: its presence (with the others) marks a complete PKI.
    _write(directory / "ca.pem", _pem_certificate(ca), secret=False)


def embedded_pki(directory: Path | None = None) -> EmbeddedPki:
    """The embedded PKI (in `directory`, by default EVIDENCE_PKI_DIR), generated on first use.
    Several processes may start together: a file lock lets one generate while the others wait
    and then read it."""
    directory = Path(directory or settings.EVIDENCE_PKI_DIR)
    pki = EmbeddedPki(directory)
    if all(pki.path(name).exists() for name in _FILES):
        return pki
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not all(pki.path(name).exists() for name in _FILES):
                _generate(directory)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return pki


def _signing_material() -> tuple[Path, bytes]:
    if is_embedded():
        pki = embedded_pki()
        return pki.path("seal.p12"), pki.path("seal.p12.password").read_bytes().strip()
    return Path(
        settings.EVIDENCE_SIGNING_PKCS12
    ), settings.EVIDENCE_SIGNING_PKCS12_PASSWORD.encode()


@lru_cache(maxsize=4)
def _load_signer(path: str, _mtime_ns: int, _size: int, password: bytes) -> SimpleSigner:
    signer = SimpleSigner.load_pkcs12(path, passphrase=password or None)
    if signer is None:
        raise PkiError(
            "Não foi possível abrir o certificado de assinatura (arquivo PKCS#12 ou senha "
            "incorretos)."
        )
    # Intermediates go into the signature, the root does not: validators bring their own trust
    # anchors, and a smaller signature makes the file smaller and quicker to verify.
    signer.embed_roots = False
    return signer


def signer() -> SimpleSigner:
    """The platform's signer. Loading a key costs tens of milliseconds, so it is cached per
    process and reloaded when the file changes."""
    path, password = _signing_material()
    try:
        stat = path.stat()
    except OSError as exc:
        raise PkiError(f"Certificado de assinatura não encontrado em {path}.") from exc
    return _load_signer(str(path), stat.st_mtime_ns, stat.st_size, password)


@lru_cache(maxsize=4)
def _timestamper(url: str, timeout: float, auth: tuple[str, str] | None) -> HTTPTimeStamper:
    return HTTPTimeStamper(url, timeout=timeout, auth=auth)


def timestamper() -> HTTPTimeStamper:
    """pyHanko's RFC 3161 HTTP client for the configured TSA. Cached per process so the dummy
    token pyHanko requests once to size the signature is not fetched again for every seal."""
    auth = None
    if settings.EVIDENCE_TSA_USERNAME:
        auth = (settings.EVIDENCE_TSA_USERNAME, settings.EVIDENCE_TSA_PASSWORD)
    return _timestamper(settings.EVIDENCE_TSA_URL, settings.EVIDENCE_TSA_TIMEOUT_SECONDS, auth)


def trust_roots() -> list[asn1_x509.Certificate]:
    """Roots trusted for the seal and its timestamp: the configured ones, the embedded CA in
    embedded mode, and otherwise (when none is configured) the self-signed certificates that
    came with the PKCS#12 file."""
    roots = [load_certificate(Path(path)) for path in settings.EVIDENCE_TRUST_ROOTS]
    if is_embedded():
        roots.append(embedded_pki().ca_certificate)
    elif not roots:
        roots.extend(c for c in signer().cert_registry if c.self_signed != "no")
    return roots


def validation_context() -> ValidationContext:
    # No fetching: verification is a public endpoint and must not call arbitrary URLs found in
    # certificates. Revocation is soft-fail (our embedded CA publishes no CRL).
    return ValidationContext(
        trust_roots=trust_roots(), allow_fetching=False, revocation_mode="soft-fail"
    )


def reset_caches() -> None:
    """Forget cached signers and timestamp clients (tests switch configurations)."""
    _load_signer.cache_clear()
    _timestamper.cache_clear()
