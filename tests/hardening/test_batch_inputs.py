"""batch/: hostile CSV cells, profile files and lock files fail their own client only, never the batch."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from msa_builder.batch import BatchConfig, run_batch
from msa_builder.batch.csv_rows import read_csv
from msa_builder.batch.sources import read_folder
from msa_builder.batch.staleness import read_previous
from msa_builder.errors import RenderError
from msa_builder.redline.compare import load_build

from .conftest import ALIAS_BOMB, HARBOR, PROVIDER, SAMPLES, TEMPLATES, assert_clean_error, harbor

HEADER = ("client.legal_name,client.jurisdiction,client.address,client.users,client.signatory.name,"
          "client.signatory.title,client.signatory.email,tier,industry,effective_date,"
          "params.client_cyber_insurance_minimum")
GOOD_ROW = "Acme LLC,Ohio,1 Main St,10,Pat Lee,Owner,pat@acme.example,managed,general,2026-12-01,$3000000"


def _rows(tmp_path: Path, *rows: str, manifest=None):
    path = tmp_path / "clients.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return list(read_csv(path, manifest))


@pytest.mark.parametrize("money, fragment", [("$1e400", "is too large"), ("1e999999999", "is too large"),
                                             ("$" + "9" * 5000, "is too large"), ("NaN", "is not a number"),
                                             ("$Infinity", "is not a number")])
def test_csv_money_that_no_contract_states(tmp_path, shipped_library, money, fragment):
    bad, good = _rows(tmp_path, GOOD_ROW.replace("$3000000", money), GOOD_ROW.replace("Acme", "Beta"),
                      manifest=shipped_library.manifest)
    assert bad.error is not None and fragment in bad.error.message
    assert bad.error.field == "params.client_cyber_insurance_minimum"
    assert good.error is None and good.data["params"]["client_cyber_insurance_minimum"] == 3000000


def test_csv_whole_number_too_long_for_int(tmp_path):
    (row,) = _rows(tmp_path, GOOD_ROW.replace(",10,", "," + "9" * 5000 + ","))
    assert row.error is not None and "is too large" in row.error.message and row.error.field == "client.users"


@pytest.mark.parametrize("cell", ["Acme\x00LLC", "Acme\x1b[31mLLC", "Acme\x9bLLC", "Acme\ufffeLLC", "Acme LLC\x85",
                                  "\x1fAcme LLC"])
def test_csv_cells_with_characters_xml_cannot_hold(tmp_path, cell):
    (row,) = _rows(tmp_path, GOOD_ROW.replace("Acme LLC", cell))
    assert row.error is not None and row.error.field == "client.legal_name"
    assert "must not contain" in row.error.message


def test_every_bad_cell_of_a_row_is_reported(tmp_path):
    (row,) = _rows(tmp_path, GOOD_ROW.replace(",10,", ",ten,").replace("2026-12-01", "soon"))
    assert [p.field for p in row.error.problems] == ["client.users", "effective_date"]


@pytest.mark.parametrize("date_text", ["2026-02-30", "20261201", "2026-W48-1"])
def test_csv_dates_are_yyyy_mm_dd_and_real(tmp_path, date_text):
    (row,) = _rows(tmp_path, GOOD_ROW.replace("2026-12-01", date_text))
    assert row.error is not None and row.error.field == "effective_date"


def test_a_cell_too_large_for_the_csv_reader_fails_its_row_alone(tmp_path):
    big = GOOD_ROW.replace("1 Main St", '"' + "x" * (csv.field_size_limit() + 10) + '"')
    rows = _rows(tmp_path, GOOD_ROW, big, GOOD_ROW.replace("Acme", "Beta"))
    assert [r.error is None for r in rows] == [True, False, True]
    assert rows[1].label.endswith("row 3") and "cannot read the row" in rows[1].error.message
    assert rows[2].label.endswith("row 4")


def test_undeclared_parameter_cells_are_read_with_the_bounded_parser(tmp_path):
    header = HEADER.replace("params.client_cyber_insurance_minimum", "params.other")
    path = tmp_path / "clients.csv"
    deep = "[" * 10_000 + "]" * 10_000
    path.write_text(header + "\n" + GOOD_ROW.replace("$3000000", deep) + "\n", encoding="utf-8")
    (row,) = read_csv(path)  # no manifest: the cell is read as YAML would read it
    assert row.data["params"]["other"] == deep  # not a scalar: kept as text for the library check


# -- a folder of profiles: one hostile file fails alone ---------------------------------------------

@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "clients"
    folder.mkdir()
    shutil.copy(HARBOR, folder / "harbor-finch.yaml")
    shutil.copy(SAMPLES / "copper-kettle.yaml", folder / "copper-kettle.yaml")
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (folder / "deep.yaml").write_text("client: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    (folder / "bomb.yaml").write_text(harbor("Harbor & Finch LLP", "Bomb LLP").replace(
        "params: {client_cyber_insurance_minimum: 3000000}", "params:\n" + ALIAS_BOMB), encoding="utf-8")
    (folder / "dup.json").write_text('{"client": {"legal_name": "A", "legal_name": "B"}}', encoding="utf-8")
    (folder / "surrogate.json").write_text('{"client": {"legal_name": "\\ud800"}}', encoding="utf-8")
    (folder / "nonutf8.yaml").write_bytes(b"client: {legal_name: caf\xe9}\n")
    return folder


def test_the_glance_refuses_hostile_files_one_by_one(hostile_folder):
    entries = {Path(e.label).name: e for e in read_folder(hostile_folder)}
    for name in ("deep.json", "deep.yaml", "bomb.yaml", "dup.json", "surrogate.json", "nonutf8.yaml"):
        assert entries[name].error is not None, name
    assert entries["harbor-finch.yaml"].error is None and entries["harbor-finch.yaml"].client == "Harbor & Finch LLP"


def test_a_batch_builds_the_good_clients_beside_hostile_files(hostile_folder, tmp_path, shipped_library, monkeypatch):
    from msa_builder.library import load as library_load

    monkeypatch.setattr(library_load, "open_library", lambda path=None: shipped_library)
    config = BatchConfig(out_dir=tmp_path / "out", provider_path=PROVIDER, templates_dir=TEMPLATES)
    report = run_batch(hostile_folder, config, jobs=1)
    by_file = {Path(r.label).name: r for r in report.results}
    assert by_file["harbor-finch.yaml"].status == "built" and by_file["copper-kettle.yaml"].status == "built"
    for name in ("deep.json", "deep.yaml", "bomb.yaml", "dup.json", "surrogate.json", "nonutf8.yaml"):
        assert by_file[name].status == "failed", name
        assert "Traceback" not in (by_file[name].error or "") and len(by_file[name].error or "") < 2_000
        assert "internal error" not in (by_file[name].error or "")


# -- lock files read back -------------------------------------------------------------------------

def _lock(tmp_path: Path) -> dict:
    return {"lock_version": 1, "bom_sha256": "0" * 64, "profile": "p.yaml", "outputs": {"a-msa.docx": "0" * 64},
            "bom": {"tool": {"name": "msa-builder", "version": "0.1.0"},
                    "library": {"name": "lib", "version": "1"}, "agreement_id": "A", "client": "C",
                    "as_of": "2026-12-01", "allow_drafts": False, "final": False, "profile_sha256": "0",
                    "provider_sha256": "0", "templates": {"agreement": "0"},
                    "clauses": [{"slot": "s.x", "variant": "v", "version": "1.0.0", "status": "approved",
                                 "sha256": "0"}]}}


BAD_LOCKS = {
    "outputs is a list": lambda lock: lock.update(outputs=["a-msa.docx"]),
    "an output hash is a number": lambda lock: lock.update(outputs={"a-msa.docx": 1}),
    "tool is a list": lambda lock: lock["bom"].update(tool=[1]),
    "clauses is text": lambda lock: lock["bom"].update(clauses="x"),
    "a clause without sha256": lambda lock: lock["bom"]["clauses"][0].pop("sha256"),
    "a clause is a number": lambda lock: lock["bom"].update(clauses=[1]),
    "templates is a list": lambda lock: lock["bom"].update(templates=["a"]),
    "final is text": lambda lock: lock["bom"].update(final="yes"),
    "bom is missing": lambda lock: lock.pop("bom"),
    "lock_version is true": lambda lock: lock.update(lock_version=True),
}


def _previous(tmp_path: Path, text: str):
    """What the batch reads back from client `a`'s lock file holding `text`."""
    folder = tmp_path / "out" / "a"
    folder.mkdir(parents=True)
    (folder / "a-lock.json").write_text(text, encoding="utf-8")
    return read_previous(tmp_path / "out", "a")


