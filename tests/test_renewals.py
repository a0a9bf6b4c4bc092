"""`msa renewals`: every signed agreement's renewal date, the last day to send the reminder, and how."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger_steps import walk  # tests/ is on sys.path

from msa_builder.cli import main
from msa_builder.ledger import AgreementRecord
from msa_builder.renewal_terms import renewal_terms
from msa_builder.renewal_calendar import add_months, calendar_row
from msa_builder.profile import load_profile
from msa_builder.selection import select

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PROVIDER = SAMPLES.parent / "msa_builder" / "data" / "provider.yaml"


def _record(client: str = "Acme") -> AgreementRecord:
    return AgreementRecord(1, "acme", client, "MSA-1", "p.yaml", "/out", "0" * 64, "0" * 64, "lib", "1", "0.1",
                           {}, "2026-12-01T00:00:00+00:00", "signed", "2026-12-02T00:00:00+00:00", "dana")


def test_new_york_terms_carry_the_gol_5_903_window_and_method(shipped_library):
    terms = renewal_terms(select(shipped_library, load_profile(SAMPLES / "kingsbridge-mortgage.yaml")))
    assert terms["clause"] == "term.renewal:new_york@1.0.0"
    assert (terms["initial_term_months"], terms["renewal_term_months"], terms["nonrenewal_notice_days"]) == (36, 12, 60)
    assert terms["reminder"] == {"min_days": 15, "max_days": 30, "statute": "N.Y. Gen. Oblig. Law 5-903",
                                 "method": "served personally or by certified mail, calling attention to the "
                                           "automatic renewal clause"}


def test_break_fix_does_not_renew_and_an_older_clause_has_no_reminder(shipped_library):
    assert renewal_terms(select(shipped_library, load_profile(SAMPLES / "copper-kettle.yaml"))) is None
    old = renewal_terms(select(shipped_library, load_profile(SAMPLES / "buckeye-precision.yaml"),
                               as_of=date(2026, 6, 1)))
    assert old["clause"] == "term.renewal:standard@1.0.0" and old["reminder"] is None


TERMS = {"effective_date": "2026-12-01", "initial_term_months": 36, "renewal_term_months": 12,
         "nonrenewal_notice_days": 60, "jurisdiction": "New York",
         "reminder": {"min_days": 15, "max_days": 30, "method": "certified mail", "statute": "GOL 5-903"}}


@pytest.mark.parametrize("today, status, renews", [
    (date(2029, 8, 31), "upcoming", date(2029, 12, 1)),
    (date(2029, 9, 1), "send now", date(2029, 12, 1)),
    (date(2029, 9, 16), "send now", date(2029, 12, 1)),
    (date(2029, 9, 17), "window missed", date(2029, 12, 1)),
    (date(2029, 12, 1), "upcoming", date(2030, 12, 1)),  # it renewed: the next period counts
])
def test_the_window_runs_15_to_30_days_before_the_notice_deadline(today, status, renews):
    row = calendar_row(_record(), TERMS, today, "test")
    assert row.renews_on == renews and row.status == status
    if renews == date(2029, 12, 1):
        # The period ends 2029-11-30; notice at least 60 days before it; the reminder 15 to 30 days before that.
        assert (row.notice_deadline, row.reminder_from, row.reminder_by) == (
            date(2029, 10, 1), date(2029, 9, 1), date(2029, 9, 16))


def test_months_are_added_as_contracts_count_them():
    assert add_months(date(2026, 12, 1), 36) == date(2029, 12, 1)
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 15), 2) == date(2028, 1, 15)


def test_no_automatic_renewal_is_listed_as_such():
    row = calendar_row(_record(), None, date(2027, 1, 1), "test")
    assert row.status == "no automatic renewal" and row.renews_on is None


@pytest.fixture
def signed_book(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    for name in ("kingsbridge-mortgage.yaml", "buckeye-precision.yaml", "copper-kettle.yaml", "pine-tree-consulting.yaml"):
        assert runner.invoke(main, ["build", str(SAMPLES / name), "--out", str(out),
                                    "--provider", str(PROVIDER)]).exit_code == 0
    for client in ("Kingsbridge Mortgage Brokers, Inc.", "Buckeye Precision Machining Co.", "Copper Kettle Bakery LLC"):
        walk(out / "ledger.sqlite", client, by="dana")
    return runner, out


def test_the_calendar_lists_signed_agreements_only_soonest_first(signed_book):
    runner, out = signed_book
    result = runner.invoke(main, ["renewals", "--out", str(out), "--today", "2029-08-20", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["client"] for r in rows] == ["Kingsbridge Mortgage Brokers, Inc.", "Buckeye Precision Machining Co.",
                                           "Copper Kettle Bakery LLC"]  # Pine Tree is not signed
    ny = rows[0]
    assert (ny["renews_on"], ny["notice_deadline"], ny["reminder_from"], ny["reminder_by"]) == (
        "2029-12-01", "2029-10-01", "2029-09-01", "2029-09-16")
    assert "certified mail" in ny["method"] and ny["basis"] == "signed bill of materials"
    assert rows[1]["renews_on"] == "2030-01-01"  # Buckeye is effective 2027-01-01
    assert rows[2]["status"] == "no automatic renewal"


def test_within_keeps_what_is_due_and_csv_has_the_columns(signed_book):
    runner, out = signed_book
    result = runner.invoke(main, ["renewals", "--out", str(out), "--today", "2029-08-20", "--within", "30", "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["client"] for r in rows] == ["Kingsbridge Mortgage Brokers, Inc."]
    assert rows[0]["reminder_by"] == "2029-09-16" and rows[0]["statute"] == "N.Y. Gen. Oblig. Law 5-903"
    text = runner.invoke(main, ["renewals", "--out", str(out), "--today", "2029-08-20"]).stdout
    assert "send the reminder between 2029-09-01 and 2029-09-16: served personally or by certified mail" in text


def test_source_limits_the_calendar_to_its_clients(signed_book, tmp_path):
    runner, out = signed_book
    folder = tmp_path / "only"
    folder.mkdir()
    (folder / "buckeye.yaml").write_bytes((SAMPLES / "buckeye-precision.yaml").read_bytes())
    result = runner.invoke(main, ["renewals", str(folder), "--out", str(out), "--today", "2029-08-20", "--json"])
    assert [r["client"] for r in json.loads(result.stdout)] == ["Buckeye Precision Machining Co."]


def test_without_a_ledger_it_is_a_one_screen_error(tmp_path):
    result = CliRunner().invoke(main, ["renewals", "--out", str(tmp_path / "none")])
    assert result.exit_code == 2 and "error:" in result.stderr
