"""`msa new`: a client profile from flags or prompts, checked as answered, written with comments."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from msa_builder import clock
from msa_builder.profile import load_profile

FLAGS = ["--legal-name", "Birch Dental PLLC", "--jurisdiction", "Maine", "--address", "5 Elm St, Bangor, ME 04401",
         "--users", "12", "--signatory-name", "Sam Ortiz", "--signatory-title", "Managing Dentist",
         "--signatory-email", "sam@birch.example", "--signatory-authority", "owner", "--tier", "managed", "--industry", "healthcare",
         "--effective-date", "2027-01-01"]


@pytest.fixture
def run(tmp_path, monkeypatch, msa):
    monkeypatch.chdir(tmp_path)
    return msa


def test_flags_write_a_valid_commented_profile_and_name_the_next_command(run, tmp_path):
    result = run("new", *FLAGS, "--declined", "patching,security_training", "--offered", "2026-10-14", "--reason",
                 "patching=They patch their own imaging systems.", "--param",
                 "client_cyber_insurance_minimum=$3,000,000")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["wrote birch-dental-pllc.yaml", "next: msa build birch-dental-pllc.yaml"]
    path = tmp_path / "birch-dental-pllc.yaml"
    text = path.read_text(encoding="utf-8")
    assert "tier: managed  # Fully Managed Services" in text
    assert "any control not listed takes the tier's default" in text
    profile = load_profile(path).profile
    assert profile.client.users == 12 and str(profile.effective_date) == "2027-01-01"
    assert profile.decision("patching").reason == "They patch their own imaging systems."
    assert str(profile.decision("security_training").offered) == "2026-10-14"
    assert profile.decision("security_training").reason is None
    assert profile.params == {"client_cyber_insurance_minimum": 3000000}
    assert run("explain", path).exit_code == 0


def test_the_profile_lists_only_the_controls_that_differ_from_the_tier(run, tmp_path):
    assert run("new", *FLAGS, "--client-managed", "security_training", "-o", "p.yaml").exit_code == 0
    data = yaml.safe_load((tmp_path / "p.yaml").read_text(encoding="utf-8"))
    assert data["controls"] == {"security_training": "client_managed"}
    assert data["params"] == {}


def test_missing_fields_without_a_terminal_are_one_error_naming_the_flags(run, tmp_path):
    result = run("new", "--legal-name", "Birch Dental PLLC", "--tier", "managed")
    assert result.exit_code == 2
    assert "the new profile is missing required fields" in result.stderr
    assert "--jurisdiction, --address, --users, --signatory-name" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("extra, fragment", [
    (["--declined", "mfa", "--offered", "2026-10-14"], "mfa (Multi-Factor Authentication) is mandatory for Fully "
                                                       "Managed Services clients in Healthcare"),
    (["--declined", "patching"], "the client declined patching: say when it was recommended"),
    (["--declined", "firewall"], "'firewall' is not a control this library knows"),
    (["--param", "client_cyber_insurance_minimum=lots"], "'lots' is not a number"),
])
def test_a_profile_that_could_not_be_built_is_refused_and_nothing_written(run, tmp_path, extra, fragment):
    result = run("new", *FLAGS, *extra)
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_refused_control_names_the_tiers_that_would_allow_the_decline(run):
    result = run("new", *FLAGS, "--declined", "mfa", "--offered", "2026-10-14")
    assert "Tiers on which a Healthcare client may decline it: Break/Fix Services (break_fix)." in result.stderr


def test_new_never_overwrites(run, tmp_path):
    (tmp_path / "birch-dental-pllc.yaml").write_text("mine\n", encoding="utf-8")
    result = run("new", *FLAGS)
    assert result.exit_code == 2
    assert "a file is already there; `msa new` never overwrites" in result.stderr
    assert (tmp_path / "birch-dental-pllc.yaml").read_text(encoding="utf-8") == "mine\n"


def test_in_a_workspace_the_profile_goes_to_its_clients_folder(run, tmp_path):
    assert run("init", "acme").exit_code == 0
    result = run("new", "--workspace", "acme", *FLAGS)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "acme" / "clients" / "birch-dental-pllc.yaml").is_file()


def test_the_effective_date_defaults_to_today(run, tmp_path, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2027, 2, 3))
    flags = FLAGS[:FLAGS.index("--effective-date")]
    assert run("new", *flags, "-o", "p.yaml").exit_code == 0
    assert str(load_profile(tmp_path / "p.yaml").profile.effective_date) == "2027-02-03"


def test_prompts_check_each_answer_and_ask_again(run, tmp_path):
    answers = "\n".join([
        "Birch Dental PLLC",     # legal name
        "Ontario",               # not a US state: asked again
        "Maine",
        "5 Elm St, Bangor, ME 04401",
        "",                      # entity: optional
        "0",                     # users: at least 1
        "12",
        "Sam Ortiz", "Managing Dentist",
        "sam-at-birch",          # not an email: asked again
        "sam@birch.example",
        "owner",                 # authority to bind the client
        "gold",                  # not a tier: asked again
        "managed",
        "healthcare",
        "2027-01-01",            # effective date
        "",                      # agreement id: derived
        "declined",              # mfa: refused for managed healthcare, asked again
        "accepted",
        "", "", "",              # edr, backup, email security: the tier's default
        "declined",              # patching
        "2026-10-14", "They patch their own imaging systems.",
        "", "",                  # the other controls keep the tier's default
        "y",                     # override a parameter
        "client_cyber_insurance_minimum", "$3,000,000",
        "",                      # done
    ]) + "\n"
    result = run("new", "--interactive", "-o", "p.yaml", input=answers)
    assert result.exit_code == 0, result.output
    assert "is not a US state" in result.stderr
    assert "Input should be greater than or equal to 1" in result.stderr
    assert "must be an email address" in result.stderr
    assert "mfa (Multi-Factor Authentication) may not be declined on the Fully Managed Services tier" in result.stderr
    # What each control is and the risk of declining it come from the library's control catalogue.
    assert "  mfa: Multi-Factor Authentication. A second factor for email, remote access" in result.stdout
    assert "  Risk of declining: Unpatched systems carry publicly known weaknesses" in result.stdout
    assert "None" not in result.stdout
    assert "client_cyber_insurance_minimum   $2,000,000 (industry)  Minimum limit" in result.stdout
    profile = load_profile(tmp_path / "p.yaml").profile
    assert profile.client.jurisdiction == "Maine" and profile.client.users == 12
    assert profile.client.entity is None and profile.agreement_id is None
    assert set(profile.controls) == {"patching"}  # mfa accepted is the tier's default
    assert profile.decision("patching").reason == "They patch their own imaging systems."
    assert profile.params == {"client_cyber_insurance_minimum": 3000000}


def test_flags_given_are_not_asked_again(run, tmp_path):
    answers = "\n".join([""] * 9 + ["n"]) + "\n"  # no entity, no agreement id, seven default controls, no overrides
    result = run("new", "--interactive", *FLAGS, "-o", "p.yaml", input=answers)
    assert result.exit_code == 0, result.output
    assert "Client's legal name" not in result.stdout
    assert load_profile(tmp_path / "p.yaml").profile.controls == {}


def test_help_lists_a_flag_for_every_field(run):
    text = run("new", "--help").stdout
    for flag in ("--legal-name", "--jurisdiction", "--tier", "--industry", "--users", "--signatory-name",
                 "--signatory-title", "--signatory-email", "--address", "--entity", "--effective-date",
                 "--agreement-id", "--declined", "--offered", "--reason", "--param", "-o, --output"):
        assert flag in text, flag


@pytest.mark.parametrize("extra, fragment", [
    (["--offered", "2026-10-14"], "--offered: --offered and --reason describe declined controls"),
    (["--declined", "edr", "--offered", "edr=2026-10-14", "--reason", "backup=Own backups."],
     "--reason: --offered and --reason describe declined controls"),
    (["--declined", "edr", "--offered", "14/10/2026"], "--offered edr: '14/10/2026' is not a date; use YYYY-MM-DD"),
])
def test_offer_records_must_belong_to_declined_controls(run, tmp_path, extra, fragment):
    result = run("new", *FLAGS, *extra)
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert list(tmp_path.iterdir()) == []
