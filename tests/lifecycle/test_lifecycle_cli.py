"""The lifecycle through the CLI: build → review → approve → sent → signed with evidence → verify.

Approval renders the execution PDF with LibreOffice; the client signs it with pyHanko using a
certificate made here; every tampering case is refused with exit 2 and changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pypdf import PdfReader
from signing.pki import sign_all_client_fields, sign_as
from signing.tamper import add_page_content, flip

from msa_builder.ooxml.package import read_parts
from msa_builder.ooxml.props import read_custom
from msa_builder.pdf.fields import signature_fields

from .conftest import HARBOR, World, approved, archive_of, archived_record, new_world, snapshot, writable

pytestmark = pytest.mark.soffice

FIELDS = ["provider_signature", "client_signature", "client_ack_security_training", "client_schedule_signature"]


@pytest.fixture(scope="module")
def sent(tmp_path_factory) -> World:
    """Harbor & Finch approved and sent; the refusal tests below never change its state."""
    world = approved(new_world(tmp_path_factory.mktemp("sent") / "provider"))
    result = world.run("ledger", "mark", HARBOR, "sent", "--by", "ops")
    assert result.exit_code == 0, result.output
    return world


@pytest.fixture(scope="module")
def signed(tmp_path_factory, certs) -> tuple[World, Path]:
    """Harbor & Finch approved, sent, signed by the client with pyHanko and recorded with that evidence."""
    world = approved(new_world(tmp_path_factory.mktemp("signed") / "provider"))
    assert world.run("ledger", "mark", HARBOR, "sent").exit_code == 0
    execution = _execution_pdf(world)
    evidence = world.root / "returned-by-client.pdf"
    evidence.write_bytes(sign_all_client_fields(execution, certs.client))
    (world.root / "ca.pem").write_bytes(certs.ca.pem())
    result = world.run("ledger", "mark", HARBOR, "signed", "--evidence", evidence, "--trust", world.root / "ca.pem",
                       "--by", "ops")
    assert result.exit_code == 0, result.output
    assert "evidence: verified: Dana Reyes" in result.stdout
    return world, evidence


def _execution_pdf(world: World) -> bytes:
    record = archived_record(world)
    return (archive_of(world) / f"{record.agreement_id}.pdf").read_bytes()


# -- approval -------------------------------------------------------------------------------------

def test_approval_archives_a_read_only_execution_version_with_signature_fields(sent, tmp_path):
    record = sent.record()
    folder = archive_of(sent)
    assert folder == sent.out / record.slug / "archive" / record.agreement_id
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"{record.agreement_id}{suffix}" for suffix in
                           (".docx", ".pdf", "-agreement.json", "-lock.json"))
    assert oct(folder.stat().st_mode & 0o777) == "0o555"
    for path in folder.iterdir():
        assert oct(path.stat().st_mode & 0o777) == "0o444"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == record.archived_files[path.name]
    pdf = _execution_pdf(sent)
    assert [f.name for f in signature_fields(pdf)] == FIELDS
    assert [name for name, _, _ in enumerate_sig_fields(PdfFileReader(io.BytesIO(pdf)))] == FIELDS
    assert record.execution_sha256 == record.sent_sha256 == hashlib.sha256(pdf).hexdigest()
    (tmp_path / "x.pdf").write_bytes(pdf)
    check = subprocess.run(["qpdf", "--check", str(tmp_path / "x.pdf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_id_in_the_document_lock_pdf_and_ledger_agree_and_it_says_execution_version(sent):
    record = sent.record()
    folder = archive_of(sent)
    parts = read_parts((folder / f"{record.agreement_id}.docx").read_bytes())
    assert read_custom(parts["docProps/custom.xml"])["msa.agreement_id"] == record.agreement_id
    assert read_custom(parts["docProps/custom.xml"])["msa.status"] == "execution"
    assert "EXECUTION VERSION" in parts["word/header1.xml"].decode("utf-8")
    assert "DRAFT" not in b"".join(v for k, v in parts.items() if k.endswith(".xml")).decode("utf-8")
    lock = json.loads((folder / f"{record.agreement_id}-lock.json").read_bytes())
    assert lock["bom"]["agreement_id"] == record.agreement_id and lock["bom"]["execution"] is True
    pdf = PdfReader(folder / f"{record.agreement_id}.pdf")
    assert pdf.metadata["/MsaAgreementId"] == record.agreement_id and pdf.metadata["/MsaStatus"] == "execution"
    draft = json.loads((sent.out / record.slug / f"{record.slug}-lock.json").read_bytes())
    assert [c["sha256"] for c in lock["bom"]["clauses"]] == [c["sha256"] for c in draft["bom"]["clauses"]]


def test_approval_is_recorded_with_who_the_accepted_points_and_the_hashes(sent):
    shown = sent.run("ledger", "show", HARBOR, "--json")
    [record] = json.loads(shown.stdout)
    approval = next(e for e in record["events"] if e["to_status"] == "approved")
    assert approval["by"] == "Avery Chen"
    assert approval["hashes"] == record["archive"]["files"]
    assert any(point.startswith("Deviation: client_cyber_insurance_minimum") for point in record["archive"]["accepted"])
    sending = next(e for e in record["events"] if e["to_status"] == "sent")
    assert sending["hashes"] == {"sent": record["execution_sha256"]} and sending["by"] == "ops"


def test_approval_is_refused_with_every_reason_until_the_points_are_accepted(world):
    world.build("harbor-finch.yaml")
    early = world.run("approve", HARBOR, "--by", "Avery Chen")
    assert early.exit_code == 2 and "can move to 'approved'" in early.stderr  # a draft is not in review yet
    assert world.run("ledger", "mark", HARBOR, "in_review").exit_code == 0
    refused = world.run("approve", HARBOR, "--by", "Avery Chen")
    assert refused.exit_code == 2
    lines = refused.stderr.splitlines()
    assert lines[0].endswith("approval refused for record #1 (" + world.record().agreement_id + "): 6 reason(s)")
    assert lines[1].startswith("  needs a human decision: Deviation: client_cyber_insurance_minimum is $3,000,000")
    assert "--accept-deviations" in lines[-1]
    assert world.record().status == "in_review" and world.record().archive is None
    assert not (world.out / world.record().slug / "archive").exists()
    generic = world.run("ledger", "mark", HARBOR, "approved", "--by", "Avery Chen")
    assert generic.exit_code == 2 and "6 reason(s)" in generic.stderr, "ledger mark approved: the same checks"


def test_approval_is_refused_for_a_draft_clause(world):
    # term.renewal 1.1.0 is a draft, the newest version before 2026-12-01
    world.build("harbor-finch.yaml", "--allow-drafts", "--as-of", "2026-11-15")
    assert world.run("ledger", "mark", HARBOR, "in_review").exit_code == 0
    refused = world.run("approve", HARBOR, "--by", "Avery Chen", "--accept-deviations")
    assert refused.exit_code == 2
    assert "term.renewal:standard@1.1.0: is a draft clause version" in refused.stderr


def test_approval_is_refused_when_an_approved_clause_no_longer_has_its_released_text(world):
    library = Path(shutil.copytree(Path(__file__).resolve().parents[2] / "msa_builder" / "data" / "clause_library",
                                   world.root / "library"))
    world.build("harbor-finch.yaml", "--library", library)
    assert world.run("ledger", "mark", HARBOR, "in_review").exit_code == 0
    clause = library / "slots" / "general.governing_law" / "standard" / "2.0.0.md"
    clause.write_text(clause.read_text(encoding="utf-8") + "\nAn edit after release.\n", encoding="utf-8")
    refused = world.run("approve", HARBOR, "--by", "Avery Chen", "--accept-deviations")
    assert refused.exit_code == 2
    assert "general.governing_law:standard@2.0.0: its text differs from its released hash" in refused.stderr


def test_approval_is_refused_for_a_draft_edited_after_it_was_built_or_naming_the_sample_provider(world):
    world.build("harbor-finch.yaml")
    record = world.record()
    docx = world.out / record.slug / f"{record.slug}-msa.docx"
    docx.write_bytes(docx.read_bytes() + b"\0")
    assert world.run("ledger", "mark", HARBOR, "in_review").exit_code == 0
    refused = world.run("approve", HARBOR, "--by", "Avery Chen", "--accept-deviations")
    assert refused.exit_code == 2 and f"{record.slug}-msa.docx: changed since it was built" in refused.stderr

    result = world.run("build", world.clients / "copper-kettle.yaml")  # the shipped sample provider
    assert result.exit_code == 0
    assert world.run("ledger", "mark", "Copper Kettle Bakery LLC", "in_review").exit_code == 0
    refused = world.run("approve", "Copper Kettle Bakery LLC", "--by", "Avery Chen", "--accept-deviations")
    assert refused.exit_code == 2 and "the fictional sample provider" in refused.stderr


def test_a_draft_can_be_sent_back_with_a_comment(world):
    world.build("harbor-finch.yaml")
    assert world.run("ledger", "mark", HARBOR, "in_review").exit_code == 0
    back = world.run("send-back", HARBOR, "--by", "Avery Chen", "--note", "Raise the cyber insurance minimum")
    assert back.exit_code == 0, back.output
    assert world.record().status == "draft"
    shown = json.loads(world.run("ledger", "show", HARBOR, "--json").stdout)[0]
    assert shown["events"][-1]["note"] == "Raise the cyber insurance minimum"


# -- a draft is never sent, an approved instrument is never signed without evidence ----------------

def test_only_an_approved_instrument_is_sent(world):
    world.build("harbor-finch.yaml")
    refused = world.run("ledger", "mark", HARBOR, "sent")
    assert refused.exit_code == 2 and "can move to 'sent'" in refused.stderr
    assert world.run("ledger", "mark", HARBOR, "in_review").exit_code == 0
    refused = world.run("ledger", "mark", HARBOR, "sent")
    assert refused.exit_code == 2 and world.record().status == "in_review"


def _refused(world: World, *args: object) -> str:
    before = world.record()
    archived = snapshot(archive_of(world))
    result = world.run("ledger", "mark", HARBOR, "signed", *args)
    assert result.exit_code == 2, result.output
    assert world.record() == before, "the status is unchanged"
    assert snapshot(archive_of(world)) == archived, "the archive is unchanged"
    return result.stderr


def test_signed_needs_evidence(sent):
    assert "can be marked signed only with evidence" in _refused(sent)


def test_evidence_made_from_another_pdf_is_refused(sent, certs, tmp_path):
    record = sent.record()
    draft = sent.out / record.slug / f"{record.slug}-msa.docx"
    other = _execution_pdf(sent).replace(b"/MsaStatus (execution)", b"/MsaStatus (executiox)")
    (tmp_path / "other.pdf").write_bytes(sign_all_client_fields(other, certs.client))
    assert draft.exists()
    assert "original revision is not the execution PDF" in _refused(sent, "--evidence", tmp_path / "other.pdf")


def test_content_changed_after_signing_is_refused(sent, certs, tmp_path):
    tampered = add_page_content(sign_all_client_fields(_execution_pdf(sent), certs.client))
    (tmp_path / "tampered.pdf").write_bytes(tampered)
    assert "changes more than signatures and form fields" in _refused(sent, "--evidence", tmp_path / "tampered.pdf")


def test_a_broken_signature_is_refused(sent, certs, tmp_path):
    signed = sign_all_client_fields(_execution_pdf(sent), certs.client)
    (tmp_path / "broken.pdf").write_bytes(flip(signed, b"Client signs the schedule"))
    stderr = _refused(sent, "--evidence", tmp_path / "broken.pdf")
    assert "is broken" in stderr or "original revision is not the execution PDF" in stderr


def test_an_unsigned_client_field_is_refused(sent, certs, tmp_path):
    provider_only = sign_as(_execution_pdf(sent), certs.provider, "provider_signature")
    (tmp_path / "provider-only.pdf").write_bytes(provider_only)
    assert "client_signature is not signed" in _refused(sent, "--evidence", tmp_path / "provider-only.pdf")


def test_an_empty_or_missing_evidence_file_is_refused(sent, tmp_path):
    (tmp_path / "empty.pdf").write_bytes(b"")
    assert "the evidence file is empty" in _refused(sent, "--evidence", tmp_path / "empty.pdf")
    assert "cannot read the evidence" in _refused(sent, "--evidence", tmp_path / "nowhere.pdf")


# -- signed with verified evidence ----------------------------------------------------------------

def test_verified_evidence_is_archived_read_only_and_named_in_status(signed):
    world, evidence = signed
    record = archived_record(world)
    assert record.status == "signed" and record.evidence["verified"] is True
    copy = archive_of(world) / f"{record.agreement_id}-signed.pdf"
    assert copy.read_bytes() == evidence.read_bytes() and oct(copy.stat().st_mode & 0o777) == "0o444"
    check = subprocess.run(["qpdf", "--check", str(copy)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr  # after signing, as before
    assert record.evidence["sha256"] == hashlib.sha256(evidence.read_bytes()).hexdigest()
    assert {s["name"] for s in record.evidence["signers"]} == {"Dana Reyes"}
    assert all(s["trusted"] for s in record.evidence["signers"])
    status = world.run("status", world.clients, "--provider", world.provider)
    line = next(x for x in status.stdout.splitlines() if HARBOR in x)
    assert line.startswith(f"signed, current           {HARBOR} - current: signed (verified: Dana Reyes) "
                           f"{record.agreement_id}; latest #")


def test_verify_finds_the_instrument_in_the_ledger(signed):
    world, evidence = signed
    result = world.run("verify", evidence, "--ledger", world.ledger, common=False)
    assert result.exit_code == 0, result.output
    record = archived_record(world)
    assert f"ledger       {record.agreement_id} \u00b7 {HARBOR} record #{record.id}, signed" in result.stdout
    assert "exactly the execution version approved" in result.stdout
    as_json = json.loads(world.run("verify", evidence, "--ledger", world.ledger, "--json", common=False).stdout)
    assert as_json["instrument"]["record"] == record.id and as_json["verdict"] == "valid"


def test_rebuilds_and_batches_write_beside_the_archive_and_never_touch_it(signed):
    world, _ = signed
    folder = archive_of(world)
    before = snapshot(folder)
    world.build("harbor-finch.yaml")  # unchanged: nothing new
    profile = world.clients / "harbor-finch.yaml"
    original = profile.read_text(encoding="utf-8")
    try:
        profile.write_text(original.replace("Dana Reyes", "Dana R. Reyes"), encoding="utf-8")
        world.build("harbor-finch.yaml")
        result = world.run("batch", world.clients, "--provider", world.provider, "--jobs", "1")
        assert result.exit_code in (0, 1), result.output
    finally:
        profile.write_text(original, encoding="utf-8")
    assert snapshot(folder) == before
    records = world.records()
    assert [r.status for r in records] == ["signed", "draft"], "the new build is a new draft beside it"
    assert records[1].agreement_id != records[0].agreement_id


def test_a_comment_in_a_signed_clients_profile_leaves_it_current(signed):
    world, _ = signed
    profile = world.clients / "harbor-finch.yaml"
    original = profile.read_text(encoding="utf-8")
    try:
        profile.write_text("# reviewed with the client on 2026-12-01\n" + original, encoding="utf-8")
        rows = json.loads(world.run("status", world.clients, "--provider", world.provider, "--json").stdout)
        harbor = next(r for r in rows if r["client"] == HARBOR)
        assert (harbor["state"], harbor["changes"]) == ("current", [])
        assert harbor["signed_evidence"] == "verified: Dana Reyes" and harbor["signed_verified"] is True
    finally:
        profile.write_text(original, encoding="utf-8")


def test_an_altered_archive_is_reported_loudly_and_nothing_repairs_it(signed):
    world, _ = signed
    record = archived_record(world)
    folder = record.archive_folder
    target = folder / f"{record.agreement_id}.docx"
    undo = writable(target)
    original = target.read_bytes()
    try:
        target.write_bytes(original + b"tampered")
        undo()
        status = world.run("status", world.clients, "--provider", world.provider)
        assert status.exit_code == 1
        assert f"!! ARCHIVE ALTERED: record #{record.id} {record.agreement_id}: {target.name} altered" in status.stdout
        assert "ARCHIVED INSTRUMENT(S) ALTERED OR MISSING".lower() in status.stdout.lower()
        assert target.read_bytes() == original + b"tampered", "nothing repairs it"
        shown = world.run("ledger", "show", HARBOR)
        assert "!! ARCHIVE ALTERED" in shown.stdout
    finally:
        writable(target)
        target.write_bytes(original)
        undo()
    assert world.run("status", world.clients, "--provider", world.provider).exit_code == 0


def test_kill_9_during_a_batch_never_touches_the_archive(signed, tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from generate_profiles import generate

    world, _ = signed
    folder = archive_of(world)
    before = snapshot(folder)
    many = tmp_path / "many"
    generate(many, count=12)
    shutil.copy(world.clients / "harbor-finch.yaml", many / "harbor-finch.yaml")
    batch = subprocess.Popen([sys.executable, "-c", "from msa_builder.cli import main; main()", "batch", str(many),
                              "--provider", str(world.provider), "--out", str(world.out), "--format", "docx,pdf",
                              "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    assert batch.stderr is not None
    first = batch.stderr.readline()
    assert first.startswith("[ 1/13]"), first
    os.killpg(batch.pid, signal.SIGKILL)
    batch.wait()
    batch.stderr.close()
    assert snapshot(folder) == before
    assert world.records()[0].status == "signed"


# -- unverified evidence --------------------------------------------------------------------------

def test_unverified_evidence_needs_a_reason_and_says_so_in_status(world):
    approved(world)
    assert world.run("ledger", "mark", HARBOR, "sent").exit_code == 0
    scan = world.root / "wet-ink-scan.PDF"
    scan.write_bytes(b"%PDF-1.4 a scan of the signed pages")
    no_reason = world.run("ledger", "mark", HARBOR, "signed", "--evidence", scan, "--unverified", " ")
    assert no_reason.exit_code == 2 and world.record().status == "sent"
    result = world.run("ledger", "mark", HARBOR, "signed", "--evidence", scan, "--unverified",
                       "wet-ink signature, scanned by reception")
    assert result.exit_code == 0, result.output
    record = world.record()
    assert record.evidence["verified"] is False and record.evidence["reason"] == "wet-ink signature, scanned by reception"
    assert (archive_of(world) / f"{record.agreement_id}-evidence.pdf").read_bytes() == scan.read_bytes()
    status = world.run("status", world.clients, "--provider", world.provider)
    assert f"signed (unverified evidence) {record.agreement_id}" in status.stdout
