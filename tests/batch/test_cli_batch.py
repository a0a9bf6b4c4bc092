"""`msa batch`, `msa status` and `msa ledger` through the CLI: output, exit codes and documentation."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ledger_steps import walk  # tests/ is on sys.path

from msa_builder.batch.csv_rows import FIXED_COLUMNS, PATTERN_COLUMNS
from msa_builder.cli import main
from msa_builder.paths import default_library

from .conftest import SAMPLES, TEMPLATES, bump_clause

COMMANDS = [["batch"], ["status"], ["ledger"], ["ledger", "mark"], ["ledger", "show"]]
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def run(config):
    runner = CliRunner()

    def invoke(*args: str, common: bool = True):
        extra = ["--out", str(config.out_dir)] if common else []
        if common and args and args[0] in ("batch", "status"):
            extra += ["--provider", str(config.provider_path), "--templates", str(TEMPLATES)]
        return runner.invoke(main, [str(a) for a in args] + extra)

    return invoke


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_batch_command_has_help_and_is_in_the_readme(command, run):
    result = run(*command, "--help", common=False)
    assert result.exit_code == 0
    summary = result.stdout.split("\n\n")[1].strip()
    assert len(summary) > 10
    assert f"msa {' '.join(command)}" in README.read_text(encoding="utf-8")


def test_the_readme_documents_every_csv_column():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Batch regeneration and the ledger"):]
    for column in FIXED_COLUMNS + PATTERN_COLUMNS:
        assert f"`{column}`" in section, column


def test_batch_prints_progress_lines_off_a_terminal_and_a_summary(run, clients):
    result = run("batch", clients, "--jobs", "1")
    assert result.exit_code == 0, result.output
    progress = result.stderr.splitlines()
    assert len(progress) == 4 and progress[0].startswith("[1/4] ")
    assert any("built     " in line and "harbor-finch.yaml [harbor-finch-llp-da242c] - never built" in line
               for line in progress)
    assert result.stdout.splitlines()[-1].startswith("3 built, 0 unchanged, 0 failed, 1 skipped in ")
    again = run("batch", clients, "--only-stale")
    assert again.exit_code == 0
    assert again.stdout.splitlines()[-1].startswith("0 built, 0 unchanged, 0 failed, 4 skipped in ")


def test_batch_json_has_the_summary_and_every_client(run, clients):
    result = run("batch", clients, "--json", "--jobs", "2")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {k: data["summary"][k] for k in ("built", "unchanged", "failed", "skipped", "total")} == {
        "built": 3, "unchanged": 0, "failed": 0, "skipped": 1, "total": 4}
    harbor = next(c for c in data["clients"] if c["label"].endswith("harbor-finch.yaml"))
    assert harbor["status"] == "built" and harbor["changes"] == ["never built"]
    assert harbor["written"] == [f"harbor-finch-llp-da242c-{n}" for n in ("msa.docx", "review.docx", "agreement.json", "lock.json")]


def test_a_failed_client_makes_exit_code_1_and_is_listed_with_its_error(run, clients):
    (clients / "bad.yaml").write_text("client: {legal_name: Bad}\ntier: gold\n", encoding="utf-8")
    result = run("batch", clients, "--jobs", "1")
    assert result.exit_code == 1
    assert "1 client(s) failed:" in result.stdout
    assert f"  {clients / 'bad.yaml'}: {clients / 'bad.yaml'}: client.jurisdiction: required field is missing" \
        in result.stdout
    assert "3 built, 0 unchanged, 1 failed, 1 skipped" in result.stdout


def test_a_bad_source_is_exit_2_with_one_screen_message(run, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text("client.legal_name,client.fax\nAcme,1\n", encoding="utf-8")
    result = run("batch", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}:1: client.fax: unknown column 'client.fax'")
    missing = run("batch", tmp_path / "nowhere")
    assert missing.exit_code == 2 and "batch source not found" in missing.stderr


def test_dry_run_prints_the_impact_report(run, clients, config, tmp_path):
    assert run("batch", clients, "--jobs", "1").exit_code == 0
    library = Path(shutil.copytree(SAMPLES.parent / "msa_builder" / "data" / "clause_library", tmp_path / "library"))
    bump_clause(library, "addendum.legal_confidentiality", "legal", "2.0.0", "2.1.0", extra="More.\n")
    result = run("batch", clients, "--dry-run", "--library", library, "--as-of", "2026-12-01")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:4] == [
        "Impact report: 1 client(s) would be rebuilt",
        "  (clause versions as of 2026-12-01 (--as-of))",
        f"  Harbor & Finch LLP [harbor-finch-llp-da242c] ({clients / 'harbor-finch.yaml'}), clauses as of 2026-12-01",
        "    addendum.legal_confidentiality 2.0.0→2.1.0",
    ]
    assert result.stdout.splitlines()[-1].startswith("1 stale, 2 current, 0 failed, 1 skipped in ")


def test_status_puts_unsigned_clients_first_and_reports_out_of_date_signatures(run, clients, config, tmp_path):
    assert run("batch", clients, "--jobs", "1").exit_code == 0
    walk(config.out_dir / "ledger.sqlite", "Harbor & Finch LLP", by="dana")
    assert run("ledger", "mark", "copper-kettle-bakery-llc-9062dd", "in_review").exit_code == 0
    result = run("status", clients)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("NO SIGNED AGREEMENT       Copper Kettle Bakery LLC - latest #")
    assert "in_review" in lines[0]
    assert lines[1].startswith("NO SIGNED AGREEMENT       Riverbend Pediatrics, P.C.")
    assert lines[2].startswith("signed, current           Harbor & Finch LLP - current: signed (unverified evidence) MSA-")
    assert lines[-1] == ("3 client(s): 1 signed and current, 0 need an amendment, 0 need a restated agreement, "
                         "2 with no signed agreement, 0 with profile errors")

    library = Path(shutil.copytree(SAMPLES.parent / "msa_builder" / "data" / "clause_library", tmp_path / "library"))
    bump_clause(library, "addendum.legal_confidentiality", "legal", "2.0.0", "2.1.0", extra="More.\n")
    data = json.loads(run("status", clients, "--library", library, "--json").stdout)
    harbor = next(row for row in data if row["client"] == "Harbor & Finch LLP")
    assert (harbor["state"], harbor["signed"], harbor["current"], harbor["signed_by"]) == (
        "restate", True, False, "dana")  # signed with test proofs: nothing archived to amend (tests/lifecycle)
    assert harbor["changes"] == ["addendum.legal_confidentiality 2.0.0→2.1.0"]
    assert harbor["reasons"] == ["signed before instruments were archived, so its terms cannot be read back for an "
                                 "amendment"]
    assert [row["state"] for row in data] == ["unsigned", "unsigned", "restate"]

    rows = list(csv.DictReader(io.StringIO(run("status", clients, "--csv").stdout)))
    assert [r["client"] for r in rows] == [
        "Copper Kettle Bakery LLC", "Riverbend Pediatrics, P.C.", "Harbor & Finch LLP"]
    assert rows[2]["signed"] == "True" and rows[2]["signed_by"] == "dana" and rows[0]["latest_status"] == "in_review"


def test_status_without_a_ledger_lists_every_client_as_unsigned_and_creates_nothing(run, clients, config):
    result = run("status", clients, "--json")
    assert result.exit_code == 0
    assert [row["state"] for row in json.loads(result.stdout)] == ["unsigned"] * 3
    assert not config.out_dir.exists()


def test_a_profile_error_shows_in_status_first(run, clients):
    (clients / "bad.yaml").write_text("client: {legal_name: Bad Co}\ntier: gold\n", encoding="utf-8")
    data = json.loads(run("status", clients, "--json").stdout)
    assert data[0]["state"] == "error" and data[0]["client"] == "Bad Co"
    assert "required field is missing" in data[0]["error"]


def test_ledger_mark_refuses_an_illegal_move_with_exit_2(run, clients):
    run("batch", clients, "--jobs", "1")
    result = run("ledger", "mark", "Harbor & Finch LLP", "signed")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:2] == [
        "error: STATUS: no agreement of 'Harbor & Finch LLP' can move to 'signed'; the latest, #2, is 'draft'",
        "  allowed: in_review, superseded"]  # records are numbered in source order: copper, harbor, riverbend
    unknown = run("ledger", "mark", "Nobody", "in_review")
    assert unknown.exit_code == 2 and "the ledger has no client 'Nobody'" in unknown.stderr


def test_ledger_show_lists_clients_and_one_clients_history(run, clients):
    run("batch", clients, "--jobs", "1")
    run("ledger", "mark", "Harbor & Finch LLP", "in_review", "--by", "dana", "--note", "sent to counsel")
    listing = run("ledger", "show")
    assert listing.exit_code == 0 and listing.stdout.splitlines()[-1] == "3 client(s)"
    history = run("ledger", "show", "harbor & finch llp")
    lines = history.stdout.splitlines()
    assert re.match(r"#2 MSA-20261201-DA242C-[0-9A-F]{6} in_review  generated ", lines[0]), lines[0]
    assert "generated -> draft" in lines[1] and "by msa batch" in lines[1]
    assert "draft -> in_review" in lines[2] and lines[2].endswith("by dana (sent to counsel)")
    data = json.loads(run("ledger", "show", "Harbor & Finch LLP", "--json").stdout)
    assert [e["to_status"] for e in data[0]["events"]] == ["draft", "in_review"]


def test_ledger_commands_need_an_existing_ledger(run):
    result = run("ledger", "show")
    assert result.exit_code == 2 and "no ledger here yet" in result.stderr


# --- papercuts: one screen shows each client once; status reads the inputs from the locks -----------------


def _msa_on_one_stream(*args, cwd: Path) -> str:
    """Run `msa` as a user does, stdout and stderr into one log (`2>&1`), and return the log."""
    command = [sys.executable, "-c", "from msa_builder.cli import main; main()", *map(str, args)]
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout
    return done.stdout


def _msa_on_a_terminal(*args, cwd: Path) -> str:
    """Run `msa` with stdout and stderr on one pseudo-terminal (the progress bar's case), return the screen."""
    import os
    import pty

    main_fd, terminal = pty.openpty()
    command = [sys.executable, "-c", "from msa_builder.cli import main; main()", *map(str, args)]
    with subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal) as done:
        os.close(terminal)
        screen = bytearray()
        while True:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            screen += chunk
        os.close(main_fd)
        assert done.wait(timeout=300) == 0, screen.decode("utf-8", "replace")
    return screen.decode("utf-8", "replace")


