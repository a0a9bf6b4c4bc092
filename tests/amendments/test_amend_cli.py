"""Amendments through the CLI, in a workspace: a client signed under library L1 is brought up to date.

The story of the issue: Harbor & Finch signs (verified evidence); the library gains approved new
versions of two clauses Harbor uses and one it does not; status says "needs amendment" naming the
two; `msa amend` writes Amendment No. 1 with the signed instrument's section numbers and the new
text of exactly those two; it goes through the lifecycle to signed; status is current with the
amendment; a second change gives Amendment No. 2 against the amended terms. The tests of this
module share that workspace and run in order; approval renders PDFs with LibreOffice.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from signing.pki import sign_as  # tests/ is on sys.path

from msa_builder.cli import main
from msa_builder.ledger import open_reader
from msa_builder.ooxml.package import read_parts
from msa_builder.pdf.fields import signature_fields

from lifecycle.conftest import PROVIDER_TEXT, snapshot

pytestmark = pytest.mark.soffice

REPO = Path(__file__).resolve().parents[2]
HARBOR = "Harbor & Finch LLP"


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root

    def run(self, *args: object, code: int | None = 0):
        result = CliRunner().invoke(main, ["--workspace", str(self.root), *[str(a) for a in args]])
        if code is not None:
            assert result.exit_code == code, result.output
        return result

    @property
    def out(self) -> Path:
        return self.root / "out"

    def records(self):
        with open_reader(self.root / "ledger.sqlite") as book:
            return book.history(book.resolve_client(HARBOR))

    def new_version(self, slot: str, old_text: str, new_text: str, changelog: str) -> str:
        """Draft, edit and approve the next minor version of a clause; returns its key."""
        self.run("library", "new-version", slot)
        folder = self.root / "clause_library" / "slots" / slot.split(":")[0] / slot.split(":")[1]
        newest = max(folder.glob("*.md"), key=lambda p: [int(x) for x in p.stem.split(".")])
        text = newest.read_text(encoding="utf-8")
        assert old_text in text, f"{old_text!r} not in {newest}"
        newest.write_text(text.replace(old_text, new_text, 1), encoding="utf-8")
        key = f"{slot}@{newest.stem}"
        self.run("library", "approve", key, "--by", "Avery Chen", "--changelog", changelog)
        return key

    def sign_and_record(self, certs, tmp: Path, fields: tuple[str, ...], which: list[str]) -> None:
        record = next(r for r in self.records() if r.status == "sent")
        pdf = (record.archive_folder / f"{record.agreement_id}.pdf").read_bytes()
        for field in fields:
            pdf = sign_as(pdf, certs.client, field)
        evidence = tmp / f"{record.agreement_id}-returned.pdf"
        evidence.write_bytes(pdf)
        result = self.run("ledger", "mark", HARBOR, "signed", "--evidence", evidence, *which)
        assert "evidence: verified: Dana Reyes" in result.stdout

    def lifecycle(self, certs, tmp: Path, fields: tuple[str, ...] = ("client_signature",), *,
                  kind: str = "amendment") -> None:
        """Review, approve, send and sign the newest draft of `kind` (a batch may have drafted an agreement too)."""
        draft = next(r for r in reversed(self.records()) if r.kind == kind and r.status == "draft")
        which = ["--record", str(draft.id)]
        self.run("ledger", "mark", HARBOR, "in_review", *which)
        self.run("approve", HARBOR, "--by", "Avery Chen", "--accept-deviations", *which)
        self.run("ledger", "mark", HARBOR, "sent", *which)
        self.sign_and_record(certs, tmp, fields, which)

    def status(self) -> dict:
        rows = json.loads(self.run("status", "--json").stdout)
        return next(r for r in rows if r["client"] == HARBOR)


@pytest.fixture(scope="module")
def ws(tmp_path_factory, certs) -> Workspace:
    root = tmp_path_factory.mktemp("amend") / "northwind"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    (root / "provider.yaml").write_text(PROVIDER_TEXT, encoding="utf-8")
    shutil.copy(REPO / "samples" / "harbor-finch.yaml", root / "clients" / "harbor-finch.yaml")
    (root / "trust").mkdir()
    (root / "trust" / "ca.pem").write_bytes(certs.ca.pem())
    workspace = Workspace(root)
    workspace.run("build", root / "clients" / "harbor-finch.yaml")
    workspace.lifecycle(certs, tmp_path_factory.mktemp("evidence"),
                        ("client_signature", "client_ack_security_training", "client_schedule_signature"),
                        kind="agreement")
    return workspace


@pytest.fixture(scope="module")
def evidence_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("returned")


def test_a_signed_current_client_has_nothing_to_amend_and_nothing_is_written(ws):
    before = snapshot(ws.out)
    result = ws.run("amend", HARBOR)
    assert result.stdout.startswith(f"{HARBOR}: current (MSA-") and "nothing to amend, nothing written" in result.stdout
    assert snapshot(ws.out) == before
    assert ws.status()["state"] == "current"


def test_the_library_moves_and_status_says_needs_amendment_naming_the_two(ws):
    ws.new_version("insurance.client_cyber:standard", "after each renewal or replacement of the policy.",
                   "after each renewal or replacement of the policy, and shall tell the Provider in writing within "
                   "ten days after any notice that the policy will be cancelled or not renewed.",
                   "The Client reports a notice of cancellation or non-renewal within ten days.")
    ws.new_version("governance.business_reviews:standard", "and record that offer in writing.",
                   "and record that offer in writing, with the dates offered.",
                   "The written offer of a new review date records the dates offered.")
    ws.new_version("addendum.hipaa_baa:healthcare", "Nothing in this addendum gives any right",
                   "Nothing in this addendum, and nothing in the Agreement, gives any right",
                   "No third-party rights under the Agreement either (Harbor & Finch has no BAA).")
    ws.run("library", "release")
    harbor = ws.status()
    assert harbor["state"] == "amend"
    assert harbor["changes"] == [
        "Section 4.2 (Business Reviews and Client Education) replaced: governance.business_reviews "
        "standard@1.2.0 \u2192 standard@1.3.0",
        "Section 8.1 (Client Cyber Insurance) replaced: insurance.client_cyber standard@2.0.0 \u2192 standard@2.1.0"]
    text = ws.run("status").stdout
    assert f"signed, needs amendment   {HARBOR} - signed (verified: Dana Reyes) MSA-" in text


def test_a_dry_run_lists_what_would_change_and_writes_nothing(ws):
    before = snapshot(ws.out)
    result = ws.run("amend", "--dry-run")
    assert f"{HARBOR}: would draft Amendment No. 1 to the signed MSA-" in result.stdout
    assert "  Section 8.1 (Client Cyber Insurance) replaced" in result.stdout
    assert result.stdout.splitlines()[-1] == "1 would draft, 1 unsigned"  # the workspace's example client
    assert snapshot(ws.out) == before


def _docx_text(path: Path) -> str:
    xml = read_parts(path.read_bytes())["word/document.xml"].decode("utf-8")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
    pieces = r"<w:t(?: [^>]*)?>([^<]*)</w:t>|(<w:tab/>)"
    return "\n".join("".join(t or "\t" for t, _ in re.findall(pieces, p)) for p in paragraphs)


def test_amendment_no_1_names_the_signed_sections_and_gives_exactly_their_new_text(ws):
    signed = ws.records()[0]
    result = ws.run("amend", HARBOR, "--format", "docx,pdf")
    assert result.stdout.startswith(f"{HARBOR}: Amendment No. 1 {signed.agreement_id}-A1-")
    folder = ws.out / signed.slug
    docx = folder / f"{signed.slug}-amendment-1.docx"
    text = _docx_text(docx).replace("&amp;", "&")
    assert f"AMENDMENT NO. 1 TO MASTER SERVICES AGREEMENT {signed.agreement_id}".lower() in text.lower()
    assert "Provider and Client are parties to the Master Services Agreement " + signed.agreement_id in text
    items = re.findall(r"^(\d+)\.\t(.*)$", text, re.M)
    assert [sentence for _, sentence in items][:2] == [
        "Section 4.2 (Business Reviews and Client Education) is deleted and replaced in its entirety with the "
        "following:",
        "Section 8.1 (Client Cyber Insurance) is deleted and replaced in its entirety with the following:"]
    assert [number for number, _ in items] == ["1", "2", "3", "4"]
    assert items[2][1].startswith("Effect. Except as amended by this Amendment, the Agreement remains unchanged and "
                                  "in full force and effect.")
    assert items[3][1].startswith("Counterparts. This Amendment may be signed in counterparts")
    assert "4.2 Business Reviews and Client Education." in text and "8.1 Client Cyber Insurance." in text
    assert "with the dates offered." in text and "within ten days after any notice that the policy" in text
    assert "HIPAA" not in text, "the clause the client does not use is not amended"
    assert "Limitation of Liability" not in text, "no unchanged section is restated"
    pdf = PdfReader(folder / f"{signed.slug}-amendment-1.pdf")
    assert pdf.metadata["/MsaAmends"] == signed.agreement_id and pdf.metadata["/MsaStatus"] == "draft"
    memo = _docx_text(folder / f"{signed.slug}-amendment-1-review.docx")
    assert "insurance.client_cyber:standard@2.1.0: The Client reports a notice of cancellation or non-renewal" in memo
    assert "<w:ins " in read_parts((folder / f"{signed.slug}-amendment-1-review.docx").read_bytes())[
        "word/document.xml"].decode("utf-8"), "each change has a tracked redline"
    record = ws.records()[-1]
    assert (record.kind, record.amends, record.amendment_no, record.status) == ("amendment", signed.id, 1, "draft")


def test_a_batch_leaves_the_amendment_beside_the_agreement(ws):
    signed = ws.records()[0]
    folder = ws.out / signed.slug
    amendment = {p.name for p in folder.glob(f"{signed.slug}-amendment-1*")}
    ws.run("batch", code=None)
    assert {p.name for p in folder.glob(f"{signed.slug}-amendment-1*")} == amendment
    assert [r.kind for r in ws.records()].count("amendment") == 1


def test_amendment_no_1_goes_through_the_lifecycle_and_status_is_current_with_it(ws, certs, evidence_dir):
    ws.lifecycle(certs, evidence_dir)
    amendment = next(r for r in ws.records() if r.kind == "amendment")
    assert amendment.status == "signed" and amendment.evidence["verified"]
    pdf = (amendment.archive_folder / f"{amendment.agreement_id}.pdf").read_bytes()
    assert [f.name for f in signature_fields(pdf)] == ["provider_signature", "client_signature"]
    records = ws.records()
    assert records[0].status == "signed", "the agreement stays in force beside its amendment"
    assert [r.status for r in records if r.kind == "agreement"][-1] == "draft", "the batch's draft is still open"
    harbor = ws.status()
    assert harbor["state"] == "current"
    assert harbor["in_force"] == f"{records[0].agreement_id} + Amendment 1 (signed {amendment.status_at[:10]})"
    line = next(x for x in ws.run("status").stdout.splitlines() if HARBOR in x)
    assert f"current: signed (verified: Dana Reyes) {records[0].agreement_id} + Amendment 1 (signed " in line


def test_the_conformed_copy_is_the_agreement_as_amended(ws):
    result = ws.run("build", HARBOR, "--conformed")
    assert "conformed copy of MSA-" in result.stdout and "+ Amendment 1" in result.stdout
    signed = ws.records()[0]
    text = _docx_text(ws.out / signed.slug / f"{signed.slug}-conformed.docx")
    assert "CONFORMED COPY FOR REFERENCE \u2014 NOT FOR SIGNATURE" in text and "DRAFT" not in text
    assert "within ten days after any notice that the policy" in text and "with the dates offered." in text


def test_a_second_change_gives_amendment_no_2_against_the_amended_terms(ws, certs, evidence_dir):
    ws.new_version("insurance.client_cyber:standard", "within ten days after any notice",
                   "within five Business Days after any notice", "Five Business Days, not ten days.")
    ws.run("library", "release")
    harbor = ws.status()
    assert harbor["state"] == "amend"
    assert harbor["changes"] == ["Section 8.1 (Client Cyber Insurance) replaced: insurance.client_cyber "
                                 "standard@2.1.0 \u2192 standard@2.2.0"]
    result = ws.run("amend", HARBOR)
    signed = ws.records()[0]
    assert f"Amendment No. 2 {signed.agreement_id}-A2-" in result.stdout
    text = _docx_text(ws.out / signed.slug / f"{signed.slug}-amendment-2.docx").replace("&amp;", "&")
    assert "as amended by Amendment No. 1 (" + signed.agreement_id + "-A1-" in text
    assert re.findall(r"^\d+\.\t(Section .*)$", text, re.M) == [
        "Section 8.1 (Client Cyber Insurance) is deleted and replaced in its entirety with the following:"]
    ws.lifecycle(certs, evidence_dir)
    assert ws.status()["in_force"].endswith("+ Amendment 2 (signed " + ws.records()[-1].status_at[:10] + ")")


def test_a_new_tier_needs_a_restated_agreement_and_amend_refuses_it(ws):
    profile = ws.root / "clients" / "harbor-finch.yaml"
    original = profile.read_text(encoding="utf-8")
    try:
        profile.write_text(original.replace("tier: managed", "tier: security_plus"), encoding="utf-8")
        harbor = ws.status()
        assert harbor["state"] == "restate"
        assert harbor["reasons"][0].startswith("the tier changes (Fully Managed Services \u2192")
        before = snapshot(ws.out)
        refused = ws.run("amend", HARBOR, code=2)
        assert "NEEDS A RESTATED AGREEMENT" in refused.stdout and "the tier changes" in refused.stdout
        assert snapshot(ws.out) == before
        assert "NEEDS RESTATED AGREEMENT" in ws.run("status").stdout
    finally:
        profile.write_text(original, encoding="utf-8")
