"""A batch with PDF output: one LibreOffice per worker, PDFs in the lock, and format changes handled."""

from __future__ import annotations

import dataclasses

import pytest

from msa_builder.batch import run_batch
from msa_builder.errors import ConversionError


def _soffice_missing() -> bool:
    from msa_builder.pdf.convert import find_soffice

    try:
        find_soffice()
    except ConversionError:
        return True
    return False


pytestmark = [pytest.mark.soffice,
              pytest.mark.skipif(_soffice_missing(), reason="LibreOffice (soffice) is not installed")]


def test_a_pdf_batch_starts_one_libreoffice_and_a_docx_rerun_removes_the_stale_pdf(clients, config, monkeypatch):
    from msa_builder.pdf import convert

    starts = []
    real = convert.PdfConverter

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            starts.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(convert, "PdfConverter", Counting)
    (clients / "riverbend-pediatrics.yaml").unlink()
    pdf_config = dataclasses.replace(config, formats=("docx", "pdf"))
    report = run_batch(clients, pdf_config, jobs=1)
    assert report.counts()["built"] == 2
    assert len(starts) == 1, "every client of a worker must share one LibreOffice"
    slug = "harbor-finch-llp-da242c"
    pdf = config.out_dir / slug / f"{slug}-msa.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")

    assert run_batch(clients, pdf_config, jobs=2, only_stale=True).counts()["skipped"] == 3
    # A DOCX-only run does not call PDF clients stale ...
    assert run_batch(clients, config, jobs=1, only_stale=True).counts()["skipped"] == 3
    # ... but when a client is rebuilt without PDF, its old PDF (which the new lock no longer covers) goes.
    config.provider_path.write_text(config.provider_path.read_text(encoding="utf-8").replace("Suite 400", "Suite 5"),
                                    encoding="utf-8")
    report = run_batch(clients, config, jobs=1, only_stale=True)
    harbor = next(r for r in report.results if r.slug == slug)
    assert harbor.status == "built" and harbor.removed == (f"{slug}-msa.pdf",)
    assert not pdf.exists()


def test_a_pdf_batch_with_two_workers(clients, config):
    (clients / "riverbend-pediatrics.yaml").unlink()
    report = run_batch(clients, dataclasses.replace(config, formats=("docx", "pdf")), jobs=2)
    assert report.counts()["built"] == 2, [r.error for r in report.failed]
    for result in report.results:
        if result.slug:
            assert f"{result.slug}-msa.pdf" in result.written
