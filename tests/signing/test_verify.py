"""verify_signed_pdf on the small execution PDF, signed here with test certificates.

Every refusal reason has its own test: not a PDF, no signatures, another original, content
changed after (or before) signing, a broken signature, an expired certificate, an unsigned
required field.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from pdf.small_agreement import finished  # tests/ is on sys.path (rootdir of the test packages)

from msa_builder.signing import InstrumentRef, verify_signed_pdf
from msa_builder.signing.report import (
    BROKEN_SIGNATURE,
    CERTIFICATE_NOT_VALID,
    CONTENT_CHANGED,
    NO_SIGNATURES,
    NOT_A_PDF,
    ORIGINAL_MISMATCH,
    REQUIRED_FIELD_UNSIGNED,
    UNREADABLE,
)

from .pki import sign_all_client_fields, sign_as
from .tamper import add_page, add_page_content, flip


@pytest.fixture(scope="module")
def signed(execution, pki) -> bytes:
    """The execution PDF with the client's signature field signed by the client."""
    return sign_as(execution, pki.client)


def test_a_client_signed_execution_pdf_is_valid_and_trusted(execution, signed, pki):
    report = verify_signed_pdf(signed, original=execution, trust_roots=[pki.ca.cert])
    assert report.verdict == "valid" and report.exit_code == 0 and report.failures == ()
    assert report.original_matches is True
    assert report.original_sha256 == hashlib.sha256(execution).hexdigest()
    (signature,) = report.signatures
    assert signature.field == "client_signature" and signature.revision == 1
    assert signature.state == "valid" and signature.trusted
    assert signature.signer.common_name == "Dana Reyes"
    assert signature.signer.organisation == "Harbor & Finch LLP"
    assert signature.signer.email == "dana@example.com"
    assert signature.signed_at is not None and signature.signed_at.tzinfo is not None
    assert report.modification_level in ("none", "lta_updates", "form_filling")


def test_revisions_name_the_original_and_each_signature(execution, pki):
    both = sign_as(sign_as(execution, pki.client), pki.provider, "provider_signature")
    report = verify_signed_pdf(both, original=execution, trust_roots=[pki.ca.cert],
                               required_fields=("client_signature", "provider_signature"))
    assert report.valid
    assert [(r.index, r.kind, r.field) for r in report.revisions] == [
        (0, "original", None), (1, "signature", "client_signature"), (2, "signature", "provider_signature")]
    assert report.revisions[0].end == len(execution)
    assert report.revisions[-1].end == len(both)
    assert {s.field: s.signer.common_name for s in report.signatures} == {
        "client_signature": "Dana Reyes", "provider_signature": "Morgan Ellis"}
    fields = {f.name: f.signed for f in report.fields}
    assert fields == {"provider_signature": True, "client_signature": True, "client_ack_mfa": False,
                      "client_ack_backup": False, "client_schedule_signature": False}


def test_a_signer_no_trust_root_vouches_for_is_accepted_but_not_trusted(execution, pki):
    by_stranger = sign_as(execution, pki.stranger)
    report = verify_signed_pdf(by_stranger, original=execution, trust_roots=[pki.ca.cert])
    assert report.verdict == "valid"
    (signature,) = report.signatures
    assert signature.state == "valid, not trusted" and not signature.trusted
    assert signature.trust_problem and "configured" not in signature.trust_problem


def test_without_trust_roots_every_signer_is_not_trusted(signed):
    (signature,) = verify_signed_pdf(signed).signatures
    assert signature.state == "valid, not trusted"
    assert signature.trust_problem == "no trust root configured"


def test_without_an_original_the_hash_still_names_the_instrument(execution, signed):
    looked_up: list[str] = []

    def find(sha256: str) -> InstrumentRef | None:
        looked_up.append(sha256)
        return InstrumentRef("MSA-TEST", "Harbor & Finch LLP", record=7, status="sent")

    report = verify_signed_pdf(signed, find_instrument=find)
    assert report.valid and report.original_matches is None
    assert looked_up == [hashlib.sha256(execution).hexdigest()] == [report.original_sha256]
    assert report.instrument == InstrumentRef("MSA-TEST", "Harbor & Finch LLP", record=7, status="sent")


def test_the_report_is_json(execution, signed):
    data = json.loads(json.dumps(verify_signed_pdf(signed, original=execution).as_dict()))
    assert data["verdict"] == "valid" and data["failures"] == []
    assert data["signatures"][0]["signer"]["common_name"] == "Dana Reyes"
    assert data["signatures"][0]["state"] == "valid, not trusted"
    assert [r["kind"] for r in data["revisions"]] == ["original", "signature"]
    assert data["metadata"] == {}, "the small PDF carries none of our metadata"


