"""Build speed: msa-builder's DOCX path against the obvious python-docx + docxtpl path.

For every sample profile, in one process:
- `build`: the whole in-memory build (select, assemble, agreement DOCX, review memo, lock);
- `docx`: rendering the agreement DOCX alone from the assembled agreement;
- `obvious`: the same agreement built the obvious way, as a python-docx sub-document (one
  `add_paragraph`/`add_run` per piece, tables through python-docx) inserted into a docxtpl shell
  made from python-docx's default template, then `DocxTemplate.render` and `save`.
Prints medians and the ratio obvious / docx. Targets: build median under 50 ms and the DOCX path at
least 2.5x faster than the obvious one. Timings are printed, never asserted.

Run: python benchmarks/bench_build.py [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docxtpl import DocxTemplate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msa_builder import open_library  # noqa: E402
from msa_builder.blocks import Heading, ListBlock, Paragraph, Ref, Table, Text  # noqa: E402
from msa_builder.outputs import BuildOptions, render_build  # noqa: E402
from msa_builder.lock import bill_of_materials  # noqa: E402
from msa_builder.numbering import item_label  # noqa: E402
from msa_builder.profile import load_profile  # noqa: E402
from msa_builder.render.agreement_docx import render_agreement_docx, shell_context  # noqa: E402
from msa_builder.ooxml.shell import load_shell  # noqa: E402


def obvious_shell(folder: Path) -> Path:
    """A docxtpl shell the obvious way: python-docx's default template plus our tags."""
    doc = Document()
    for text in ("{{ title }}", "between {{ provider_name }} and {{ client_name }}", "{{ mark }}",
                 "Effective {{ effective_date }}", "{{p body }}", "{{p schedules }}"):
        doc.add_paragraph(text)
    section = doc.sections[0]
    section.header.paragraphs[0].text = "{{ client_name }} {{ agreement_id }} {{ mark }}"
    section.footer.paragraphs[0].text = "{{ footer_left }}"
    path = folder / "obvious-shell.docx"
    doc.save(str(path))
    return path


def _runs(paragraph, inlines) -> None:  # type: ignore[no-untyped-def]
    for item in inlines:
        if isinstance(item, Text):
            run = paragraph.add_run(item.text)
            run.bold = item.bold or None
            run.italic = item.italic or None
        elif isinstance(item, Ref):
            paragraph.add_run(item.label)


def _blocks(doc, blocks, depth: int = 0) -> None:  # type: ignore[no-untyped-def]
    for block in blocks:
        if isinstance(block, Paragraph):
            _runs(doc.add_paragraph(), block.inlines)
        elif isinstance(block, Heading):
            _runs(doc.add_paragraph(style="Heading 3"), block.inlines)
        elif isinstance(block, ListBlock):
            for index, item in enumerate(block.items):
                style = "List Number" if block.ordered else "List Bullet"
                p = doc.add_paragraph(style=style)
                p.add_run(item_label(depth, index) + " " if block.ordered else "")
                if item and isinstance(item[0], Paragraph):
                    _runs(p, item[0].inlines)
                _blocks(doc, item[1:], depth + 1)
        elif isinstance(block, Table):
            table = doc.add_table(rows=1 + len(block.rows), cols=len(block.header))
            table.style = "Table Grid"
            for r, row in enumerate([block.header, *block.rows]):
                for c, cell in enumerate(row):
                    _runs(table.cell(r, c).paragraphs[0], cell)


def obvious_build(agreement, shell_path: Path, bom) -> bytes:  # type: ignore[no-untyped-def]
    tpl = DocxTemplate(str(shell_path))
    body = tpl.new_subdoc()
    _blocks(body, agreement.preamble.blocks)
    for article in agreement.articles:
        body.add_paragraph(f"Article {article.number}. {article.title}", style="Heading 1")
        for section in article.sections:
            body.add_paragraph(f"{section.number} {section.clause.title}", style="Heading 2")
            _blocks(body, section.clause.blocks)
    _blocks(body, agreement.signature.blocks)
    schedules = tpl.new_subdoc()
    for schedule in agreement.schedules:
        schedules.add_paragraph(f"{schedule.label}: {schedule.clause.title}", style="Heading 1")
        _blocks(schedules, schedule.clause.blocks)
    context = shell_context(agreement, bom)
    context.update(body=body, schedules=schedules)
    tpl.render(context, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches, as every build after the first in a session would be
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    library = open_library()
    options = BuildOptions(library=library)
    shell = load_shell(options.templates_dir / "agreement.docx")
    profiles = sorted(p for p in (ROOT / "samples").glob("*.y*ml") if p.name != "provider.yaml")
    profiles += sorted((ROOT / "samples").glob("*.json"))
    rows = []
    with tempfile.TemporaryDirectory() as work:
        baseline_shell = obvious_shell(Path(work))
        for path in profiles:
            loaded = load_profile(path)
            rendered = render_build(loaded, options)
            agreement = rendered.agreement
            bom = rendered.lock["bom"]
            build_ms = median_ms(lambda: render_build(loaded, options), args.repeat)
            docx_ms = median_ms(lambda: render_agreement_docx(agreement, shell, bom), args.repeat)
            obvious_ms = median_ms(lambda: obvious_build(agreement, baseline_shell, bom), args.repeat)
            paragraphs = sum(1 for _ in agreement.text_lines())
            rows.append((path.name, paragraphs, build_ms, docx_ms, obvious_ms))
    print(f"{'sample':<28}{'lines':>6}{'build ms':>10}{'docx ms':>9}{'obvious ms':>12}{'ratio':>8}")
    for name, lines, build_ms, docx_ms, obvious_ms in rows:
        print(f"{name:<28}{lines:>6}{build_ms:>10.1f}{docx_ms:>9.1f}{obvious_ms:>12.1f}{obvious_ms / docx_ms:>7.1f}x")
    builds = [r[2] for r in rows]
    ratios = [r[4] / r[3] for r in rows]
    print(f"\nmedian build {statistics.median(builds):.1f} ms (target < 50 ms); "
          f"median DOCX speed-up over the obvious path {statistics.median(ratios):.1f}x (target >= 2.5x)")


if __name__ == "__main__":
    main()
