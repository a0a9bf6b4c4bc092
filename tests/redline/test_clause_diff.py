"""`msa diff SLOT@V1 SLOT@V2`: clause redlines on rendered text, checked by accepting and rejecting them."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from msa_builder.errors import LibraryError
from msa_builder.ooxml.package import read_parts
from msa_builder.redline.clause_diff import (
    RenderContext,
    clause_redline,
    find_clause,
    profile_render_context,
    redline_versions,
)
from msa_builder.redline.docx import clause_docx
from msa_builder.redline.html import clause_html
from msa_builder.redline.text import clause_text
from redline.conftest import HARBOR, TWO_VERSIONS, clause_lines, find
from redline.wordxml import W, body_lines, document, lines, revisions


@pytest.mark.parametrize(("old", "new"), TWO_VERSIONS, ids=[o.split(":")[0] for o, _ in TWO_VERSIONS])
def test_accept_all_gives_the_new_version_and_reject_all_the_old(shipped_library, old, new):
    data = clause_docx(clause_redline(shipped_library, old, new))
    assert revisions(document(data)), "two different versions must produce revisions"
    assert body_lines(data, accept=True) == clause_lines(shipped_library, find(shipped_library, new))
    assert body_lines(data, accept=False) == clause_lines(shipped_library, find(shipped_library, old))


@pytest.mark.parametrize(("old", "new"), TWO_VERSIONS[:3], ids=[o.split(":")[0] for o, _ in TWO_VERSIONS[:3]])
def test_a_diff_backwards_undoes_the_change(shipped_library, old, new):
    redline = clause_redline(shipped_library, new, old)
    data = clause_docx(redline)
    assert body_lines(data, accept=True) == clause_lines(shipped_library, find(shipped_library, old))
    assert body_lines(data, accept=False) == clause_lines(shipped_library, find(shipped_library, new))
    assert redline.changelog[0][0].endswith("(undone)")


def test_same_diff_same_bytes(shipped_library):
    first = clause_docx(clause_redline(shipped_library, *TWO_VERSIONS[0]))
    second = clause_docx(clause_redline(shipped_library, *TWO_VERSIONS[0]))
    assert first == second
    assert clause_docx(clause_redline(shipped_library, *TWO_VERSIONS[0]), clean=True) == \
        clause_docx(clause_redline(shipped_library, *TWO_VERSIONS[0]), clean=True)


def test_revisions_carry_a_fixed_author_and_the_new_versions_effective_date(shipped_library):
    redline = clause_redline(shipped_library, *TWO_VERSIONS[5])
    assert redline.when == date(2026, 6, 1)
    for author in ("msa-builder", "Outside Counsel"):
        changes = revisions(document(clause_docx(redline, author=author)))
        dated = [c for c in changes if c.get(f"{W}date") is not None]
        assert dated and {c.get(f"{W}author") for c in dated} == {author}
        assert {c.get(f"{W}date") for c in dated} == {"2026-06-01T00:00:00Z"}


def test_clean_view_is_the_new_text_without_markup(shipped_library):
    redline = clause_redline(shipped_library, *TWO_VERSIONS[1])
    clean = clause_docx(redline, clean=True)
    assert revisions(document(clean)) == []
    assert lines(document(clean)) == body_lines(clause_docx(redline), accept=True)
    assert "CLEAN VIEW" in read_parts(clean)["word/header1.xml"].decode("utf-8")
    assert "REDLINE" in read_parts(clause_docx(redline))["word/header1.xml"].decode("utf-8")


def test_inserted_list_items_do_not_touch_the_items_renumbered_after_them(shipped_library):
    root = document(clause_docx(clause_redline(shipped_library, *TWO_VERSIONS[0])))
    after = [p for p in root.iter(f"{W}p") if "".join(p.itertext()).startswith("work made necessary")]
    assert len(after) == 1
    assert revisions(after[0]) == [], "(g) becoming (j) is Word's numbering, not a change"
    inserted = [p for p in root.iter(f"{W}p") if "".join(p.itertext()).startswith("forensic investigation")]
    assert inserted and inserted[0].find(f"{W}pPr/{W}rPr/{W}ins") is not None


def _two(mini, old_body: str, new_body: str, **front):
    mini.clause("terms.service", "basic", "1.0.0", body=old_body, applies_when="tier == 'basic'", **front)
    mini.clause("terms.service", "basic", "1.1.0", body=new_body, applies_when="tier == 'basic'",
                effective="2026-03-01", **front)
    return mini.load()


def test_numbering_only_changes_produce_no_revisions(mini):
    library = _two(mini,
                   "The Provider shall, under [](#definitions.core):\n\n1. back up data;\n2. patch systems; and\n"
                   "3. answer calls.\n",
                   "The Provider shall, under [](#definitions.core):\n\n1. back up data;\n1. patch systems; and\n"
                   "1. answer calls.\n")
    old, new = find_clause(library, "terms.service:basic@1.0.0"), find_clause(library, "terms.service:basic@1.1.0")
    # The same target under another number (a section inserted before it) is not a change either.
    before = RenderContext({}, {"definitions.core": "Section 1.1"}, "test")
    after = RenderContext({}, {"definitions.core": "Section 4.7"}, "test")
    redline = redline_versions(old, new, old_context=before, new_context=after, changelog=())
    data = clause_docx(redline)
    assert revisions(document(data)) == []
    assert body_lines(data, accept=True)[1:] == ["The Provider shall, under Section 4.7:", "(a) back up data;",
                                                "(b) patch systems; and", "(c) answer calls."]
    assert "(no change in the text)" in clause_text(redline)


def test_whitespace_only_changes_produce_no_revisions(mini):
    old_body = "The Client shall pay  the Fees within thirty days.\nLate amounts bear interest.\n\n- one item\n"
    new_body = "The Client shall pay the\nFees  within thirty   days. Late amounts\nbear interest.   \n\n*   one item\n"
    library = _two(mini, old_body, new_body)
    redline = clause_redline(library, "terms.service:basic@1.0.0", "terms.service:basic@1.1.0")
    data = clause_docx(redline)
    assert revisions(document(data)) == []
    accepted = body_lines(data, accept=True)
    assert accepted == clause_lines(library, find(library, "terms.service:basic@1.1.0"))
    old_lines = clause_lines(library, find(library, "terms.service:basic@1.0.0"))
    assert [" ".join(x.split()) for x in body_lines(data, accept=False)] == [" ".join(x.split()) for x in old_lines]
    # ...while a real edit next to changed spacing is tracked, spacing included, so Reject All is exact.
    library = _two(mini, "Pay  the Fees.\n", "Pay all Fees.\n")
    data = clause_docx(clause_redline(library, "terms.service:basic@1.0.0", "terms.service:basic@1.1.0"))
    assert body_lines(data, accept=False) == clause_lines(library, find(library, "terms.service:basic@1.0.0"))


def test_a_formatting_change_is_a_formatting_revision(mini):
    library = _two(mini, "The term Client Data means data.\n", 'The term **"Client Data"** means data.\n')
    root = document(clause_docx(clause_redline(library, "terms.service:basic@1.0.0", "terms.service:basic@1.1.0")))
    assert root.find(f".//{W}rPrChange") is not None
    bold = [r for r in root.iter(f"{W}r") if r.find(f"{W}rPr/{W}b") is not None and "Client" in "".join(r.itertext())]
    assert bold, "the new version's bold survives"


def test_two_variants_can_be_compared(shipped_library):
    redline = clause_redline(shipped_library, "scope.out_of_scope:break_fix@1.0.0",
                             "scope.out_of_scope:standard@1.1.0")
    data = clause_docx(redline)
    assert body_lines(data, accept=True) == clause_lines(shipped_library, find(shipped_library,
                                                                              "scope.out_of_scope:standard@1.1.0"))
    assert body_lines(data, accept=False) == clause_lines(shipped_library, find(shipped_library,
                                                                               "scope.out_of_scope:break_fix@1.0.0"))
    assert [key for key, _ in redline.changelog] == ["scope.out_of_scope:standard@1.1.0"]
    assert "break_fix@1.0.0 \u2192 standard@1.1.0" in read_parts(data)["word/document.xml"].decode("utf-8")


def test_variant_option_fills_references_without_one(shipped_library):
    redline = clause_redline(shipped_library, "security.declined_controls@1.0.0", "security.declined_controls@2.0.0",
                             variant="declined")
    assert redline.old is not None and redline.old.key == "security.declined_controls:declined@1.0.0"


def test_changelog_lists_every_version_in_between(mini):
    for version, effective in (("1.0.0", "2025-01-01"), ("1.1.0", "2025-06-01"), ("1.2.0", "2026-01-01")):
        mini.clause("terms.service", "basic", version, body=f"Text {version}.\n", applies_when="tier == 'basic'",
                    effective=effective, front={"changelog": f"Why {version}."})
    library = mini.load()
    redline = clause_redline(library, "terms.service:basic@1.0.0", "terms.service:basic@1.2.0")
    assert redline.changelog == (("terms.service:basic@1.1.0", "Why 1.1.0."),
                                 ("terms.service:basic@1.2.0", "Why 1.2.0."))
    assert "# terms.service:basic@1.1.0: Why 1.1.0." in clause_text(redline)


def test_a_client_profile_fills_variables_and_numbers(shipped_library):
    context = profile_render_context(shipped_library, HARBOR)
    redline = clause_redline(shipped_library, *TWO_VERSIONS[1], context=context)
    accepted = "\n".join(body_lines(clause_docx(redline), accept=True))
    assert "$3,000,000" in accepted, "Harbor & Finch's own insurance minimum, not the sample's"
    assert "Schedule E" in accepted and "client profile" in redline.context
    sample = "\n".join(body_lines(clause_docx(clause_redline(shipped_library, *TWO_VERSIONS[1])), accept=True))
    assert "$3,000,000" not in sample


@pytest.mark.parametrize("ref", ["scope.out_of_scope@9.9.9", "scope.out_of_scope:gold@1.0.0"])
def test_a_missing_version_lists_the_versions_that_exist(shipped_library, ref):
    with pytest.raises(LibraryError) as caught:
        clause_redline(shipped_library, "scope.out_of_scope:standard@1.0.0", ref)
    assert caught.value.exit_code == 2
    assert "scope.out_of_scope:standard@1.0.0" in caught.value.allowed
    assert "scope.out_of_scope:standard@1.1.0" in caught.value.allowed
    assert ref in caught.value.message


def test_unknown_slot_and_bad_syntax_are_errors(shipped_library):
    with pytest.raises(LibraryError) as caught:
        clause_redline(shipped_library, "scope.nothing@1.0.0", "scope.out_of_scope@1.1.0")
    assert "scope.out_of_scope" in caught.value.allowed
    with pytest.raises(LibraryError, match="not a clause reference"):
        clause_redline(shipped_library, "Scope Out@1", "scope.out_of_scope@1.1.0")


@pytest.mark.parametrize(("old", "new"), TWO_VERSIONS[:6], ids=[o.split(":")[0] for o, _ in TWO_VERSIONS[:6]])
def test_html_shows_each_version_whole_on_its_side(shipped_library, old, new):
    page = clause_html(clause_redline(shipped_library, old, new))
    assert page.count("<del>") + page.count("<ins>") > 0
    cells = re.findall(r'<tr class="(?:same|changed)"><td( class="none")?>(.*?)</td><td( class="none")?>(.*?)</td>',
                       page)
    left = [html.unescape(re.sub(r"<[^>]+>", "", c[1])) for c in cells if not c[0]]
    right = [html.unescape(re.sub(r"<[^>]+>", "", c[3])) for c in cells if not c[2]]
    assert left == clause_lines(shipped_library, find(shipped_library, old))
    assert right == clause_lines(shipped_library, find(shipped_library, new))