# --- refusals -------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b"hello, world", b"PK\x03\x04 a zip file"], ids=["empty", "text", "zip"])
def test_something_that_is_not_a_pdf_is_unusable(data):
    report = verify_signed_pdf(data)
    assert report.verdict == "unusable" and report.exit_code == 2
    assert report.failure_codes() == [NOT_A_PDF]


@pytest.mark.parametrize("damage", [
    lambda pdf: pdf[: len(pdf) // 3],
    lambda pdf: pdf.replace(b"endobj", b"endjob", 3),
    lambda pdf: pdf.replace(b"/Type /Page", b"/Type [ /Page", 1),
], ids=["truncated", "broken-objects", "broken-dictionary"])
def test_a_damaged_pdf_is_unusable(signed, damage):
    report = verify_signed_pdf(damage(signed))
    assert report.verdict == "unusable" and report.failure_codes() == [UNREADABLE]
    assert report.failures[0].message.startswith("the PDF cannot be read")


def test_an_unsigned_pdf_has_no_signatures(execution):
    report = verify_signed_pdf(execution, original=execution)
    assert report.verdict == "invalid" and report.exit_code == 1
    assert report.failure_codes() == [NO_SIGNATURES]
    assert report.original_matches is True


def test_a_signed_copy_of_another_pdf_is_not_this_instrument(signed, pki):
    other = finished(title="Another client's agreement")
    report = verify_signed_pdf(signed, original=other, trust_roots=[pki.ca.cert])
    assert report.verdict == "invalid"
    assert report.failure_codes() == [ORIGINAL_MISMATCH]
    assert report.original_matches is False
    assert hashlib.sha256(other).hexdigest() in report.failures[0].message


def test_a_truncated_original_does_not_match(execution, signed):
    report = verify_signed_pdf(signed, original=execution[:-200])
    assert ORIGINAL_MISMATCH in report.failure_codes()


@pytest.mark.parametrize("tamper", [add_page_content, add_page], ids=["page-content", "new-page"])
def test_content_changed_after_signing_is_refused(execution, signed, pki, tamper):
    tampered = tamper(signed)
    report = verify_signed_pdf(tampered, original=execution, trust_roots=[pki.ca.cert])
    assert report.verdict == "invalid"
    assert CONTENT_CHANGED in report.failure_codes()
    assert report.revisions[-1].kind == "update"
    assert report.original_matches is True, "the original is still the prefix: only the update is wrong"


def test_content_changed_before_the_client_signed_is_refused(execution, pki):
    """The client's signature is intact, but it signed pages someone changed after we sent them."""
    tampered_then_signed = sign_as(add_page_content(execution), pki.client)
    report = verify_signed_pdf(tampered_then_signed, original=execution, trust_roots=[pki.ca.cert])
    assert report.signatures[0].intact
    assert report.failure_codes() == [CONTENT_CHANGED]


def test_a_byte_flipped_inside_the_signed_range_breaks_the_signature(signed, pki):
    broken = flip(signed, b"Test agreement")  # the /Title, inside the range the client signed
    report = verify_signed_pdf(broken, trust_roots=[pki.ca.cert])
    assert report.verdict == "invalid"
    assert BROKEN_SIGNATURE in report.failure_codes()
    assert report.signatures[0].state == "broken"
    assert report.failures[0].field == "client_signature"


def test_a_certificate_expired_when_it_signed_is_refused(execution, pki):
    report = verify_signed_pdf(sign_as(execution, pki.expired), original=execution, trust_roots=[pki.ca.cert])
    assert report.failure_codes() == [CERTIFICATE_NOT_VALID]
    assert report.signatures[0].state == "certificate not valid at signing time"


def test_the_client_field_must_be_signed(execution, pki):
    only_an_acknowledgement = sign_as(execution, pki.client, "client_ack_mfa")
    report = verify_signed_pdf(only_an_acknowledgement, original=execution)
    assert report.failure_codes() == [REQUIRED_FIELD_UNSIGNED]
    assert report.failures[0].field == "client_signature"


def test_required_fields_are_the_callers_choice(execution, signed, pki):
    report = verify_signed_pdf(signed, original=execution,
                               required_fields=("client_signature", "provider_signature"))
    assert report.failure_codes() == [REQUIRED_FIELD_UNSIGNED]
    assert report.failures[0].field == "provider_signature"
    every_client_field = sign_all_client_fields(execution, pki.client)
    assert verify_signed_pdf(every_client_field, original=execution, required_fields=(
        "client_signature", "client_ack_mfa", "client_ack_backup", "client_schedule_signature")).valid
