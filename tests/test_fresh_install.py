"""A new user on a fresh machine: the wheel installed into a fresh venv, run from empty folders.

The last test walks the whole path of issue 12 through the installed `msa`: init a workspace, fill
in the provider, add a client, build it from anywhere in the workspace, author and approve a clause
version, release the library, and see the impact report name the clients the new version reaches.

The wheel is built the way a release is (`pip wheel --no-deps .`, with build isolation, from a copy
of the source so no `build/` folder lands in the checkout) and installed without its dependencies
into a venv that sees the system site-packages, where they already are: the point is the package's
own files (library, templates, sample provider), and that costs seconds, not a download of the stack.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


def _sources(into: Path) -> None:
    """The files a release would build from: tracked and new (not ignored) files of the checkout."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=False)
    if listed.returncode != 0:  # not a git checkout (an sdist): everything but caches
        shutil.copytree(REPO, into, ignore=shutil.ignore_patterns(".git", "__pycache__", "build", "out", "*.egg-info"))
        return
    for name in listed.stdout.decode("utf-8").split("\0"):
        if name and (REPO / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, into / name)


def _clean_env() -> dict[str, str]:
    """No MSA_* override and no trace of the test's own interpreter: as on a user's machine."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("MSA_", "PYTHON", "VIRTUAL_ENV"))}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin/` folder of a fresh venv with the wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    source, dist, venv = root / "src", root / "dist", root / "venv"
    source.mkdir()
    _sources(source)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), "."],
                           cwd=source, capture_output=True, text=True, timeout=600, check=False, env=_clean_env())
    if built.returncode != 0 and "No matching distribution found" in built.stderr:
        pytest.skip(f"the build backend could not be fetched from PyPI: {built.stderr.strip().splitlines()[-1]}")
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("msa_builder-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True,
                   timeout=120)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-index", "--force-reinstall", str(wheel)], check=True, timeout=300,
                   env=_clean_env())
    return venv / "bin"


def msa(bin_dir: Path, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bin_dir / "msa"), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False, env=_clean_env())


def test_the_wheel_carries_the_library_templates_and_sample_provider(installed):
    (wheel,) = installed.parents[1].glob("dist/msa_builder-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "msa_builder/data/clause_library/library.yaml" in names
    assert "msa_builder/data/clause_library/released.json" in names
    assert "msa_builder/data/templates/agreement.docx" in names
    assert "msa_builder/data/provider.yaml" in names
    assert sum(n.startswith("msa_builder/data/clause_library/slots/") for n in names) > 50


def test_the_installed_msa_explains_and_builds_from_an_empty_folder(installed, tmp_path):
    here = tmp_path / "empty"
    here.mkdir()
    shutil.copy(SAMPLES / "harbor-finch.yaml", here)
    located = subprocess.run([str(installed / "python"), "-c", "import msa_builder; print(msa_builder.__file__)"],
                             cwd=here, capture_output=True, text=True, check=True, env=_clean_env())
    assert Path(located.stdout.strip()).is_relative_to(installed.parent)  # the wheel's copy, not the checkout
    explained = msa(installed, "explain", "harbor-finch.yaml", "--json", "--as-of", "2026-12-01", cwd=here)
    assert explained.returncode == 0, explained.stderr
    data = json.loads(explained.stdout)
    assert data["library"]["name"] == "msa-builder-standard"
    assert Path(data["library"]["location"]).is_relative_to(installed.parent)
    built = msa(installed, "build", "harbor-finch.yaml", "--as-of", "2026-12-01", cwd=here)
    assert built.returncode == 0, built.stderr
    assert "the sample provider shipped with msa-builder" in built.stderr
    folder = here / "out" / "harbor-finch-llp-da242c"
    assert sorted(p.name for p in folder.iterdir()) == [
        "harbor-finch-llp-da242c-agreement.json", "harbor-finch-llp-da242c-lock.json",
        "harbor-finch-llp-da242c-msa.docx", "harbor-finch-llp-da242c-review.docx"]


def test_the_installed_shipped_library_is_read_only(installed, tmp_path):
    result = msa(installed, "library", "new-version", "term.renewal:standard", cwd=tmp_path)
    assert result.returncode == 2
    assert "the shipped clause library is read-only" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_installed_msa_makes_a_workspace_that_builds(installed, tmp_path):
    assert msa(installed, "init", "acme-msp", cwd=tmp_path).returncode == 0
    workspace = tmp_path / "acme-msp"
    provider = (SAMPLES.parent / "msa_builder" / "data" / "provider.yaml").read_text(encoding="utf-8")
    (workspace / "provider.yaml").write_text(provider.replace("Lakeshore", "Acme"), encoding="utf-8")
    built = msa(installed, "batch", cwd=workspace / "clients")
    assert built.returncode == 0, built.stdout + built.stderr
    assert built.stdout.splitlines()[-1].startswith("1 built, 0 unchanged, 0 failed, 0 skipped")
    assert "sample provider" not in built.stderr
    assert (workspace / "ledger.sqlite").is_file()


PROVIDER = """\
legal_name: Acme MSP, LLC
organization: a Maine limited liability company
address: 10 Harbor Rd, Portland, ME 04101
notice_email: legal@acme-msp.example
website: acme-msp.example
signatory: {name: Jordan Blake, title: President, email: jordan@acme-msp.example}
"""
NEW_CLIENT = ["--legal-name", "Birch Dental PLLC", "--jurisdiction", "Maine", "--address", "5 Elm St, Bangor, ME 04401",
              "--users", "12", "--signatory-name", "Sam Ortiz", "--signatory-title", "Managing Dentist",
              "--signatory-email", "sam@birch.example", "--signatory-authority", "owner", "--tier", "managed", "--industry", "healthcare",
              "--effective-date", "2026-12-15", "--declined", "patching", "--offered", "2026-10-14"]
HIPAA = "clause_library/slots/addendum.hipaa_baa/healthcare"


def test_a_new_user_walks_from_init_to_the_impact_of_a_new_clause_version(installed, tmp_path):
    def step(*args: str | Path, cwd: Path) -> str:
        done = msa(installed, *args, cwd=cwd)
        assert done.returncode == 0, f"msa {' '.join(map(str, args))}:\n{done.stdout}{done.stderr}"
        return done.stdout

    step("init", "acme-msp", cwd=tmp_path)
    root = tmp_path / "acme-msp"
    (root / "provider.yaml").write_text(PROVIDER, encoding="utf-8")
    assert step("new", *NEW_CLIENT, cwd=root).splitlines() == [
        "wrote clients/birch-dental-pllc.yaml", "next: msa build clients/birch-dental-pllc.yaml"]

    built = step("build", "birch-dental-pllc.yaml", cwd=root / "clients")
    assert "../out/birch-dental-pllc-e3eb14/birch-dental-pllc-e3eb14-msa.docx  (written)" in built
    deep = root / "clause_library" / "slots"
    again = step("build", "../../clients/birch-dental-pllc.yaml", cwd=deep)  # any folder of the workspace
    assert again.count("(unchanged)") == 4
    assert "Birch Dental PLLC: agreement MSA-20261215-E3EB14" in again
    assert step("batch", cwd=root).splitlines()[-1].startswith("1 built, 1 unchanged, 0 failed, 0 skipped")

    drafted = step("library", "new-version", "addendum.hipaa_baa", cwd=root)
    assert drafted.startswith(f"wrote {HIPAA}/2.1.0.md  (addendum.hipaa_baa:healthcare@2.1.0, a draft")
    draft = root / HIPAA / "2.1.0.md"
    draft.write_text(draft.read_text(encoding="utf-8") + "\nThe Provider shall report each Security Incident "
                     "involving Protected Health Information without unreasonable delay.\n", encoding="utf-8")
    approved = step("library", "approve", "addendum.hipaa_baa:healthcare@2.1.0", "--by", "Jane Counsel",
                    "--changelog", "Adds prompt reporting of incidents involving Protected Health Information.",
                    cwd=root / "clients")
    assert approved.startswith("approved addendum.hipaa_baa:healthcare@2.1.0, effective ")
    assert "approved_by: Jane Counsel" in draft.read_text(encoding="utf-8")

    released = msa(installed, "library", "release", cwd=root)
    assert released.returncode == 0, released.stderr
    assert released.stderr.startswith("released msa-builder-standard 2026.12.1 → ")
    assert "=== addendum.hipaa_baa:healthcare 2.0.1 → 2.1.0 (changed)" in released.stdout
    assert "\n+ The Provider shall report each Security Incident involving Protected Health" in released.stdout

    report = step("batch", "--dry-run", cwd=root)
    assert report.startswith("Impact report: 2 client(s) would be rebuilt")  # the library's version changed for both
    reach = report[report.index("Clause changes and the clients they reach"):].splitlines()
    assert reach[1] == "  addendum.hipaa_baa 2.0.1→2.1.0: Birch Dental PLLC"
    assert "Example Client LLC" not in "\n".join(reach)
