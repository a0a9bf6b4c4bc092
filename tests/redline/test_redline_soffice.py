"""An independent reader: LibreOffice opens our redlines and sees real tracked changes.

Each redline is converted to ODT by `soffice` (with a throw-away profile, so parallel runs never
share one); ODT keeps tracked changes as `text:changed-region` elements with their author and date,
and the body as shown with changes accepted. That is checked against the new version's text.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from msa_builder.redline.clause_diff import clause_redline
from msa_builder.redline.compare import compare_builds
from msa_builder.redline.docx import agreement_docx, clause_docx
from redline.conftest import TWO_VERSIONS, clause_lines, find

pytestmark = [pytest.mark.soffice,
              pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")]

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
DC = "http://purl.org/dc/elements/1.1/"
T = f"{{{TEXT}}}"


def to_odt(docx: bytes, folder: Path, name: str) -> etree._Element:
    """LibreOffice's reading of the DOCX, as the content.xml of the ODT it saves."""
    source = folder / f"{name}.docx"
    source.write_bytes(docx)
    profile = folder / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", "odt", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(folder / f"{name}.odt") as odt:
        return etree.fromstring(odt.read("content.xml"))


def changed_regions(root: etree._Element) -> list[tuple[str, str, str]]:
    """(insertion|deletion|format-change, author, date) of every tracked change LibreOffice sees."""
    out = []
    for region in root.iter(f"{T}changed-region"):
        change = region[0]
        creator = change.find(f".//{{{DC}}}creator")
        when = change.find(f".//{{{DC}}}date")
        out.append((etree.QName(change).localname, creator.text if creator is not None else "",
                    when.text if when is not None else ""))
    return out


def shown_text(root: etree._Element) -> str:
    """The body's text with changes shown as accepted: deleted text lives inside the change records."""
    out: list[str] = []

    def walk(element: etree._Element) -> None:
        if element.tag == f"{T}tracked-changes":
            return
        if element.text:
            out.append(element.text)
        for child in element:
            if child.tag == f"{T}s":
                out.append(" " * int(child.get(f"{T}c", "1")))
            elif child.tag in (f"{T}line-break", f"{T}tab"):
                out.append(" ")
            else:
                walk(child)
                if child.tag in (f"{T}p", f"{T}h"):
                    out.append("\n")
            if child.tail:
                out.append(child.tail)

    walk(root.find(".//{urn:oasis:names:tc:opendocument:xmlns:office:1.0}text"))
    return " ".join("".join(out).split())


def _words(lines: list[str]) -> str:
    # List labels are LibreOffice's own numbering, not text; drop them from the expected lines.
    import re

    return " ".join(" ".join(re.sub(r"^(\([a-z]+\)|\u2022) ", "", line) for line in lines).split())


def test_libreoffice_sees_a_clause_redlines_changes_with_author_and_date(shipped_library, tmp_path):
    old, new = TWO_VERSIONS[3]
    root = to_odt(clause_docx(clause_redline(shipped_library, old, new), author="Counsel"), tmp_path, "clause")
    regions = changed_regions(root)
    kinds = {kind for kind, _, _ in regions}
    assert {"insertion", "deletion"} <= kinds
    assert {author for _, author, _ in regions} == {"Counsel"}
    assert all(when.startswith("2026-06-01") for _, _, when in regions)
    assert _words(clause_lines(shipped_library, find(shipped_library, new))) in shown_text(root)


def test_libreoffice_sees_an_agreement_redline_including_a_move(moved_builds, as_of_builds, tmp_path):
    old, new = as_of_builds
    root = to_odt(agreement_docx(compare_builds(old.lock, new.lock)), tmp_path, "agreement")
    regions = changed_regions(root)
    assert len(regions) >= 6 and {"insertion", "deletion"} <= {kind for kind, _, _ in regions}
    assert "The Provider will not deal with a person demanding a ransom" in shown_text(root)
    moved_old, moved_new = moved_builds
    root = to_odt(agreement_docx(compare_builds(moved_old.lock, moved_new.lock)), tmp_path, "moved")
    # LibreOffice reads Word's moves as a deletion at the source and an insertion at the target.
    assert {kind for kind, _, _ in changed_regions(root)} == {"insertion", "deletion"}


def test_an_agreement_saved_unchanged_by_libreoffice_compares_as_unchanged(as_of_builds, tmp_path):
    """LibreOffice renames style ids, renumbers lists, sorts properties and adds indents of its own
    when it saves a DOCX; none of that is an edit of the agreement."""
    _, new = as_of_builds
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "saved"), str(new.docx)],
                   check=True, capture_output=True, timeout=180)
    saved = tmp_path / "saved" / new.docx.name
    assert saved.read_bytes() != new.docx.read_bytes()
    redline = compare_builds(new.docx, saved)
    assert redline.summary() == []
    assert [u.key for u in redline.new.units] == [u.key for u in redline.old.units]
    # Against the build's content model (its lock), too: the saved file says what the build said.
    from_lock = compare_builds(new.lock, saved)
    assert from_lock.summary() == [] and from_lock.changelog.clauses == ()
    assert [u.key for u in from_lock.new.units] == [u.key for u in from_lock.old.units]
