"""`msa verify` and `msa sign` through the CLI: reports, exit codes, and one-screen errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from msa_builder.cli import main
from msa_builder.ledger import Ledger

from .conftest import PASSPHRASE
from .pki import sign_as
from .tamper import add_page_content


@pytest.fixture
def files(tmp_path, execution, pki):
    """execution.pdf, client-signed.pdf and the CA's certificate, on disk."""
    (tmp_path / "execution.pdf").write_bytes(execution)
    (tmp_path / "client-signed.pdf").write_bytes(sign_as(execution, pki.client))
    (tmp_path / "ca.pem").write_bytes(pki.ca.pem())
    return tmp_path


def run(*args: object, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def assert_one_screen_error(result, *fragments: str) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr
    return result.stderr


def test_verify_a_valid_signed_pdf(files):
    result = run("verify", files / "client-signed.pdf", "--original", files / "execution.pdf",
                 "--trust", files / "ca.pem")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[0].endswith("client-signed.pdf: VALID")
    assert "byte for byte the execution PDF" in out
    assert "Dana Reyes (Harbor & Finch LLP, dana@example.com)" in out
    assert "revision 1 \u00b7 valid" in out and "not trusted" not in out
    assert "unsigned     provider_signature, client_ack_mfa" in out
    assert result.stderr == "", "pyHanko's own logging stays out of the report"


def test_verify_json(files, execution):
    import hashlib

    result = run("verify", files / "client-signed.pdf", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["verdict"] == "valid"
    assert data["original_sha256"] == hashlib.sha256(execution).hexdigest()
    assert data["signatures"][0]["state"] == "valid, not trusted"


def test_verify_an_invalid_pdf_exits_1_naming_the_failure(files):
    (files / "tampered.pdf").write_bytes(add_page_content((files / "client-signed.pdf").read_bytes()))
    result = run("verify", files / "tampered.pdf", "--original", files / "execution.pdf")
    assert result.exit_code == 1
    assert "tampered.pdf: INVALID" in result.stdout
    assert "  - content-changed: " in result.stdout
    assert "content      CHANGED" in result.stdout


def test_verify_against_another_original_exits_1(files):
    result = run("verify", files / "client-signed.pdf", "--original", files / "ca.pem")
    assert result.exit_code == 1
    assert "original-mismatch" in result.stdout and "NOT the execution PDF" in result.stdout


def test_verify_something_that_is_not_a_pdf_exits_2(files):
    result = run("verify", files / "ca.pem")
    assert result.exit_code == 2
    assert "ca.pem: UNUSABLE" in result.stdout and "not-a-pdf" in result.stdout


@pytest.mark.parametrize("args,fragments", [
    (["missing.pdf"], ["missing.pdf", "cannot read the file"]),
    (["client-signed.pdf", "--trust", "execution.pdf"], ["execution.pdf", "--trust", "not a certificate"]),
    (["client-signed.pdf", "--original", "missing.pdf"], ["missing.pdf", "--original"]),
    (["client-signed.pdf", "--ledger", "missing.sqlite"], ["missing.sqlite", "--ledger"]),
], ids=["missing-file", "bad-trust-root", "missing-original", "missing-ledger"])
def test_verify_bad_input_is_a_one_screen_error(files, args, fragments):
    assert_one_screen_error(run("verify", *[files / a if "." in a else a for a in args]), *fragments)


def test_verify_with_a_ledger_that_never_approved_this_pdf_says_so(files):
    Ledger(files / "ledger.sqlite").close()
    result = run("verify", files / "client-signed.pdf", "--ledger", files / "ledger.sqlite")
    assert result.exit_code == 0
    assert "original     sha256 " in result.stdout
    assert "ledger       no instrument with this hash: not an execution version this ledger approved" in result.stdout


def test_sign_then_verify(files, pki, provider_key):
    out = files / "countersigned.pdf"
    result = run("sign", files / "client-signed.pdf", "--key", provider_key, "-o", out,
                 env={"MSA_KEY_PASSPHRASE": PASSPHRASE.decode()})
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stdout
    assert out.read_bytes().startswith((files / "client-signed.pdf").read_bytes())
    verified = run("verify", out, "--original", files / "execution.pdf", "--trust", files / "ca.pem")
    assert verified.exit_code == 0
    assert "Morgan Ellis (Lakeshore Managed IT, LLC)" in verified.stdout


def test_sign_never_overwrites(files, provider_key):
    env = {"MSA_KEY_PASSPHRASE": PASSPHRASE.decode()}
    source = files / "client-signed.pdf"
    before = source.read_bytes()
    assert_one_screen_error(run("sign", source, "--key", provider_key, "-o", source, env=env),
                            "-o", "never overwritten")
    existing = files / "execution.pdf"
    assert_one_screen_error(run("sign", source, "--key", provider_key, "-o", existing, env=env),
                            "execution.pdf", "already exists")
    assert source.read_bytes() == before


def test_sign_an_unknown_field_lists_the_fields(files, provider_key):
    err = assert_one_screen_error(run("sign", files / "execution.pdf", "--key", provider_key, "--field", "nope",
                                      "-o", files / "out.pdf", env={"MSA_KEY_PASSPHRASE": PASSPHRASE.decode()}),
                                  "--field", "no signature field 'nope'")
    assert "allowed: provider_signature, client_signature, client_ack_mfa" in err
    assert not (files / "out.pdf").exists()


def test_sign_with_a_wrong_passphrase(files, provider_key):
    assert_one_screen_error(run("sign", files / "execution.pdf", "--key", provider_key, "-o", files / "out.pdf",
                                env={"MSA_KEY_PASSPHRASE": "wrong"}), "--key", "cannot open the key")
    assert not (files / "out.pdf").exists()


def test_sign_asks_for_the_passphrase_on_a_terminal(files, provider_key, monkeypatch):
    from msa_builder.cli import signing as signing_commands

    monkeypatch.setattr(signing_commands, "_interactive", lambda: True)
    monkeypatch.delenv("MSA_KEY_PASSPHRASE", raising=False)
    out = files / "countersigned.pdf"
    result = CliRunner().invoke(main, ["sign", str(files / "client-signed.pdf"), "--key", str(provider_key),
                                       "-o", str(out)], input=PASSPHRASE.decode() + "\n")
    assert result.exit_code == 0, result.output
    assert "Passphrase for" in result.output and PASSPHRASE.decode() not in result.output, "hidden as typed"
    assert out.exists()