@pytest.mark.parametrize("damage", list(BAD_LOCKS.values()), ids=list(BAD_LOCKS))
def test_a_lock_of_the_wrong_shape_makes_the_client_new_not_a_crash(tmp_path, damage):
    lock = _lock(tmp_path)
    damage(lock)
    previous = _previous(tmp_path, json.dumps(lock))
    assert previous.lock is None and previous.problem == "lock file is not a valid lock"


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "[1, 2]", '{"a": 1, "a": 2}', "\ufeff{}"])
def test_a_lock_that_is_not_a_lock_object(tmp_path, text):
    assert _previous(tmp_path, text).lock is None


def test_the_intact_lock_still_reads(tmp_path):
    assert _previous(tmp_path, json.dumps(_lock(tmp_path))).lock is not None


@pytest.mark.parametrize("outputs", [["a-msa.docx"], {"a-msa.docx": 1}, "x", None])
def test_compare_refuses_a_lock_whose_outputs_have_the_wrong_shape(tmp_path, outputs):
    lock = _lock(tmp_path)
    lock["outputs"] = outputs
    path = tmp_path / "a-lock.json"
    path.write_text(json.dumps(lock), encoding="utf-8")
    with pytest.raises(RenderError, match="not a lock file written by `msa build`"):
        load_build(path)


