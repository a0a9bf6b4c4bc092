"""pdf/: the environment LibreOffice runs in is input too: a bad timeout, a full temp folder."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import msa_builder.pdf as pdf_module
from msa_builder.errors import ConversionError
from msa_builder.pdf import agreement_pdf
from msa_builder.pdf.convert import timeout_from_env


@pytest.mark.parametrize("value", ["soon", "-1", "0", "nan", "inf", "1e400", "86401", "1,5"])
def test_a_timeout_that_is_not_a_positive_number_of_seconds(monkeypatch, value):
    monkeypatch.setenv("MSA_PDF_TIMEOUT", value)
    with pytest.raises(ConversionError) as caught:
        timeout_from_env()
    assert caught.value.field == "MSA_PDF_TIMEOUT"


@pytest.mark.parametrize("value, seconds", [("", 120.0), ("30", 30.0), (" 2.5 ", 2.5)])
def test_a_good_timeout(monkeypatch, value, seconds):
    monkeypatch.setenv("MSA_PDF_TIMEOUT", value)
    assert timeout_from_env() == seconds


def test_no_temporary_folder_for_the_pdf(monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pdf_module, "make_owned", full)
    with pytest.raises(ConversionError, match="No space left on device"):
        agreement_pdf(SimpleNamespace(id="A", schedules=[], client_name="C"), b"docx", {}, converter=None)


def test_a_full_temporary_folder_for_the_pdf(monkeypatch):
    def full(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(ConversionError, match="No space left on device"):
        agreement_pdf(SimpleNamespace(id="A", schedules=[], client_name="C"), b"docx", {}, converter=None)
