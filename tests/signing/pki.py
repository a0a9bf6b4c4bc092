"""Test certificates made here with `cryptography`, and signing with them as a client would.

EC P-256 keys: generating them takes microseconds, where RSA keys would take most of a test's time.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

NOW = dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class Identity:
    """A certificate with its private key, and the chain above it (issuer first)."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...] = ()

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def pkcs12(self, passphrase: bytes | None) -> bytes:
        encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                      else serialization.NoEncryption())
        return pkcs12.serialize_key_and_certificates(b"signer", self.key, self.cert, list(self.chain) or None,
                                                     encryption)

    def signer(self) -> signers.SimpleSigner:
        """A pyHanko signer, as a client's signing application would hold it."""
        der = serialization.Encoding.DER
        key = asn1_keys.PrivateKeyInfo.load(self.key.private_bytes(der, serialization.PrivateFormat.PKCS8,
                                                                    serialization.NoEncryption()))
        chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in self.chain]
        return signers.SimpleSigner(signing_cert=asn1_x509.Certificate.load(self.cert.public_bytes(der)),
                                    signing_key=key, cert_registry=SimpleCertificateStore.from_certs(chain))


def _name(common: str, org: str | None = None, email: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    if email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attrs)


def make_ca(common: str = "Test Root CA") -> Identity:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common, "msa-builder tests")
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=30)).not_valid_after(NOW + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return Identity(cert, key)


def make_signer(common: str, *, org: str | None = None, email: str | None = None, issuer: Identity | None = None,
                valid_from: dt.datetime | None = None, valid_until: dt.datetime | None = None) -> Identity:
    """A document-signing certificate, issued by `issuer` (self-signed without one)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common, org, email)
    signing_key, issuer_name = (issuer.key, issuer.cert.subject) if issuer else (key, name)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer_name).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(valid_from or NOW - dt.timedelta(days=1))
               .not_valid_after(valid_until or NOW + dt.timedelta(days=365))
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    cert = builder.sign(signing_key, hashes.SHA256())
    return Identity(cert, key, (issuer.cert,) if issuer else ())


def sign_as(data: bytes, who: Identity, field: str = "client_signature") -> bytes:
    """`data` with `field` signed by `who` through pyHanko, as a client's signing application does."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    out = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name=field), signer=who.signer(),
                           existing_fields_only=True)
    return out.getvalue()


CLIENT_FIELDS = ("client_signature", "client_ack_mfa", "client_ack_backup", "client_schedule_signature")


def client_fields(data: bytes) -> tuple[str, ...]:
    """The client's signature fields of a PDF, in order (the test PDF's are CLIENT_FIELDS)."""
    from msa_builder.pdf.fields import signature_fields

    return tuple(f.name for f in signature_fields(data) if f.name.startswith("client_"))


def sign_all_client_fields(data: bytes, who: Identity) -> bytes:
    for field in client_fields(data):
        data = sign_as(data, who, field)
    return data