SCREENS = {"one-log": _msa_on_one_stream, "terminal": _msa_on_a_terminal}


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("dry_run", [False, True], ids=["build", "dry-run"])
def test_a_batch_on_one_screen_names_each_client_once(clients, config, tmp_path, dry_run, screen):
    extra = ["--dry-run"] if dry_run else []
    shown = SCREENS[screen]("batch", clients, "--out", config.out_dir, "--provider", config.provider_path,
                            "--templates", TEMPLATES, "--jobs", "1", *extra, cwd=tmp_path)
    for slug in ("harbor-finch-llp-da242c", "copper-kettle-bakery-llc-9062dd"):
        assert shown.count(f"[{slug}]") == 1, shown
    assert shown.splitlines()[-1].startswith("3 stale" if dry_run else "3 built"), shown


def test_status_outside_a_workspace_reads_the_library_from_the_locks(run, clients, config, tmp_path):
    library = Path(shutil.copytree(SAMPLES.parent / "msa_builder" / "data" / "clause_library", tmp_path / "library"))
    bump_clause(library, "addendum.legal_confidentiality", "legal", "2.0.0", "2.1.0", extra="More.\n")
    assert run("batch", clients, "--jobs", "1", "--library", library).exit_code == 0
    walk(config.out_dir / "ledger.sqlite", "Harbor & Finch LLP")
    rows = json.loads(run("status", clients, "--json").stdout)
    assert next(r for r in rows if r["client"] == "Harbor & Finch LLP")["state"] == "current"
    shipped = json.loads(run("status", clients, "--json", "--library", default_library()).stdout)
    harbor = next(r for r in shipped if r["client"] == "Harbor & Finch LLP")
    assert (harbor["state"], harbor["changes"]) == ("restate", ["addendum.legal_confidentiality 2.1.0→2.0.0"])


