"""Running a batch: stale detection end to end, dry runs, bad rows, the same-bytes guarantee and the ledger."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from msa_builder.batch import run_batch
from msa_builder.batch.runner import LOCK_NAME, _output_lock
from msa_builder.errors import BatchError, ProfileError
from msa_builder.ledger import Ledger

from .conftest import SAMPLES, bump_clause, snapshot

SLUGS = {"harbor-finch.yaml": "harbor-finch-llp-da242c", "copper-kettle.yaml": "copper-kettle-bakery-llc-9062dd",
         "riverbend-pediatrics.yaml": "riverbend-pediatrics-p-c-10e628"}


def statuses(report) -> dict[str, str]:
    return {Path(r.label).name: r.status for r in report.results}


def test_a_first_batch_builds_every_client_and_records_each_in_the_ledger(clients, config):
    report = run_batch(clients, config, jobs=1)
    assert statuses(report) == {"harbor-finch.yaml": "built", "copper-kettle.yaml": "built",
                                "riverbend-pediatrics.yaml": "built", "provider.yaml": "skipped"}
    assert report.counts() == {"built": 3, "unchanged": 0, "failed": 0, "skipped": 1}
    harbor = next(r for r in report.results if r.label.endswith("harbor-finch.yaml"))
    assert harbor.changes == ("never built",) and harbor.agreement_id.startswith("MSA-20261201-DA242C-")
    for slug in SLUGS.values():
        assert (config.out_dir / slug / f"{slug}-lock.json").is_file()
    with Ledger(config.ledger) as ledger:
        records = ledger.latest_all()
    assert sorted(r.slug for r in records) == sorted(SLUGS.values())
    lock_file = config.out_dir / harbor.slug / f"{harbor.slug}-lock.json"
    import hashlib

    record = next(r for r in records if r.slug == harbor.slug)
    assert record.lock_sha256 == hashlib.sha256(lock_file.read_bytes()).hexdigest()
    assert record.status == "draft" and record.source == str(clients / "harbor-finch.yaml")


def test_a_rerun_with_nothing_stale_renders_nothing_and_writes_nothing(clients, config, monkeypatch):
    run_batch(clients, config, jobs=1)
    before = snapshot(config.out_dir)

    def no_render(*args, **kwargs):
        raise AssertionError("an up-to-date client was rendered")

    monkeypatch.setattr("msa_builder.batch.worker.render_build", no_render)
    monkeypatch.setattr("msa_builder.batch.staleness.select", no_render)
    report = run_batch(clients, config, jobs=1, only_stale=True)
    assert report.counts() == {"built": 0, "unchanged": 0, "failed": 0, "skipped": 4}
    assert {r.reason for r in report.results} == {"up to date", "not a client profile (no top-level client: key)"}
    after = snapshot(config.out_dir)

    def outputs(files):
        return {k: v for k, v in files.items() if "ledger" not in k}

    assert outputs(after) == outputs(before)


def test_a_full_rebuild_of_unchanged_clients_rewrites_no_file(clients, config):
    run_batch(clients, config, jobs=1)
    before = snapshot(config.out_dir)
    report = run_batch(clients, config, jobs=1)
    assert report.counts()["unchanged"] == 3 and report.counts()["built"] == 0
    assert all(r.written == () for r in report.results)
    after = snapshot(config.out_dir)
    outputs = {k: v for k, v in after.items() if "ledger" not in k}
    assert outputs == {k: v for k, v in before.items() if "ledger" not in k}


def test_a_clause_bump_rebuilds_exactly_the_clients_that_use_it(clients, config, tmp_path, shipped_library):
    run_batch(clients, config, jobs=1)
    library = Path(shutil.copytree(SAMPLES.parent / "msa_builder" / "data" / "clause_library", tmp_path / "library"))
    bump_clause(library, "addendum.hipaa_baa", "healthcare", "2.0.1", "2.1.0", extra="A new duty.\n")
    bumped = dataclasses.replace(config, library_dir=library)
    before = snapshot(config.out_dir)
    dry = run_batch(clients, bumped, jobs=1, dry_run=True)
    assert statuses(dry) == {"harbor-finch.yaml": "current", "copper-kettle.yaml": "current",
                             "riverbend-pediatrics.yaml": "stale", "provider.yaml": "skipped"}
    riverbend = next(r for r in dry.results if r.status == "stale")
    assert riverbend.changes == ("addendum.hipaa_baa 2.0.1→2.1.0",) and riverbend.change_kinds == ("clause",)
    assert snapshot(config.out_dir) == before

    report = run_batch(clients, bumped, jobs=1, only_stale=True)
    assert statuses(report)["riverbend-pediatrics.yaml"] == "built"
    assert report.counts() == {"built": 1, "unchanged": 0, "failed": 0, "skipped": 3}
    after = snapshot(config.out_dir)
    changed = sorted(k for k in after if after[k] != before.get(k) and "ledger" not in k)
    slug = SLUGS["riverbend-pediatrics.yaml"]
    assert changed == sorted(f"{slug}/{slug}-{n}" for n in ("agreement.json", "lock.json", "msa.docx", "review.docx"))
    assert run_batch(clients, bumped, jobs=1, only_stale=True).counts()["built"] == 0


def test_a_dry_run_writes_nothing_not_even_the_output_folder_or_the_ledger(clients, config):
    report = run_batch(clients, config, jobs=1, dry_run=True)
    assert report.counts() == {"stale": 3, "current": 0, "failed": 0, "skipped": 1}
    assert not config.out_dir.exists()
    run_batch(clients, config, jobs=1)
    (clients / "copper-kettle.yaml").write_text(
        (clients / "copper-kettle.yaml").read_text(encoding="utf-8").replace("users: 6", "users: 7"), encoding="utf-8")
    before = snapshot(config.out_dir)
    report = run_batch(clients, config, jobs=2, dry_run=True)
    assert statuses(report)["copper-kettle.yaml"] == "stale"
    assert snapshot(config.out_dir) == before


def test_one_bad_profile_fails_alone_and_the_others_are_built(clients, config, harbor_data, write_profile):
    (clients / "broken.yaml").write_text("client: {legal_name: Broken Co\n", encoding="utf-8")
    declined = dict(harbor_data, tier="security_plus", industry="finance",
                    client=dict(harbor_data["client"], legal_name="Refused Finance Co"))
    declined["controls"] = {"edr": "declined"}
    (clients / "refused.yaml").write_text(json.dumps(declined, default=str), encoding="utf-8")
    (clients / "wrong-tier.json").write_text(json.dumps(dict(harbor_data, tier="gold", client=dict(
        harbor_data["client"], legal_name="Gold Co")), default=str), encoding="utf-8")
    report = run_batch(clients, config, jobs=2)
    got = statuses(report)
    assert got["broken.yaml"] == got["refused.yaml"] == got["wrong-tier.json"] == "failed"
    assert [got[name] for name in SLUGS] == ["built"] * 3
    errors = {Path(r.label).name: r.error for r in report.failed}
    assert "broken.yaml:2" in errors["broken.yaml"]
    assert "edr (Endpoint Detection and Response) is mandatory" in errors["refused.yaml"]
    assert "tier: 'gold' is not a tier this library knows" in errors["wrong-tier.json"]
    assert not any(p.name.startswith(("gold-co", "refused-finance")) for p in config.out_dir.iterdir())


def test_bad_csv_rows_fail_alone_with_row_and_column(tmp_path, config):
    rows = (SAMPLES / "clients.csv").read_text(encoding="utf-8").splitlines()
    header, first, second = rows[0], rows[1], rows[3]
    bad = second.replace("Copper Kettle Bakery LLC", "Bad Row LLC").replace(",6,", ",six,")
    path = tmp_path / "clients.csv"
    path.write_text("\n".join([header, first, bad, second, first]) + "\n", encoding="utf-8")
    report = run_batch(path, config, jobs=1)
    assert [r.status for r in report.results] == ["built", "failed", "built", "failed"]
    assert report.results[1].error == f"{path}:row 3: client.users: 'six' is not a whole number"
    assert report.results[3].error.startswith(f"{path}:row 5: client.legal_name: the client 'Harbor & Finch LLP' "
                                              f"already appears in {path}:row 2")


def test_a_batch_with_two_jobs_builds_the_same_bytes_as_one_job(clients, config, tmp_path):
    run_batch(clients, config, jobs=1)
    parallel = dataclasses.replace(config, out_dir=tmp_path / "parallel")
    report = run_batch(clients, parallel, jobs=2)
    assert report.counts()["built"] == 3
    one = {k: v[1] for k, v in snapshot(config.out_dir).items() if "ledger" not in k and not k.startswith(".")}
    two = {k: v[1] for k, v in snapshot(parallel.out_dir).items() if "ledger" not in k and not k.startswith(".")}
    assert one == two and len(one) == 12


def test_the_fast_path_records_builds_the_ledger_lacks(clients, config):
    run_batch(clients, config, jobs=1)
    with Ledger(config.ledger) as ledger:
        ledger._db.execute("DELETE FROM events")
        ledger._db.execute("DELETE FROM agreements")
    report = run_batch(clients, config, jobs=1, only_stale=True)
    assert report.counts()["skipped"] == 4
    with Ledger(config.ledger) as ledger:
        assert len(ledger.latest_all()) == 3


def test_an_edited_output_makes_its_client_stale_again(clients, config):
    run_batch(clients, config, jobs=1)
    slug = SLUGS["copper-kettle.yaml"]
    docx = config.out_dir / slug / f"{slug}-msa.docx"
    original = docx.read_bytes()
    docx.write_bytes(b"scribbled over")
    report = run_batch(clients, config, jobs=1, only_stale=True)
    copper = next(r for r in report.results if r.label.endswith("copper-kettle.yaml"))
    assert copper.status == "built" and copper.changes == (f"{slug}-msa.docx differs from its lock",)
    assert copper.written == (f"{slug}-msa.docx",)
    assert docx.read_bytes() == original


def test_interrupting_keeps_finished_clients_and_reports_the_rest_as_not_run(clients, config):
    seen = []

    def stop_after_first(result):
        seen.append(result)
        if result.status == "built":
            raise KeyboardInterrupt

    report = run_batch(clients, config, jobs=1, on_result=stop_after_first)
    assert report.interrupted
    assert [r.status for r in report.results].count("built") == 1
    assert [r.reason for r in report.results].count("not run: the batch was interrupted") == 2
    resumed = run_batch(clients, config, jobs=1, only_stale=True)
    assert resumed.counts() == {"built": 2, "unchanged": 0, "failed": 0, "skipped": 2}


def test_two_batches_cannot_write_one_output_folder(clients, config):
    with _output_lock(config.out_dir), pytest.raises(BatchError, match="another batch is writing"):
        run_batch(clients, config, jobs=1)
    assert (config.out_dir / LOCK_NAME).exists()


def test_an_unreadable_provider_file_stops_the_batch_once(clients, config, tmp_path):
    with pytest.raises(ProfileError, match="provider file not found"):
        run_batch(clients, dataclasses.replace(config, provider_path=tmp_path / "missing.yaml"), jobs=1)


def test_a_lost_ledger_is_rebuilt_from_the_locks_on_disk(clients, config):
    run_batch(clients, config, jobs=2)
    for path in config.out_dir.glob("ledger.sqlite*"):
        path.unlink()
    report = run_batch(clients, config, jobs=2, only_stale=True)
    assert report.counts()["skipped"] == 4  # no memo: each client was checked by selection, found current
    with Ledger(config.ledger) as ledger:
        assert sorted(r.slug for r in ledger.latest_all()) == sorted(SLUGS.values())
        assert ledger._db.execute("SELECT COUNT(*) FROM bom_memo").fetchone()[0] == 3


def test_the_memo_learned_by_a_pool_lets_the_next_rerun_skip_selection(clients, config, monkeypatch):
    run_batch(clients, config, jobs=2)

    def no_select(*args, **kwargs):
        raise AssertionError("selection ran although the memo knew the answer")

    monkeypatch.setattr("msa_builder.batch.staleness.select", no_select)
    assert run_batch(clients, config, jobs=2, only_stale=True).counts()["skipped"] == 4
