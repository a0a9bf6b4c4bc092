"""PDF cost per document: one file, and a batch, against plain `soffice --convert-to pdf` file by file.

The same DOCX agreements (built from the samples, renamed to make N distinct clients) are
measured these ways in this one script:
- `file by file`: one `soffice --headless --convert-to pdf` invocation per document, the obvious way
  (each pays LibreOffice's start-up);
- `single`: msa-builder's converter for one document (start-up included);
- `batch`: msa-builder's converters, one long-lived LibreOffice per worker (`--workers`, default 2),
  the documents shared between them;
- `one invocation`: `soffice --convert-to pdf` given all of a worker's documents at once, one
  invocation per worker (the other way to pay start-up once; it cannot update the table of
  contents, so its PDFs print the DOCX's cached contents without page numbers);
- finishing LibreOffice's PDFs with pypdf, ours against the obvious way (every page's text read,
  a stamp page merged into every page and every page recompressed);
- `end to end`: `run_batch` (what `msa batch --format docx,pdf` calls) on as many generated
  client profiles: render, convert, update the contents, check, finish with pypdf, write and
  record, everything a user waits for; side by side with `one invocation` over exactly the DOCX
  files that batch converts, alternating for --rounds rounds. Target (issue 17): end to end at
  most 1.3x LibreOffice's own batch path, the median of the rounds.
Prints seconds per document and the ratios file-by-file / batch and end-to-end / one invocation.
Timings are printed, never asserted.

It also prints the ceiling that target meets: the workers report LibreOffice's own seconds per
document (load, table-of-contents update, export). No batch of our converters on N cores can cost
less than that divided by N, so file-by-file / (that / N) is the best ratio they could reach for
these documents; the one-invocation line shows what LibreOffice's cheapest batch path reaches. And it prints each worker's LibreOffice memory after its first and last
document: a long-lived LibreOffice must not grow with the batch.

Run: python benchmarks/bench_pdf.py [--docs 50] [--workers 2] [--rounds 3] [--target-only]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate_profiles import generate  # noqa: E402
from msa_builder import open_library  # noqa: E402
from msa_builder.batch import BatchConfig, run_batch  # noqa: E402
from msa_builder.agreement import Agreement  # noqa: E402
from msa_builder.outputs import BuildOptions, render_build  # noqa: E402
from msa_builder.pdf import agreement_metadata, agreement_outline, finish_agreement_pdf, signing_order  # noqa: E402
from msa_builder.pdf.convert import PdfConverter, check_pdf, find_soffice  # noqa: E402
from msa_builder.pdf.finish import _watermark_form  # noqa: E402
from msa_builder.profile import LoadedProfile, load_profile  # noqa: E402


WARM_SAMPLE = 10
FINISH_SAMPLE = 8


@dataclass(frozen=True)
class Document:
    path: Path
    agreement: Agreement
    bom: dict[str, Any]


def obvious_finish(agreement: Agreement, raw: bytes, bom: dict[str, Any]) -> bytes:
    """Finishing the straightforward pypdf way, for comparison: read every page's text to find the
    headings and the signing places, merge a stamp page into every page, recompress every page."""
    reader = PdfReader(BytesIO(raw))
    texts = ["".join(ch for ch in page.extract_text().lower() if ch.isalnum()) for page in reader.pages]
    writer = PdfWriter(clone_from=reader)
    page = 0
    for entry in agreement_outline(agreement):
        key = "".join(ch for ch in entry.match.lower() if ch.isalnum())
        page = next(i for i in range(page, len(texts)) if key in texts[i])
        writer.add_outline_item(title=entry.title, page_number=page)
    for place in signing_order(agreement):
        key = "".join(ch for ch in place.text.lower() if ch.isalnum())
        writer.add_outline_item(title=place.title, page_number=next(i for i, t in enumerate(texts) if key in t))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    form = _watermark_form(width, height)
    stamp = PageObject.create_blank_page(width=width, height=height)
    stamp[NameObject("/Resources")] = form["/Resources"]
    content = DecodedStreamObject()
    content.set_data(form.get_data())
    stamp[NameObject("/Contents")] = content
    for sheet in writer.pages:
        sheet.merge_page(stamp, over=False)
        sheet.compress_content_streams()
    writer.add_metadata(agreement_metadata(agreement, bom))
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def finishing(docs: list[Document], pdf_dir: Path) -> tuple[float, float]:
    """Seconds per document to finish LibreOffice's PDFs: ours, and the obvious way."""
    sample = [(d, (pdf_dir / (d.path.stem + ".pdf")).read_bytes()) for d in docs[:FINISH_SAMPLE]]
    start = time.perf_counter()
    for doc, raw in sample:
        finish_agreement_pdf(doc.agreement, raw, doc.bom)
    mine = (time.perf_counter() - start) / len(sample)
    start = time.perf_counter()
    for doc, raw in sample:
        obvious_finish(doc.agreement, raw, doc.bom)
    return mine, (time.perf_counter() - start) / len(sample)


