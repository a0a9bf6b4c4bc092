"""Identity: the right client, always (ledger references, agreement ids, folder names, planted links)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from msa_builder.batch import BatchConfig, run_batch
from msa_builder.batch.coverage import coverage_report
from msa_builder.outputs import BuildOptions, build
from msa_builder.cli import main
from msa_builder.errors import LedgerError, OutputError
from msa_builder.identity import client_folder, folder_candidates, lock_owner
from msa_builder.ledger import Ledger
from msa_builder.profile import slugify

DATA = Path(__file__).resolve().parents[1] / "msa_builder" / "data"
PROVIDER_FILE = DATA / "provider.yaml"
TEMPLATES = DATA / "templates"

# Two legal names that fold to the same letters and share the 24 bits of slug hash (found by a
# search over spellings of one name); so do their derived agreement ids, on the same date.
TWIN_A = "Acme / Widgets-Supply LLC"
TWIN_B = "acme WIDGETS - Supply llc"


def lock(client: str, n: int = 1, agreement_id: str = "MSA-1") -> dict[str, Any]:
    return {"bom_sha256": f"bom{n}", "outputs": {}, "bom": {
        "client": client, "agreement_id": agreement_id, "library": {"name": "lib", "version": "1"},
        "tool": {"name": "msa-builder", "version": "0"}}}


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / "ledger.sqlite") as book:
        yield book


def test_the_twins_really_share_a_folder_name():
    assert TWIN_A != TWIN_B and slugify(TWIN_A) == slugify(TWIN_B) == "acme-widgets-supply-llc-56b5e4"


# -- ledger references ------------------------------------------------------------------------------

def test_an_exact_name_wins_over_one_that_differs_only_in_case(ledger):
    ledger.record_build(lock("Acme LLC", 1), lock_sha256="a", slug="acme-1", directory="/o", source="a.yaml")
    ledger.record_build(lock("ACME LLC", 2, "MSA-2"), lock_sha256="b", slug="acme-2", directory="/o", source="b.yaml")
    assert ledger.resolve_client("ACME LLC") == "acme-2"
    assert ledger.resolve_client("Acme LLC") == "acme-1"
    moved = ledger.mark("ACME LLC", "in_review")
    assert moved.client == "ACME LLC" and ledger.latest("acme-1").status == "draft"
    with pytest.raises(LedgerError) as caught:
        ledger.resolve_client("acme llc")
    assert caught.value.message == "'acme llc' fits several clients of the ledger"
    assert caught.value.allowed == ("Acme LLC (acme-1)", "ACME LLC (acme-2)")


def test_a_case_insensitive_name_or_id_still_finds_a_single_client(ledger):
    ledger.record_build(lock("Acme LLC", 1, "MSA-7"), lock_sha256="a", slug="acme-1", directory="/o", source="a")
    assert ledger.resolve_client("ACME llc") == "acme-1"
    assert ledger.resolve_client("msa-7") == "acme-1"


def test_an_agreement_id_shared_by_two_clients_never_picks_one(ledger):
    ledger.record_build(lock("Acme LLC", 1, "MSA-9"), lock_sha256="a", slug="acme-1", directory="/o", source="a")
    ledger.record_build(lock("Zed Co", 2, "MSA-9"), lock_sha256="b", slug="zed-1", directory="/o", source="b")
    with pytest.raises(LedgerError) as caught:
        ledger.mark("MSA-9", "in_review")
    assert caught.value.allowed == ("Acme LLC (acme-1)", "Zed Co (zed-1)")
    assert {ledger.latest(s).status for s in ("acme-1", "zed-1")} == {"draft"}
    assert ledger.mark("zed-1", "in_review").client == "Zed Co"


def test_composed_and_decomposed_spellings_are_one_name(ledger):
    composed = unicodedata.normalize("NFC", "Café Noir LLC")
    ledger.record_build(lock(composed), lock_sha256="a", slug="cafe-1", directory="/o", source="a")
    assert ledger.resolve_client(unicodedata.normalize("NFD", composed)) == "cafe-1"
    # the ledger's guard against two clients in one folder compares the same way
    assert ledger.record_build(lock(unicodedata.normalize("NFD", composed), 2), lock_sha256="b", slug="cafe-1",
                               directory="/o", source="a") is not None


def test_the_ledger_refuses_a_second_client_in_one_folder(ledger):
    ledger.record_build(lock(TWIN_A), lock_sha256="a", slug="acme-widgets-supply-llc-56b5e4", directory="/o", source="a")
    with pytest.raises(LedgerError, match="belongs to 'Acme / Widgets-Supply LLC' in the ledger"):
        ledger.record_build(lock(TWIN_B, 2), lock_sha256="b", slug="acme-widgets-supply-llc-56b5e4", directory="/o",
                            source="b")
    assert [r.client for r in ledger.history("acme-widgets-supply-llc-56b5e4")] == [TWIN_A]


def test_cli_mark_moves_only_the_exact_client(tmp_path):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as book:
        book.record_build(lock("Acme LLC", 1), lock_sha256="a", slug="acme-1", directory="/o", source="a")
        book.record_build(lock("ACME LLC", 2, "MSA-2"), lock_sha256="b", slug="acme-2", directory="/o", source="b")
    runner = CliRunner()
    result = runner.invoke(main, ["ledger", "mark", "ACME LLC", "in_review", "--ledger", str(path)])
    assert result.exit_code == 0, result.output
    ambiguous = runner.invoke(main, ["ledger", "mark", "acme llc", "in_review", "--ledger", str(path)])
    assert ambiguous.exit_code == 2 and "fits several clients" in ambiguous.output
    with Ledger(path) as book:
        assert (book.latest("acme-1").status, book.latest("acme-2").status) == ("draft", "in_review")


# -- folders -----------------------------------------------------------------------------------------

def profile(tmp_path: Path, harbor_data: dict[str, Any], name: str, file: str, **extra: Any) -> Path:
    data = json.loads(json.dumps(harbor_data, default=str))
    data["client"]["legal_name"] = name
    data.update(extra)
    path = tmp_path / "clients" / file
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def options(shipped_library) -> BuildOptions:
    return BuildOptions(library=shipped_library, provider_path=PROVIDER_FILE, templates_dir=TEMPLATES)


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_two_names_sharing_the_short_hash_get_two_folders_and_keep_them(tmp_path, harbor_data, options):
    out = tmp_path / "out"
    a = build(profile(tmp_path, harbor_data, TWIN_A, "a.yaml"), out, options)
    first = snapshot(a.directory)
    b = build(profile(tmp_path, harbor_data, TWIN_B, "b.yaml"), out, options)
    assert a.slug == "acme-widgets-supply-llc-56b5e4"
    assert b.slug == folder_candidates(TWIN_B)[1] and b.slug != a.slug
    assert snapshot(a.directory) == first  # the first client's agreement is untouched
    assert lock_owner(out, a.slug) == TWIN_A and lock_owner(out, b.slug) == TWIN_B
    assert build(profile(tmp_path, harbor_data, TWIN_B, "b.yaml"), out, options).slug == b.slug
    shutil.rmtree(a.directory)  # even with the short name free again, B's folder does not move
    assert client_folder(out, TWIN_B) == b.slug
    assert client_folder(out, TWIN_A) == a.slug  # and A, new again here, still gets the short one


def test_the_ledger_keeps_a_folder_name_for_its_client_when_the_folder_is_gone(tmp_path, harbor_data, options):
    from msa_builder import api

    shared = tmp_path / "ledger.sqlite"

    def build_in(name: str, file: str, out: str):
        return api.build(profile(tmp_path, harbor_data, name, file), out_dir=tmp_path / out, library=options.library,
                         provider=options.provider_path, templates=options.templates_dir, ledger=shared)

    a = build_in(TWIN_A, "a.yaml", "one")
    b = build_in(TWIN_B, "b.yaml", "two")
    record = b.record
    assert b.slug != a.slug and record is not None
    with Ledger(shared) as book:
        assert [r.client for r in book.history(a.slug)] == [TWIN_A]
        assert [r.client for r in book.history(b.slug)] == [TWIN_B]


def test_a_batch_gives_twins_their_own_folders(tmp_path, harbor_data, monkeypatch, shipped_library):
    from msa_builder.library import load as library_load

    monkeypatch.setattr(library_load, "open_library", lambda path=None: shipped_library)
    profile(tmp_path, harbor_data, TWIN_A, "a.yaml", agreement_id="MSA-A")
    profile(tmp_path, harbor_data, TWIN_B, "b.yaml", agreement_id="MSA-B")
    config = BatchConfig(out_dir=tmp_path / "out", provider_path=PROVIDER_FILE, templates_dir=TEMPLATES)
    report = run_batch(tmp_path / "clients", config, jobs=1)
    assert report.counts()["built"] == 2, report.as_dict()
    slugs = {r.client: r.slug for r in report.results}
    assert slugs == {TWIN_A: folder_candidates(TWIN_A)[0], TWIN_B: folder_candidates(TWIN_B)[1]}
    for client, slug in slugs.items():
        assert lock_owner(config.out_dir, slug) == client
    again = run_batch(tmp_path / "clients", config, jobs=2, only_stale=True)
    assert {r.client: r.slug for r in again.results} == slugs and again.counts()["skipped"] == 2
    with Ledger(config.ledger) as book:
        records = {r.client: r for r in book.latest_all()}
        assert {client: r.slug for client, r in records.items()} == slugs
        book.mark(TWIN_B, "in_review")
    rows = {row.client: row for row in coverage_report(tmp_path / "clients", config)}
    assert {client: (row.slug, row.latest.id, row.latest.status) for client, row in rows.items()} == {
        TWIN_A: (slugs[TWIN_A], records[TWIN_A].id, "draft"), TWIN_B: (slugs[TWIN_B], records[TWIN_B].id, "in_review")}


def test_a_second_client_with_the_same_agreement_id_is_refused_naming_both(tmp_path, harbor_data, monkeypatch,
                                                                           shipped_library):
    from msa_builder.library import load as library_load

    monkeypatch.setattr(library_load, "open_library", lambda path=None: shipped_library)
    profile(tmp_path, harbor_data, "Alpha LLC", "a.yaml", agreement_id="MSA-SHARED")
    profile(tmp_path, harbor_data, "Beta LLC", "b.yaml", agreement_id="MSA-SHARED")
    profile(tmp_path, harbor_data, TWIN_A, "c.yaml")  # derived ids: the twins share theirs on one date
    profile(tmp_path, harbor_data, TWIN_B, "d.yaml")
    config = BatchConfig(out_dir=tmp_path / "out", provider_path=PROVIDER_FILE, templates_dir=TEMPLATES)
    report = run_batch(tmp_path / "clients", config, jobs=1)
    by_file = {Path(r.label).name: r for r in report.results}
    assert {k: r.status for k, r in by_file.items()} == {"a.yaml": "built", "b.yaml": "failed",
                                                         "c.yaml": "built", "d.yaml": "failed"}
    assert "agreement id 'MSA-SHARED' of 'Beta LLC' is already the id of 'Alpha LLC'" in by_file["b.yaml"].error
    assert str(tmp_path / "clients" / "a.yaml") in by_file["b.yaml"].error
    assert f"is already the id of {TWIN_A!r}" in by_file["d.yaml"].error
    assert not (config.out_dir / slugify("Beta LLC")).exists()


def test_composed_and_decomposed_names_in_one_batch_are_one_client(tmp_path, harbor_data, monkeypatch,
                                                                   shipped_library):
    from msa_builder.library import load as library_load

    monkeypatch.setattr(library_load, "open_library", lambda path=None: shipped_library)
    name = unicodedata.normalize("NFC", "Café Noir LLC")
    profile(tmp_path, harbor_data, name, "a.yaml", agreement_id="MSA-A")
    profile(tmp_path, harbor_data, unicodedata.normalize("NFD", name), "b.yaml", agreement_id="MSA-B")
    config = BatchConfig(out_dir=tmp_path / "out", provider_path=PROVIDER_FILE, templates_dir=TEMPLATES)
    report = run_batch(tmp_path / "clients", config, jobs=1, dry_run=True)
    statuses = {Path(r.label).name: r.status for r in report.results}
    assert statuses == {"a.yaml": "stale", "b.yaml": "failed"}
    assert "already appears in" in report.results[1].error


# -- planted links --------------------------------------------------------------------------------------

def test_a_planted_folder_link_is_never_written_through(tmp_path, harbor_data, options):
    out = tmp_path / "out"
    victim = tmp_path / "elsewhere"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine")
    path = profile(tmp_path, harbor_data, "Harbor & Finch LLP", "h.yaml")
    out.mkdir()
    (out / slugify("Harbor & Finch LLP")).symlink_to(victim, target_is_directory=True)
    with pytest.raises(OutputError) as caught:
        build(path, out, options)
    assert caught.value.message.startswith("the output folder is a symbolic link")
    assert caught.value.file == str(out / slugify("Harbor & Finch LLP"))
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]
    result = CliRunner().invoke(main, ["build", str(path), "--out", str(out), "--provider", str(PROVIDER_FILE),
                                       "--templates", str(TEMPLATES)])
    assert result.exit_code == 2 and "symbolic link" in result.output
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]


def test_a_planted_file_link_is_replaced_not_written_through(tmp_path, harbor_data, options):
    out = tmp_path / "out"
    path = profile(tmp_path, harbor_data, "Harbor & Finch LLP", "h.yaml")
    first = build(path, out, options)
    docx = first.directory / f"{first.slug}-msa.docx"
    victim = tmp_path / "victim.docx"
    victim.write_bytes(docx.read_bytes())  # the same bytes: a naive "unchanged" check would keep the link
    docx.unlink()
    docx.symlink_to(victim)
    lock = first.directory / f"{first.slug}-lock.json"
    planted_lock = tmp_path / "other-lock.json"
    planted_lock.write_text(json.dumps({"bom": {"client": "Someone Else"}}))
    lock.unlink()
    lock.symlink_to(planted_lock)
    assert lock_owner(out, first.slug) is None  # a linked lock names nobody
    again = build(path, out, options)
    assert again.slug == first.slug
    assert not docx.is_symlink() and not lock.is_symlink()
    assert victim.read_bytes() == docx.read_bytes() and json.loads(planted_lock.read_text())["bom"]["client"] == \
        "Someone Else"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clients", "other-lock.json", "out", "victim.docx"]


def test_a_batch_fails_only_the_client_whose_folder_is_a_link(tmp_path, harbor_data, monkeypatch, shipped_library):
    from msa_builder.library import load as library_load

    monkeypatch.setattr(library_load, "open_library", lambda path=None: shipped_library)
    profile(tmp_path, harbor_data, "Alpha LLC", "a.yaml", agreement_id="MSA-A")
    profile(tmp_path, harbor_data, "Beta LLC", "b.yaml", agreement_id="MSA-B")
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "victim").mkdir()
    os.symlink(tmp_path / "victim", out / slugify("Beta LLC"))
    config = BatchConfig(out_dir=out, provider_path=PROVIDER_FILE, templates_dir=TEMPLATES)
    report = run_batch(tmp_path / "clients", config, jobs=1)
    assert {r.client: r.status for r in report.results} == {"Alpha LLC": "built", "Beta LLC": "failed"}
    assert "symbolic link" in next(r.error for r in report.results if r.client == "Beta LLC")
    assert list((tmp_path / "victim").iterdir()) == []


def test_a_batch_does_not_trust_a_linked_output_and_replaces_it(tmp_path, harbor_data, monkeypatch, shipped_library):
    from msa_builder.library import load as library_load

    monkeypatch.setattr(library_load, "open_library", lambda path=None: shipped_library)
    profile(tmp_path, harbor_data, "Alpha LLC", "a.yaml")
    config = BatchConfig(out_dir=tmp_path / "out", provider_path=PROVIDER_FILE, templates_dir=TEMPLATES)
    [built] = run_batch(tmp_path / "clients", config, jobs=1).results
    memo = config.out_dir / built.slug / f"{built.slug}-review.docx"
    victim = tmp_path / "victim.docx"
    victim.write_bytes(memo.read_bytes())
    memo.unlink()
    memo.symlink_to(victim)
    dry = run_batch(tmp_path / "clients", config, jobs=1, dry_run=True)
    assert dry.results[0].changes == (f"{built.slug}-review.docx is not a regular file",)
    rebuilt = run_batch(tmp_path / "clients", config, jobs=1, only_stale=True)
    assert rebuilt.results[0].status == "built" and not memo.is_symlink()
    assert victim.read_bytes() == memo.read_bytes()
