"""The "name on page 1" check of a converted PDF holds for right-to-left, invisible and very long names.

What pypdf extracts from LibreOffice's PDF is not the text we wrote: Arabic and Hebrew lose their
spaces and have their punctuation moved, zero-width characters vanish, a long name wraps and runs
on to page 2. The check compares letters, in either reading order, of a bounded prefix.
"""

from __future__ import annotations

import copy
import unicodedata
from io import BytesIO
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from msa_builder.pdf.convert import SHOWN_PREFIX, shows_text

ARABIC = "شركة النور للتقنية ذ.م.م"
HEBREW = 'חברת אורן טכנולוגיות בע"מ'
LONG = ("Acme Widgets " * 800).strip() + " LLC"  # 10,403 characters


def presentation_forms(text: str) -> str:
    """Arabic as a PDF may carry it: each letter as one of its presentation forms (U+FE70-U+FEFF)."""
    forms = {}
    for code in range(0xFE70, 0xFEFF):
        base = unicodedata.normalize("NFKD", chr(code))
        if len(base) == 1:
            forms.setdefault(base, chr(code))
    return "".join(forms.get(ch, ch) for ch in text)


@pytest.mark.parametrize(("page", "name"), [
    (". .    شركةالنورللتقنيةذمم \nEffective December 1, 2026", ARABIC),  # what pypdf gave LibreOffice's PDF
    (presentation_forms("شركة النور للتقنية ذمم"), ARABIC),
    ('"    חברתאורןטכנולוגיותבעמ ', HEBREW),
    ("מע\"ב תויגולונכט ןרוא תרבח", HEBREW),  # visual order: the line reversed
    ("Acme םולש Widgets LLC", "Acme שלום Widgets LLC"),  # visual order inside a left-to-right line
    ("and\nAcmeWidgets LLC\nEffective", "Acme\u200bWidgets LLC"),  # the zero-width space is not printed
    ("Cafe\u0301 Noir LLC", "Café Noir LLC"),  # an accent taken apart
    ("Harbor & Finch\nLLP", "Harbor & Finch LLP"),  # wrapped
    ("\n".join(LONG[i:i + 90] for i in range(0, 2000, 90)), LONG),  # page 1 holds only the start
    ("Office Aﬃliates LLC", "Office Affiliates LLC"),  # a ligature
])
def test_the_name_is_found_as_pdfs_give_it(page, name):
    assert shows_text(page, name)


@pytest.mark.parametrize(("page", "name"), [
    ("Harbor & Finch LLP", "Harbour & Finch LLP"),
    ("", ARABIC),
    ("שלום", HEBREW),
    (LONG[:SHOWN_PREFIX // 2], LONG),
    ("Acme LLC", "🍕 Pizza LLC"),
])
def test_another_name_or_a_blank_page_is_not_the_name(page, name):
    assert not shows_text(page, name)


def test_a_name_of_symbols_only_is_compared_without_spaces():
    assert shows_text("and\n🍕 🍕\nEffective", "🍕🍕") and not shows_text("and", "🍕🍕")


@pytest.mark.soffice
@pytest.mark.parametrize("name", [ARABIC, HEBREW, "Acme\u200bWidgets LLC", LONG], ids=["arabic", "hebrew", "zwsp",
                                                                                       "10k"])
def test_libreoffice_pdfs_of_such_names_pass_the_check(name, pdf_converter, build_options, tmp_path):
    import dataclasses

    from msa_builder.outputs import render_build
    from msa_builder.profile import load_profile

    samples = Path(__file__).resolve().parents[2] / "samples"
    data = copy.deepcopy(yaml.safe_load((samples / "harbor-finch.yaml").read_text(encoding="utf-8")))
    data["client"]["legal_name"] = name
    path = tmp_path / "client.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    options = dataclasses.replace(build_options, formats=("docx", "pdf"))
    rendered = render_build(load_profile(path), options, converter=pdf_converter)
    pdf = next(data for file, data in rendered.files.items() if file.endswith(".pdf"))
    first = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert shows_text(first, name)