def make_documents(folder: Path, count: int) -> list[Document]:
    """`count` distinct agreement DOCX files, cycling through the samples with renamed clients."""
    options = BuildOptions(library=open_library())
    samples = sorted(p for p in (ROOT / "samples").glob("*.yaml") if p.name != "provider.yaml")
    docs = []
    for index in range(count):
        loaded = load_profile(samples[index % len(samples)])
        client = loaded.profile.client.model_copy(update={"legal_name": f"Benchmark Client {index:03d} LLC"})
        profile = loaded.profile.model_copy(update={"client": client})
        rendered = render_build(LoadedProfile(profile=profile, source=loaded.source, sha256=loaded.sha256), options)
        name = next(n for n in rendered.files if n.endswith("-msa.docx"))
        path = folder / name
        path.write_bytes(rendered.files[name])
        docs.append(Document(path, rendered.agreement, rendered.lock["bom"]))
    return docs


def file_by_file(docs: list[Path], out: Path, profile: Path) -> float:
    soffice = find_soffice()
    start = time.perf_counter()
    for doc in docs:
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), str(doc)], check=True, capture_output=True, timeout=300)
    elapsed = time.perf_counter() - start
    for doc in docs:
        check_pdf(out / (doc.stem + ".pdf"), doc)
    return elapsed


def ours(docs: list[Path], out: Path, workers: int) -> tuple[float, list[dict[str, float]], list[list[float]]]:
    """Seconds for the whole batch, LibreOffice's own timings for every document, and each
    worker's LibreOffice memory (MB) after each of its documents."""
    shares = [docs[i::workers] for i in range(workers)]

    def run(share: list[Path]) -> tuple[list[dict[str, float]], list[float]]:
        with PdfConverter() as converter:
            for doc in share:
                converter.convert(doc, out / (doc.stem + ".pdf"), min_pages=5)
            return converter.timings, converter.memory_mb

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, [s for s in shares if s]))
    elapsed = time.perf_counter() - start
    return elapsed, [t for timings, _ in results for t in timings], [memory for _, memory in results]


def one_invocation(docs: list[Path], out: Path, workers: int) -> float:
    """Seconds for plain `soffice --convert-to pdf` given each worker's share in one invocation."""
    soffice = find_soffice()
    shares = [docs[i::workers] for i in range(workers)]

    def run(index: int) -> None:
        profile = out.parent / f"one-invocation-profile-{index}"  # never two soffice on one profile
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), *map(str, shares[index])], check=True, capture_output=True, timeout=900)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(run, [i for i, share in enumerate(shares) if share]))
    elapsed = time.perf_counter() - start
    for doc in docs:
        check_pdf(out / (doc.stem + ".pdf"), doc, min_pages=5)
    return elapsed


def end_to_end(profiles: Path, out: Path, workers: int) -> float:
    """`msa batch --format docx,pdf --jobs N` over `profiles` into an empty `out`, in seconds."""
    config = BatchConfig(out_dir=out, ledger_path=out.parent / f"{out.name}.sqlite", formats=("docx", "pdf"))
    start = time.perf_counter()
    report = run_batch(profiles, config, jobs=workers)
    elapsed = time.perf_counter() - start
    if report.failed:
        raise SystemExit(f"{len(report.failed)} client(s) failed: {report.failed[0].error}")
    return elapsed


@dataclass(frozen=True)
class SideBySide:
    """The target's measurement, per round: (wall seconds, CPU seconds) of our end-to-end batch and of
    one soffice invocation per worker. CPU seconds are this process's and its children's (the pool
    workers, LibreOffice): what a document costs the machine, less disturbed by whoever else uses it."""

    ours: list[tuple[float, float]]
    theirs: list[tuple[float, float]]

    @property
    def ratios(self) -> list[float]:
        return [a[0] / b[0] for a, b in zip(self.ours, self.theirs)]

    @property
    def cpu_ratios(self) -> list[float]:
        return [a[1] / b[1] for a, b in zip(self.ours, self.theirs)]


