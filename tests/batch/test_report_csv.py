"""`msa status --csv` never hands a spreadsheet a formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from click.testing import CliRunner

from ledger_steps import walk  # tests/ is on sys.path

from msa_builder.batch.report import spreadsheet_safe
from msa_builder.cli import main

from .conftest import SAMPLES, TEMPLATES


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "  =cmd|' /C calc'!A0",
                                  "\uff1d1+1"])
def test_a_cell_that_would_start_a_formula_gets_a_leading_quote(cell):
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Harbor & Finch LLP", "a=b", "2026-12-01", "", True, 3, None])
def test_other_cells_are_left_alone(cell):
    assert spreadsheet_safe(cell) == cell


def test_status_csv_neutralises_names_and_who_signed(tmp_path, config):
    data = yaml.safe_load((SAMPLES / "harbor-finch.yaml").read_text(encoding="utf-8"))
    data["client"]["legal_name"] = '=HYPERLINK("http://example.com/x","Open") LLC'
    clients = tmp_path / "clients"
    clients.mkdir()
    (clients / "evil.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    runner = CliRunner()
    common = ["--out", str(config.out_dir), "--provider", str(config.provider_path), "--templates", str(TEMPLATES)]
    assert runner.invoke(main, ["batch", str(clients), "--jobs", "1", *common]).exit_code == 0
    name = data["client"]["legal_name"]
    walk(config.out_dir / "ledger.sqlite", name, by="@SUM(1+1)")
    report = runner.invoke(main, ["status", str(clients), "--csv", *common])
    assert report.exit_code == 0, report.output
    [row] = list(csv.DictReader(io.StringIO(report.stdout)))
    assert row["client"] == "'" + name and row["signed_by"] == "'@SUM(1+1)"
    assert row["state"] == "current" and row["signed"] == "True"
    [as_json] = json.loads(runner.invoke(main, ["status", str(clients), "--json", *common]).stdout)
    assert as_json["client"] == name and as_json["signed_by"] == "@SUM(1+1)"  # JSON is data, not a sheet
