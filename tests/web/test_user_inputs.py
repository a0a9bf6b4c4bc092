"""`msa user ...` under hostile input: one user per name however it is typed, bounded passwords, no silent choice."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from msa_builder import api
from msa_builder.cli import main
from msa_builder.errors import AuthError
from msa_builder.users import MAX_PASSWORD

PASSWORD = "a long enough password"
NFC = unicodedata.normalize("NFC", "Café Counsel")
NFD = unicodedata.normalize("NFD", "Café Counsel")


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    api.init_workspace(tmp_path / "ws")
    return tmp_path / "ws" / "ledger.sqlite"


def user(*args: str, ledger: Path, stdin: str | bytes | None = None):
    return CliRunner().invoke(main, ["user", *args, "--ledger", str(ledger)], input=stdin)


def test_one_name_typed_in_nfc_or_nfd_is_one_user(ledger):
    assert NFC != NFD
    assert user("add", NFD, "--role", "attorney", "--password-stdin", ledger=ledger, stdin=PASSWORD + "\n").exit_code == 0
    again = user("add", NFC, "--role", "sales", "--no-password", ledger=ledger)
    assert again.exit_code == 2 and "already exists" in again.output
    assert [u.name for u in api.list_users(ledger=ledger)] == [NFC]
    assert api.authenticate(NFC, PASSWORD, ledger=ledger, client="t").session.user.name == NFC
    assert api.authenticate(NFD, PASSWORD, ledger=ledger, client="t").session.user.name == NFC
    assert user("token", NFD, ledger=ledger).exit_code == 0


def test_names_that_differ_only_in_case_beyond_ascii_are_one_user(ledger):
    # SQLite's NOCASE folds A-Z only: 'Émile Roux' and 'éMILE ROUX' were two users shown alike.
    assert user("add", "Émile Roux", "--role", "attorney", "--no-password", ledger=ledger).exit_code == 0
    for other in ("éMILE ROUX", "ÉMILE roux", "émile roux"):
        again = user("add", other, "--role", "admin", "--no-password", ledger=ledger)
        assert again.exit_code == 2
        assert f"a user named 'Émile Roux' already exists; {other!r} differs from it only in case" in again.output
    assert user("add", "Emile Roux", "--role", "sales", "--no-password", ledger=ledger).exit_code == 0, \
        "another letter is another name"
    assert [u.name for u in api.list_users(ledger=ledger)] == ["Emile Roux", "Émile Roux"]


def test_a_password_longer_than_the_bound_is_refused_without_reading_it_all(ledger):
    result = user("add", "ada", "--role", "admin", "--password-stdin", ledger=ledger,
                  stdin="p" * 5_000_000 + "\n")
    assert result.exit_code == 2 and f"longer than {MAX_PASSWORD} characters" in result.output
    exact = user("add", "ada", "--role", "admin", "--password-stdin", ledger=ledger, stdin="p" * MAX_PASSWORD + "\n")
    assert exact.exit_code == 0, exact.output
    with pytest.raises(AuthError):  # a sign-in with a longer one costs no more, and fails
        api.authenticate("ada", "p" * MAX_PASSWORD + "p" * 1_000_000, ledger=ledger, client="t")


def test_a_password_that_is_not_utf8_is_named_as_such(ledger):
    result = user("add", "ada", "--role", "admin", "--password-stdin", ledger=ledger, stdin=b"\xff" * 20 + b"\n")
    assert result.exit_code == 2 and "password on standard input is not UTF-8" in result.output
    assert api.list_users(ledger=ledger) == []


def test_contradictory_password_options_are_refused(ledger):
    result = user("add", "ada", "--role", "admin", "--no-password", "--password-stdin", ledger=ledger,
                  stdin=PASSWORD + "\n")
    assert result.exit_code == 2 and "contradict" in result.output
    assert api.list_users(ledger=ledger) == []
