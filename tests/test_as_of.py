"""The as-of rule: versions as of today (or the effective date when later), and the date that decided them."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from msa_builder import as_of, clock
from msa_builder.library.load import load_library
from msa_builder.profile import load_profile
from msa_builder.selection import select

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
HARBOR = SAMPLES / "harbor-finch.yaml"  # effective 2026-12-01
CYBER = "slots/insurance.client_cyber/standard"


def on(monkeypatch, day: date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


@pytest.mark.parametrize("effective, given, today, expected", [
    (date(2026, 12, 1), None, date(2026, 11, 1), date(2026, 12, 1)),
    (date(2026, 12, 1), None, date(2027, 4, 2), date(2027, 4, 2)),
    (date(2026, 12, 1), date(2026, 1, 1), date(2027, 4, 2), date(2026, 1, 1)),
])
def test_the_selection_day(effective, given, today, expected):
    assert as_of.selection_day(effective, given, today) == expected


@pytest.fixture
def later_library(library_copy: Path) -> Path:
    """The shipped library with insurance.client_cyber 2.1.0, approved and effective 2027-03-01."""
    text = (library_copy / CYBER / "2.0.0.md").read_text(encoding="utf-8")
    text = text.replace("version: 2.0.0", "version: 2.1.0").replace("effective: '2026-12-01'", "effective: 2027-03-01")
    (library_copy / CYBER / "2.1.0.md").write_text(text + "\nA sentence for existing clients.\n", encoding="utf-8")
    released = json.loads((library_copy / "released.json").read_text(encoding="utf-8"))
    released[f"{CYBER}/2.1.0.md"] = hashlib.sha256((library_copy / CYBER / "2.1.0.md").read_bytes()).hexdigest()
    (library_copy / "released.json").write_text(json.dumps(released, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return library_copy


def cyber(selection) -> str:
    return next(c.clause.meta.version for c in selection.choices if c.slot == "insurance.client_cyber")


def test_a_later_version_reaches_an_existing_client_once_it_takes_effect(later_library, monkeypatch):
    library = load_library(later_library)
    harbor = load_profile(HARBOR)
    on(monkeypatch, date(2027, 2, 28))
    before = select(library, harbor)
    assert cyber(before) == "2.0.0"
    assert (before.as_of, before.as_of_rule) == (date(2026, 12, 1), as_of.EFFECTIVE)
    on(monkeypatch, date(2027, 4, 2))
    after = select(library, harbor)
    assert cyber(after) == "2.1.0"
    assert (after.as_of, after.as_of_rule, after.selected_on) == (date(2027, 3, 1), as_of.CLAUSE, date(2027, 4, 2))


def test_the_recorded_date_does_not_move_while_nothing_takes_effect(later_library, monkeypatch):
    library = load_library(later_library)
    harbor = load_profile(HARBOR)
    recorded = set()
    for day in (date(2027, 3, 1), date(2027, 3, 2), date(2027, 9, 30)):
        on(monkeypatch, day)
        recorded.add(select(library, harbor).as_of)
    assert recorded == {date(2027, 3, 1)}


def test_the_recorded_date_chooses_exactly_the_same_versions(later_library, monkeypatch):
    library = load_library(later_library)
    harbor = load_profile(HARBOR)
    on(monkeypatch, date(2027, 4, 2))
    by_default = select(library, harbor)
    replay = select(library, harbor, as_of=by_default.as_of)
    assert [c.clause.key for c in replay.included] == [c.clause.key for c in by_default.included]


def test_an_explicit_as_of_is_recorded_as_given(later_library, monkeypatch):
    on(monkeypatch, date(2027, 4, 2))
    selection = select(load_library(later_library), load_profile(HARBOR), as_of=date(2026, 12, 1))
    assert (selection.as_of, selection.as_of_rule, cyber(selection)) == (date(2026, 12, 1), as_of.GIVEN, "2.0.0")


def test_a_version_of_another_slot_does_not_move_the_recorded_date(library_copy, monkeypatch):
    """Only versions of the agreement's own slots can decide its date (so unrelated releases make no client stale)."""
    hipaa = library_copy / "slots/addendum.hipaa_baa/healthcare"
    text = (hipaa / "2.0.0.md").read_text(encoding="utf-8").replace("version: 2.0.0", "version: 2.1.0")
    (hipaa / "2.1.0.md").write_text(text.replace("effective: '2026-12-01'", "effective: 2027-03-01"), encoding="utf-8")
    on(monkeypatch, date(2027, 4, 2))
    selection = select(load_library(library_copy), load_profile(HARBOR))  # a law firm: no HIPAA addendum
    assert selection.as_of == date(2026, 12, 1)


