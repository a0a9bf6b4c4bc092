"""Redline speed: a full-agreement redline against two obvious alternatives, in one process.

The input is the largest sample agreement (Harbor & Finch, about 39 pages in LibreOffice) built
twice, with the clauses of January 2026 and of its effective date, so that six sections differ.
Timed, as medians of `--repeat` runs:
- `compare`: `msa compare` end to end from the two lock files: read both DOCX files back, align
  them by clause, word-diff each section, write the tracked-changes DOCX (target: under 2 s for a
  25-page agreement);
- `clauses`: the seven two-version clause redlines of the shipped library, DOCX each;
- `naive diff`: diff-match-patch over the two agreements' whole texts, character by character
  (no alignment, no documents): what the obvious approach spends on the diff alone;
- `python-docx`: writing the same tracked changes through python-docx's object layer (one
  `add_paragraph`/`add_run` per piece, revision elements added with OxmlElement) instead of as
  WordprocessingML text.
Prints timings and ratios; nothing is asserted (the tests never time anything).

Run: python benchmarks/bench_redline.py [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from diff_match_patch import diff_match_patch
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msa_builder import open_library  # noqa: E402
from msa_builder.blocks import LineBreak  # noqa: E402
from msa_builder.outputs import BuildOptions, build  # noqa: E402
from msa_builder.redline.clause_diff import clause_redline  # noqa: E402
from msa_builder.redline.compare import compare_builds  # noqa: E402
from msa_builder.redline.docx import agreement_docx, clause_docx  # noqa: E402
from msa_builder.redline.flat import flat_text  # noqa: E402
from msa_builder.redline.model import DEL, EQ, INS, TrackedPara  # noqa: E402

PROFILE = ROOT / "samples" / "harbor-finch.yaml"
CLAUSES = [
    ("scope.out_of_scope:standard@1.0.0", "scope.out_of_scope:standard@1.1.0"),
    ("insurance.client_cyber:standard@1.0.0", "insurance.client_cyber:standard@1.1.0"),
    ("liability.limitation:standard@1.0.0", "liability.limitation:standard@1.1.0"),
    ("data.breach_notification:standard@1.0.0", "data.breach_notification:standard@1.1.0"),
    ("governance.business_reviews:standard@1.0.0", "governance.business_reviews:standard@1.1.0"),
    ("security.declined_controls:declined@1.0.0", "security.declined_controls:declined@2.0.0"),
    ("term.renewal:standard@1.0.0", "term.renewal:standard@1.1.0"),
]


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def naive_diff(old_text: str, new_text: str) -> int:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # the same determinism our diff has
    diffs = dmp.diff_main(old_text, new_text)
    dmp.diff_cleanupSemantic(diffs)
    return len(diffs)


def python_docx_redline(steps: list[list[object]]) -> bytes:
    """The same tracked paragraphs written with python-docx objects."""
    doc = Document()
    rid = 0
    for items in steps:
        for item in items:
            if not isinstance(item, TrackedPara):
                continue
            paragraph = doc.add_paragraph()
            for piece in item.pieces:
                text = "\n" if isinstance(piece.inline, LineBreak) else flat_text((piece.inline,))
                run = paragraph.add_run(text)
                if piece.kind == EQ:
                    continue
                rid += 1
                wrapper = OxmlElement("w:ins" if piece.kind == INS else "w:del")
                wrapper.set(qn("w:id"), str(rid))
                wrapper.set(qn("w:author"), "msa-builder")
                wrapper.set(qn("w:date"), "2026-12-01T00:00:00Z")
                if piece.kind == DEL:
                    for t in run._r.findall(qn("w:t")):
                        t.tag = qn("w:delText")
                run._r.addprevious(wrapper)
                wrapper.append(run._r)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    library = open_library()
    options = BuildOptions(library=library)
    with tempfile.TemporaryDirectory() as work:
        old = build(PROFILE, Path(work) / "old", replace(options, as_of=date(2026, 1, 1)))
        new = build(PROFILE, Path(work) / "new", options)
        old_lock = next(p for n, p in old.files.items() if n.endswith("-lock.json"))
        new_lock = next(p for n, p in new.files.items() if n.endswith("-lock.json"))
        redline = compare_builds(old_lock, new_lock)
        output = agreement_docx(redline)
        compare_ms = median_ms(lambda: agreement_docx(compare_builds(old_lock, new_lock)), args.repeat)
        read_ms = median_ms(lambda: compare_builds(old_lock, new_lock), args.repeat)
        clauses_ms = median_ms(lambda: [clause_docx(clause_redline(library, a, b)) for a, b in CLAUSES], args.repeat)
        old_text = "\n".join(old.agreement.text_lines())
        new_text = "\n".join(new.agreement.text_lines())
        naive_ms = median_ms(lambda: naive_diff(old_text, new_text), args.repeat)
        steps = [step.tracked() for step in redline.steps]
        ours_write_ms = median_ms(lambda: agreement_docx(redline), args.repeat)
        pydocx_ms = median_ms(lambda: python_docx_redline(steps), args.repeat)
    changed = sum(1 for s in redline.steps if s.kind != "same")
    print(f"agreement: {len(new_text):,} characters, {len(redline.steps)} units, {changed} changed; "
          f"redline DOCX {len(output):,} bytes")
    print(f"{'step':<52}{'median ms':>10}")
    print(f"{'msa compare end to end (read, align, diff, write)':<52}{compare_ms:>10.1f}   (target < 2000 ms)")
    print(f"{'  of which reading and aligning both builds':<52}{read_ms:>10.1f}")
    print(f"{'  of which writing the tracked-changes DOCX':<52}{ours_write_ms:>10.1f}")
    print(f"{'seven clause redlines (DOCX)':<52}{clauses_ms:>10.1f}")
    print(f"{'baseline: naive per-character diff of whole texts':<52}{naive_ms:>10.1f}   "
          f"({naive_ms / compare_ms:.1f}x our whole compare)")
    print(f"{'baseline: python-docx object construction':<52}{pydocx_ms:>10.1f}   "
          f"({pydocx_ms / ours_write_ms:.1f}x our DOCX writing)")


if __name__ == "__main__":
    main()
