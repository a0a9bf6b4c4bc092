"""sign_pdf: the provider countersigns an existing empty field with its PKCS#12 key (pyHanko)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pdf.small_agreement import finished  # tests/ is on sys.path (rootdir of the test packages)

from msa_builder.errors import SigningError
from msa_builder.signing import signature_fields, sign_pdf, verify_signed_pdf

from .conftest import PASSPHRASE
from .pki import sign_as


def _qpdf_check(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "checked.pdf"
    path.write_bytes(data)
    run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No syntax or stream encoding errors" in run.stdout


def test_the_provider_countersigns_after_the_client(execution, pki, provider_key):
    client_signed = sign_as(execution, pki.client)
    both = sign_pdf(client_signed, key=provider_key, passphrase=PASSPHRASE)
    assert both.startswith(client_signed), "an incremental update: what the client signed is the prefix"
    report = verify_signed_pdf(both, original=execution, trust_roots=[pki.ca.cert],
                               required_fields=("client_signature", "provider_signature"))
    assert report.valid, report.failures
    provider = next(s for s in report.signatures if s.field == "provider_signature")
    assert provider.signer.common_name == "Morgan Ellis" and provider.state == "valid"
    assert provider.revision == 2


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_qpdf_accepts_the_pdf_before_and_after_each_signature(execution, pki, provider_key, tmp_path):
    _qpdf_check(execution, tmp_path)
    client_signed = sign_as(execution, pki.client)
    _qpdf_check(client_signed, tmp_path)
    _qpdf_check(sign_pdf(client_signed, key=provider_key, passphrase=PASSPHRASE), tmp_path)


def test_an_unknown_field_is_refused_naming_the_fields_there_are(execution, provider_key):
    with pytest.raises(SigningError, match="no signature field 'provider'") as caught:
        sign_pdf(execution, key=provider_key, passphrase=PASSPHRASE, field="provider", source="x.pdf")
    assert caught.value.allowed == tuple(f.name for f in signature_fields(execution))
    assert caught.value.file == "x.pdf" and caught.value.field == "--field"


def test_a_draft_cannot_be_signed(provider_key):
    with pytest.raises(SigningError, match="no signature field") as caught:
        sign_pdf(finished(final=False), key=provider_key, passphrase=PASSPHRASE)
    assert "draft" in (caught.value.hint or "")


def test_a_signed_field_is_not_signed_again(execution, pki, provider_key):
    provider_signed = sign_as(execution, pki.provider, "provider_signature")
    with pytest.raises(SigningError, match="already signed") as caught:
        sign_pdf(provider_signed, key=provider_key, passphrase=PASSPHRASE)
    assert "provider_signature" not in caught.value.allowed and "client_signature" in caught.value.allowed


@pytest.mark.parametrize("passphrase", [b"wrong", None], ids=["wrong", "missing"])
def test_a_key_that_does_not_open_is_a_clear_error(execution, provider_key, passphrase):
    with pytest.raises(SigningError, match="cannot open the key") as caught:
        sign_pdf(execution, key=provider_key, passphrase=passphrase)
    assert caught.value.file == str(provider_key) and caught.value.field == "--key"


def test_a_key_that_is_not_pkcs12_or_not_there(execution, tmp_path):
    not_a_key = tmp_path / "key.p12"
    not_a_key.write_text("hello")
    with pytest.raises(SigningError, match="cannot open the key"):
        sign_pdf(execution, key=not_a_key, passphrase=None)
    with pytest.raises(SigningError, match="cannot read the key"):
        sign_pdf(execution, key=tmp_path / "missing.p12", passphrase=None)


def test_an_unencrypted_key_needs_no_passphrase(execution, pki, tmp_path):
    key = tmp_path / "plain.p12"
    key.write_bytes(pki.provider.pkcs12(None))
    signed = sign_pdf(execution, key=key, passphrase=None)
    assert {f.name for f in signature_fields(signed) if f.signed} == {"provider_signature"}