def test_status_refuses_locks_that_name_different_libraries(run, clients, config, tmp_path):
    library = Path(shutil.copytree(SAMPLES.parent / "msa_builder" / "data" / "clause_library", tmp_path / "library"))
    assert run("batch", clients, "--jobs", "1").exit_code == 0
    assert run("build", clients / "harbor-finch.yaml", "--library", library, "--provider", config.provider_path,
               common=True).exit_code == 0
    result = run("status", clients)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --library: the clients' locks name different library inputs: (shipped) "
                                    f"(2 client(s)), {library} (1 client(s))")


def test_a_signed_agreement_built_with_as_of_stays_current_in_status(run, clients, config):
    assert run("batch", clients, "--jobs", "1", "--final", "--as-of", "2026-12-15").exit_code == 0
    walk(config.out_dir / "ledger.sqlite", "Harbor & Finch LLP")
    rows = json.loads(run("status", clients, "--json").stdout)
    harbor = next(r for r in rows if r["client"] == "Harbor & Finch LLP")
    assert (harbor["state"], harbor["changes"]) == ("current", [])


def test_the_same_client_signed_from_yaml_is_current_from_csv_and_with_a_comment_and_other_key_order(
        run, clients, config, tmp_path):
    """"Current" compares what the agreement says, not the profile's bytes (lifecycle issue)."""
    assert run("batch", clients, "--jobs", "1").exit_code == 0
    walk(config.out_dir / "ledger.sqlite", "Harbor & Finch LLP")
    csv_rows = json.loads(run("status", SAMPLES / "clients.csv", "--json").stdout)
    assert next(r for r in csv_rows if r["client"] == "Harbor & Finch LLP")["state"] == "current"
    profile = clients / "harbor-finch.yaml"
    profile.write_text("# reviewed with the client\n" + profile.read_text(encoding="utf-8"), encoding="utf-8")
    rows = json.loads(run("status", clients, "--json").stdout)
    assert next(r for r in rows if r["client"] == "Harbor & Finch LLP")["state"] == "current", "a comment"
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    profile.write_text(yaml.safe_dump(dict(reversed(list(data.items()))), sort_keys=False), encoding="utf-8")
    rows = json.loads(run("status", clients, "--json").stdout)
    assert next(r for r in rows if r["client"] == "Harbor & Finch LLP")["state"] == "current", "key order"
