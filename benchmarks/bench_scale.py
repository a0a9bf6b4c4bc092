"""Batch throughput on this machine and beyond: the process pool against Dask, DOCX and DOCX+PDF.

Every batch runs as `msa batch` in a fresh interpreter, as a user runs it, over generated
clients (`generate_profiles.py`), while this script reads its progress lines (one per client)
and, at each, every process of the batch from /proc: resident memory and CPU seconds, by role
(the batch itself, its workers, their LibreOffices). It prints:
- docs per second for --count clients (default 500), DOCX and DOCX+PDF, with 1 and 2 local jobs
  and with 2 Dask workers (`--scheduler local:2`), each against the 1-job run;
- Dask's overhead per client: the steady per-client cost (first result to last) with Dask minus
  the pool's, and Dask's start-up (cluster, plugin, library shipped) until the first result;
- each worker's resident memory over --memory-count clients (default 2,000, DOCX), pool and Dask,
  after the batch's first tenth, at its half, at the end and at its peak: flat means the second
  half adds nothing, give or take the allocator (the first half fills the caches);
- a projection, labelled as one, for N machines like this one: each adds the measured Dask rate
  of its two workers until the coordinator, the only writer, is saturated; its own CPU seconds
  per client say where. The network is the next limit: the bytes each client's files take.

    python benchmarks/bench_scale.py [--count 500] [--memory-count 2000] [--pdf-count N] [--skip-pdf]

Figures are printed, never asserted. Work files go to benchmarks/_work/scale (git-ignored).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "_work" / "scale"
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
PROGRESS = re.compile(r"^\[\s*(\d+)/(\d+)\]")
SUMMARY = re.compile(r"in ([\d.]+)s \(([\d.]+) docs/s\)")


@dataclass
class Proc:
    pid: int
    ppid: int
    command: str
    rss_kb: int
    cpu: float


def processes() -> dict[int, Proc]:
    """Every process on the machine, from /proc (pid, parent, command line, resident KB, CPU seconds)."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{name}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found[int(name)] = Proc(int(name), int(fields[1]), command, int(fields[21]) * PAGE_KB,
                                (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def role(proc: Proc, procs: dict[int, Proc], root: int) -> str | None:
    """What a descendant of the batch `root` is: worker, libreoffice, helper; None if not the batch's."""
    chain, pid = [], proc.pid
    while pid in procs and pid != root:
        chain.append(procs[pid])
        pid = procs[pid].ppid
    if pid != root:
        return None
    if "soffice" in proc.command or "_uno_worker" in proc.command or "oosplash" in proc.command:
        return "libreoffice"
    if "resource_tracker" in proc.command:
        return "helper"
    if "spawn_main" in proc.command:
        return "worker"  # a local Dask worker (its nanny runs inside the batch)
    return "worker" if proc.ppid == root else "helper"  # a forked pool worker


@dataclass
class Run:
    """One `msa batch` as measured from outside."""

    label: str
    clients: int
    seconds: float = 0.0  # as the batch reports it (inside run_batch)
    wall: float = 0.0  # the whole command, interpreter start included
    arrivals: list[float] = field(default_factory=list)  # when each client's progress line came
    memory: dict[int, list[int]] = field(default_factory=dict)  # worker pid -> RSS KB at each arrival
    cpu: dict[str, list[float]] = field(default_factory=dict)  # CPU seconds by role, at each arrival

    @property
    def docs_per_second(self) -> float:
        return self.clients / self.seconds

    @property
    def steady(self) -> float:
        """Seconds per client from the first result to the last: the cost once everything is started."""
        return (self.arrivals[-1] - self.arrivals[0]) / max(1, len(self.arrivals) - 1)

    @property
    def first(self) -> float:
        return self.arrivals[0]

    def steady_cpu(self, kind: str) -> float:
        """CPU seconds per client of one role, first result to last (start-up apart)."""
        series = self.cpu.get(kind, [])
        return (series[-1] - series[0]) / max(1, len(series) - 1) if series else 0.0


def run(label: str, source: Path, out: Path, *options: str) -> Run:
    """`msa batch SOURCE --out OUT OPTIONS`, its progress read line by line."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-c", "from msa_builder.cli import main; main()", "batch", str(source),
               "--out", str(out), *options]
    started = time.perf_counter()
    batch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    assert batch.stderr is not None and batch.stdout is not None
    total = sum(1 for p in source.iterdir() if p.suffix == ".yaml")
    measured = Run(label, total)
    for line in batch.stderr:
        if not PROGRESS.match(line):
            continue
        measured.arrivals.append(time.perf_counter() - started)
        procs = processes()
        cpu: dict[str, float] = {"batch": procs[batch.pid].cpu if batch.pid in procs else 0.0}
        for proc in procs.values():
            kind = role(proc, procs, batch.pid)
            if kind is None:
                continue
            cpu[kind] = cpu.get(kind, 0.0) + proc.cpu
            if kind == "worker" and proc.rss_kb:  # 0: exiting
                measured.memory.setdefault(proc.pid, []).append(proc.rss_kb)
        for kind, seconds in cpu.items():
            measured.cpu.setdefault(kind, []).append(seconds)
    report = batch.stdout.read()
    batch.wait()
    measured.wall = time.perf_counter() - started
    found = SUMMARY.search(report)
    if batch.returncode != 0 or found is None or len(measured.arrivals) != total:
        raise SystemExit(f"{label}: the batch failed (exit {batch.returncode}):\n{report[-2000:]}")
    measured.seconds = float(found.group(1))
    return measured


def client_bytes(out: Path) -> float:
    """Mean bytes of a client's files: what a Dask worker sends the coordinator per client."""
    folders = [p for p in out.iterdir() if p.is_dir()]
    return sum(f.stat().st_size for folder in folders for f in folder.iterdir()) / len(folders)


def throughput(source: Path, fmt: str) -> list[Run]:
    options = ["--format", fmt]
    return [run(f"{fmt}, 1 job", source, WORK / "out", *options, "--jobs", "1"),
            run(f"{fmt}, 2 jobs", source, WORK / "out", *options, "--jobs", "2"),
            run(f"{fmt}, 2 Dask workers", source, WORK / "out", *options, "--scheduler", "local:2")]


def print_throughput(runs: list[Run]) -> None:
    base = runs[0]
    for measured in runs:
        print(f"  {measured.label:<28} {measured.seconds:7.1f} s  {measured.docs_per_second:6.2f} docs/s  "
              f"{measured.docs_per_second / base.docs_per_second:4.2f}x the 1-job rate; first result after "
              f"{measured.first:4.1f} s, then {measured.steady * 1000:5.0f} ms per client; CPU ms per client: "
              + ", ".join(f"{kind} {measured.steady_cpu(kind) * 1000:.0f}"
                          for kind in ("batch", "worker", "libreoffice") if kind in measured.cpu))


def print_memory(measured: Run) -> None:
    workers = [series for series in measured.memory.values() if len(series) > len(measured.arrivals) // 2]
    for index, series in enumerate(workers, 1):  # the workers that lived through the batch
        tenth, half = series[max(0, len(series) // 10 - 1)], series[max(0, len(series) // 2 - 1)]
        print(f"  {measured.label}, worker {index}: {tenth / 1024:5.0f} MB after the batch's first tenth, "
              f"{half / 1024:5.0f} MB at its half, {series[-1] / 1024:5.0f} MB at the end, {max(series) / 1024:5.0f} "
              f"MB at most ({(series[-1] - tenth) / 1024:+.1f} MB from the tenth, {(series[-1] - half) / 1024:+.1f} "
              "MB over the second half)")


def main() -> None:
    sys.path.insert(0, str(HERE))
    from generate_profiles import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--pdf-count", type=int, help="Clients of the DOCX+PDF runs (default: --count).")
    parser.add_argument("--memory-count", type=int, default=2000)
    parser.add_argument("--skip-pdf", action="store_true")
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    generate(WORK / "clients", args.count)
    generate(WORK / "memory-clients", args.memory_count)
    pdf_source = WORK / "clients"
    if args.pdf_count and args.pdf_count != args.count:
        pdf_source = WORK / "pdf-clients"
        generate(pdf_source, args.pdf_count)
    print(f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f} at the start; each batch a fresh "
          "`msa batch`; seconds as the batch reports them")

    docx = throughput(WORK / "clients", "docx")
    print(f"{args.count} clients, DOCX (agreement, review memo, content model, lock):")
    print_throughput(docx)
    bytes_docx = client_bytes(WORK / "out")
    pdf: list[Run] = []
    if not args.skip_pdf:
        pdf = throughput(pdf_source, "docx,pdf")
        print(f"{pdf[0].clients} clients, DOCX+PDF:")
        print_throughput(pdf)
        bytes_pdf = client_bytes(WORK / "out")

    print("Dask's overhead per client (2 Dask workers against 2 pool jobs, steady state; start-up apart):")
    for kind, runs in (("DOCX", docx), ("DOCX+PDF", pdf)):
        if runs:
            pool, dask = runs[1], runs[2]
            print(f"  {kind:<9} {(dask.steady - pool.steady) * 1000:+6.1f} ms per client "
                  f"({dask.steady * 1000:.0f} against {pool.steady * 1000:.0f} ms); start-up until the first "
                  f"result {dask.first:.1f} s against {pool.first:.1f} s")

    print(f"Resident memory per worker over {args.memory_count} clients (DOCX):")
    for measured in (run("pool, 2 jobs", WORK / "memory-clients", WORK / "memory-out", "--jobs", "2"),
                     run("Dask, 2 workers", WORK / "memory-clients", WORK / "memory-out", "--scheduler", "local:2")):
        print_memory(measured)

    print("PROJECTION (not measured): N machines like this one, 2 Dask workers each, one coordinator")
    for kind, runs, size in (("DOCX", docx, bytes_docx), ("DOCX+PDF", pdf, bytes_pdf if pdf else 0.0)):
        if not runs:
            continue
        dask = runs[2]
        per_machine = 1 / dask.steady
        coordinator = dask.steady_cpu("batch")  # writing, ledger, the local scheduler: one process
        ceiling = 1 / coordinator if coordinator else float("inf")
        network = 125e6 / size  # 1 Gbit/s into the coordinator
        rates = ", ".join(f"{n}: {min(n * per_machine, ceiling, network):.0f}" for n in (1, 2, 4, 8, 16, 32))
        print(f"  {kind:<9} docs/s by machines {rates} (each machine {per_machine:.1f} docs/s measured; the "
              f"coordinator spends {coordinator * 1000:.1f} ms of CPU per client, so it saturates near "
              f"{ceiling:.0f} docs/s; {size / 1e6:.2f} MB per client is {network:.0f} docs/s on 1 Gbit/s)")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