# --- explain, build and batch through the CLI --------------------------------------------------------


@pytest.fixture
def run(msa):
    return msa


def test_explain_says_which_as_of_date_decided(later_library, monkeypatch, run):
    on(monkeypatch, date(2027, 4, 2))
    result = run("explain", HARBOR, "--library", later_library)
    assert result.stdout.splitlines()[2] == ("clause versions as of 2027-03-01: today (2027-04-02) is after the "
                                             "effective date 2026-12-01, and the newest version in force took "
                                             "effect on 2027-03-01")
    data = json.loads(run("explain", HARBOR, "--library", later_library, "--json").stdout)
    assert (data["as_of"], data["as_of_rule"], data["selected_on"]) == ("2027-03-01", "clause", "2027-04-02")
    given = run("explain", HARBOR, "--library", later_library, "--as-of", "2026-12-01").stdout.splitlines()[2]
    assert given == "clause versions as of 2026-12-01, given with --as-of"


def test_a_regeneration_picks_up_a_newly_effective_version(later_library, monkeypatch, run, tmp_path):
    clients = tmp_path / "clients"
    clients.mkdir()
    shutil.copy(HARBOR, clients)
    shutil.copy(SAMPLES / "buckeye-precision.yaml", clients)  # a machine shop: the same insurance clause
    common = ["--library", later_library, "--out", tmp_path / "out", "--jobs", "1"]
    on(monkeypatch, date(2027, 2, 1))
    assert run("batch", clients, *common).exit_code == 0
    lock = json.loads((tmp_path / "out/harbor-finch-llp-da242c/harbor-finch-llp-da242c-lock.json").read_text())
    assert lock["bom"]["as_of"] == "2026-12-01"
    assert run("batch", clients, *common, "--dry-run").stdout.startswith("Impact report: every client is up to date")

    on(monkeypatch, date(2027, 4, 2))  # nothing on disk changed; 1.2.0 has taken effect
    report = run("batch", clients, *common, "--dry-run").stdout
    assert report.startswith("Impact report: 2 client(s) would be rebuilt\n"
                             "  (clause versions as of today (2027-04-02), or each agreement's effective date")
    assert "Harbor & Finch LLP [harbor-finch-llp-da242c] " in report and ", clauses as of 2027-03-01\n" in report
    assert "    insurance.client_cyber 2.0.0→2.1.0\n    as_of 2026-12-01→2027-03-01" in report
    assert "  insurance.client_cyber 2.0.0→2.1.0: Buckeye Precision Machining Co., Harbor & Finch LLP" in report
    assert run("batch", clients, *common, "--only-stale").exit_code == 0
    lock = json.loads((tmp_path / "out/harbor-finch-llp-da242c/harbor-finch-llp-da242c-lock.json").read_text())
    assert lock["bom"]["as_of"] == "2027-03-01"
    assert {c["slot"]: c["version"] for c in lock["bom"]["clauses"]}["insurance.client_cyber"] == "2.1.0"
    on(monkeypatch, date(2027, 5, 1))
    assert run("batch", clients, *common, "--dry-run").stdout.startswith("Impact report: every client is up to date")
