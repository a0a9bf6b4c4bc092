"""PDF cost per document: one file, and a batch, against plain `soffice --convert-to pdf` file by file.

The same DOCX agreements (built from the samples, renamed to make N distinct clients) are
converted three ways in this one script:
- `file by file`: one `soffice --headless --convert-to pdf` invocation per document, the obvious way
  (each pays LibreOffice's start-up);
- `single`: msa-builder's converter for one document (start-up included);
- `batch`: msa-builder's converters, one long-lived LibreOffice per worker (`--workers`, default 2),
  the documents shared between them.
Prints seconds per document and the ratio file-by-file / batch. Target: at least 8x fewer seconds
per document for a batch of 50 on two cores. Timings are printed, never asserted.

Run: python benchmarks/bench_pdf.py [--docs 50] [--workers 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msa_builder import open_library  # noqa: E402
from msa_builder.build import BuildOptions, render_build  # noqa: E402
from msa_builder.pdf.convert import PdfConverter, check_pdf, find_soffice  # noqa: E402
from msa_builder.profile import LoadedProfile, load_profile  # noqa: E402


def make_documents(folder: Path, count: int) -> list[Path]:
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
        docs.append(path)
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


def ours(docs: list[Path], out: Path, workers: int) -> float:
    shares = [docs[i::workers] for i in range(workers)]

    def run(share: list[Path]) -> None:
        with PdfConverter() as converter:
            for doc in share:
                converter.convert(doc, out / (doc.stem + ".pdf"), min_pages=5)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(run, [s for s in shares if s]))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        docs = make_documents(folder, args.docs)
        engine = PdfConverter().engine
        baseline = file_by_file(docs, folder / "baseline", folder / "baseline-profile")
        single = ours(docs[:1], folder / "single", 1)
        batch = ours(docs, folder / "batch", args.workers)
    per_baseline = baseline / len(docs)
    per_batch = batch / len(docs)
    print(f"documents: {len(docs)}, engine: {engine}, batch workers: {args.workers}")
    print(f"plain soffice, file by file : {baseline:7.1f} s  {per_baseline:6.2f} s/document")
    print(f"msa-builder, single document: {single:7.1f} s  {single:6.2f} s/document")
    print(f"msa-builder, batch          : {batch:7.1f} s  {per_batch:6.2f} s/document")
    print(f"batch speed-up per document : {per_baseline / per_batch:.1f}x (target >= 8x for 50 documents on 2 cores)")


if __name__ == "__main__":
    main()