def _cpu_seconds() -> float:
    """CPU seconds of this process and its reaped children (each measured run reaps everything it starts)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    cpu, start = _cpu_seconds(), time.perf_counter()
    run()
    return time.perf_counter() - start, _cpu_seconds() - cpu


def side_by_side(folder: Path, count: int, workers: int, rounds: int) -> SideBySide:
    """The end-to-end batch against plain `soffice --convert-to pdf` once per worker, over the same DOCX files.

    The DOCX files are exactly those the batch converts (a DOCX-only batch of the same profiles
    writes the same bytes). The two alternate, each round in the other order, so a change in the
    machine's load between them shows as a spread of ratios instead of a bias.
    """
    profiles = folder / "profiles"
    generate(profiles, count)
    docx_only = BatchConfig(out_dir=folder / "docx", ledger_path=folder / "docx.sqlite")
    if run_batch(profiles, docx_only, jobs=workers).failed:
        raise SystemExit("the DOCX-only batch failed")
    docs = sorted((folder / "docx").glob("*/*-msa.docx"))
    ours: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    for index in range(rounds):
        for step in ("ours", "theirs") if index % 2 == 0 else ("theirs", "ours"):
            if step == "ours":
                ours.append(_timed(lambda: end_to_end(profiles, folder / f"end-to-end-{index}", workers)))
            else:
                theirs.append(_timed(lambda: one_invocation(docs, folder / f"same-docx-{index}", workers)))
    return SideBySide(ours, theirs)


def report_target(target: SideBySide, count: int, workers: int) -> None:
    print(f"end to end, {count} generated clients, side by side in {len(target.ratios)} rounds (alternating order):")
    for index, (mine, plain) in enumerate(zip(target.ours, target.theirs)):
        print(f"  round {index + 1}: msa batch --format docx,pdf --jobs {workers} {mine[0] / count:.3f} s/document "
              f"({mine[1] / count:.3f} CPU s), soffice --convert-to pdf once per worker over the same DOCX "
              f"{plain[0] / count:.3f} s/document ({plain[1] / count:.3f} CPU s): {mine[0] / plain[0]:.2f}x "
              f"({mine[1] / plain[1]:.2f}x CPU)")
    print(f"end-to-end / LibreOffice's own batch path: {statistics.median(target.ratios):.2f}x wall, "
          f"{statistics.median(target.cpu_ratios):.2f}x CPU, the medians (target <= 1.3x; render, convert, "
          f"contents update, checks, finish, write and record included)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="Side-by-side rounds of the end-to-end target.")
    parser.add_argument("--target-only", action="store_true", help="Only the end-to-end target, side by side.")
    args = parser.parse_args()
    if args.target_only:
        with tempfile.TemporaryDirectory() as work:
            report_target(side_by_side(Path(work), args.docs, args.workers, args.rounds), args.docs, args.workers)
        return
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        documents = make_documents(folder, args.docs)
        docs = [d.path for d in documents]
        with PdfConverter() as probe:
            engine = probe.engine
        baseline = file_by_file(docs, folder / "baseline", folder / "baseline-profile")
        single, _, _ = ours(docs[:1], folder / "single", 1)
        _, warm, _ = ours(docs[:WARM_SAMPLE + 1], folder / "warm", 1)
        batch, timings, memory = ours(docs, folder / "batch", args.workers)
        invocation = one_invocation(docs, folder / "one-invocation", args.workers)
        finish_ours, finish_obvious = finishing(documents, folder / "batch")
        target = side_by_side(folder / "target", args.docs, args.workers, args.rounds)
    count = len(docs)
    per_baseline, per_batch = baseline / count, batch / count
    alone = warm[1:]  # the first document of a fresh LibreOffice warms its caches
    libreoffice = {key: sum(t[key] for t in alone) / len(alone) for key in alone[0]} if alone else {}
    crowded = sum(t["total"] for t in timings) / len(timings) if timings else 0.0
    print(f"documents: {count}, engine: {engine}, batch workers: {args.workers}")
    print(f"plain soffice, file by file : {baseline:7.1f} s  {per_baseline:6.2f} s/document")
    print(f"msa-builder, single document: {single:7.1f} s  {single:6.2f} s/document")
    print(f"msa-builder, batch          : {batch:7.1f} s  {per_batch:6.2f} s/document")
    print(f"one soffice invocation/worker: {invocation:6.1f} s  {invocation / count:6.2f} s/document "
          "(no table-of-contents update)")
    print(f"finishing with pypdf        : {finish_ours:6.3f} s/document, the obvious way {finish_obvious:.3f} "
          f"({finish_obvious / finish_ours:.1f}x slower: text of every page, stamp merged into every page)")
    print(f"batch speed-up per document : {per_baseline / per_batch:.1f}x (target >= 8x for 50 documents on 2 cores)")
    if libreoffice:
        floor = libreoffice["total"] / args.workers
        print("LibreOffice's own time per document, one warm worker alone: "
              + ", ".join(f"{key} {value:.2f} s" for key, value in libreoffice.items())
              + f"; {crowded:.2f} s with {args.workers} workers sharing the cores")
        if all(memory):
            print("LibreOffice's memory per worker: " + "; ".join(
                f"{m[0]:.0f} MB after its first document, {max(m):.0f} MB at most, {m[-1]:.0f} MB after its {len(m)}th"
                for m in memory))
        print(f"ceiling: at {libreoffice['total']:.2f} s of LibreOffice per document, no batch of our converters on "
              f"{args.workers} cores can beat {floor:.2f} s/document: at most {per_baseline / floor:.1f}x against "
              f"file by file; LibreOffice's own batch path (one invocation, no contents update) reached "
              f"{per_baseline / (invocation / count):.1f}x")
    report_target(target, count, args.workers)

if __name__ == "__main__":
    main()
