"""Certificates: trust roots read from PEM or DER files, and a signer's name from its certificate."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from ..errors import SigningError
from .report import Signer


def load_trust_roots(paths: Iterable[Path]) -> list[x509.Certificate]:
    """Every certificate in the given PEM (one or more certificates) or DER files."""
    roots: list[x509.Certificate] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SigningError(f"cannot read the trust root: {exc.strerror}", file=str(path), field="--trust") from None
        try:
            found = x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data else [x509.load_der_x509_certificate(data)]
        except ValueError:
            raise SigningError("not a certificate (PEM or DER)", file=str(path), field="--trust",
                               hint="a trust root is a CA certificate, e.g. ca.pem with '-----BEGIN CERTIFICATE-----'") from None
        roots += found
    return roots


def as_asn1(certificates: Sequence[x509.Certificate]) -> list[asn1_x509.Certificate]:
    """pyHanko's certificate type, from `cryptography`'s (what callers make and load)."""
    return [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in certificates]


def signer_of(cert: asn1_x509.Certificate) -> Signer:
    """The signer named by a certificate: common name, organisation and email where present."""
    subject = cert.subject.native
    email = subject.get("email_address")
    if not email:
        for name in cert.subject_alt_name_value or ():
            if name.name == "rfc822_name":
                email = name.native
                break
    return Signer(common_name=_first(subject.get("common_name")), organisation=_first(subject.get("organization_name")),
                  email=_first(email), issuer=cert.issuer.human_friendly,
                  certificate_sha256=hashlib.sha256(cert.dump()).hexdigest())


def _first(value: object) -> str | None:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return str(value) if value else None
