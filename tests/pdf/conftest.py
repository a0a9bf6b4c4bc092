"""Fixtures shared by the PDF tests."""

from __future__ import annotations

import pytest
from pypdf import PageObject


@pytest.fixture
def text_reads(monkeypatch: pytest.MonkeyPatch) -> list[PageObject]:
    """Every page whose text pypdf extracts from now on, in order: finishing must read few."""
    reads: list[PageObject] = []
    original = PageObject.extract_text

    def counting(page: PageObject, *args: object, **kwargs: object) -> str:
        reads.append(page)
        return original(page, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PageObject, "extract_text", counting)
    return reads