def test_compare_never_follows_an_output_name_out_of_the_lock_folder(tmp_path):
    lock = _lock(tmp_path)
    lock["outputs"] = {"../elsewhere-msa.docx": "0" * 64}
    path = tmp_path / "a-lock.json"
    path.write_text(json.dumps(lock), encoding="utf-8")
    with pytest.raises(RenderError, match="lists no agreement DOCX"):
        load_build(path)


# -- how many workers -----------------------------------------------------------------------------

@pytest.fixture
def two_cpus(monkeypatch):
    from msa_builder.batch import capacity

    monkeypatch.setattr(capacity, "default_jobs", lambda: 2)
    return capacity.WORKERS_PER_CPU * 2


@pytest.mark.parametrize("option", ["--jobs", "--scheduler"])
@pytest.mark.parametrize("workers", [17, 99_999_999])
def test_more_workers_than_the_machine_runs_is_refused_before_any_starts(run, tmp_path, two_cpus, option, workers,
                                                                         monkeypatch):
    import multiprocessing

    started = []
    monkeypatch.setattr(multiprocessing.Process, "start", lambda self: started.append(self))
    value = f"local:{workers}" if option == "--scheduler" else str(workers)
    result = run("batch", SAMPLES, "--out", tmp_path / "out", "--provider", PROVIDER, option, value, "--dry-run")
    assert_clean_error(result, option, f"{workers:,} worker processes", f"{two_cpus} at most")
    assert not started and not (tmp_path / "out").exists()


def test_the_limit_itself_is_allowed(two_cpus):
    from msa_builder.batch.capacity import check_workers
    from msa_builder.batch.dask_runner import scheduler_workers

    assert check_workers(two_cpus, field="--jobs") == two_cpus
    assert scheduler_workers(f"local:{two_cpus}") == two_cpus


@pytest.mark.parametrize("spec", ["tcp://127.0.0.1:99999", "tcp://scheduler:port", "tcp://[::1]:70000"])
def test_a_scheduler_port_out_of_range_is_refused_at_once(spec):
    import time

    from msa_builder.batch.dask_runner import check_scheduler
    from msa_builder.errors import BatchError

    began = time.monotonic()
    with pytest.raises(BatchError) as caught:
        check_scheduler(spec)
    assert "port is not a number from 1 to 65535" in caught.value.format() and time.monotonic() - began < 1
