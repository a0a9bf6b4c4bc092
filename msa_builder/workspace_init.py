"""`msa init DIR`: a workspace of the provider's own, seeded from what the package ships.

The copies become the provider's: its attorney edits the library, its designer the Word templates,
and the provider fills in provider.yaml, which holds placeholders that every build refuses until
they are replaced (an agreement naming "<your company's legal name>" must never reach a client).
Everything is written into a staging folder beside DIR first and moved into place at the end, so
a failure leaves no half workspace behind; nothing that already exists is ever overwritten.
"""

from __future__ import annotations

import os
import secrets
import shutil
from datetime import date
from pathlib import Path

from .errors import WorkspaceError
from .library.load import load_library
from .library.loader import FileSystemLoader
from .new_profile import Answers, ControlAnswer, check_profile_answers, profile_text
from .paths import default_library, default_templates
from .workspace import FILE_NAME, PATHS, settings_text

PROVIDER_TEMPLATE = """\
# Your company's details: every agreement and review memo names the provider from this file.
# Replace each <...> value; builds refuse to run while any placeholder is left.
legal_name: <your company's legal name, e.g. Acme MSP, LLC>
organization: <what it is, e.g. a Maine limited liability company>
address: <street, city, state and ZIP where notices go>
notice_email: <the email address for legal notices>
website: <your website, e.g. acme-msp.example>
signatory:
  name: <who signs agreements for you>
  title: <their title>
  email: <their email address>
"""

GITIGNORE = """\
# Built agreements: `msa batch` rebuilds them from the inputs kept here.
/out/
# The ledger records every agreement and its signature: back it up, but git cannot merge it.
/ledger.sqlite
/ledger.sqlite-wal
/ledger.sqlite-shm
"""

EXAMPLE_CLIENT = "example-client.yaml"


def example_answers(today: date) -> Answers:
    """The example client `msa init` puts in clients/: one declined control, to show the record it needs."""
    values = {
        "client.legal_name": "Example Client LLC", "client.jurisdiction": "Ohio",
        "client.address": "1 Main St, Columbus, OH 43215", "client.users": 25,
        "client.signatory.name": "Pat Lee", "client.signatory.title": "Owner",
        "client.signatory.email": "pat@example.com", "client.signatory.authority": "owner", "tier": "managed",
        "industry": "general", "effective_date": today,
    }
    training = ControlAnswer("declined", today, "Example: the client runs its own staff training.")
    return Answers(values=values, controls={"security_training": training})


PLANNED = (FILE_NAME, PATHS["library"], PATHS["templates"], PATHS["provider"], PATHS["clients"], ".gitignore")


def init_workspace(target: Path, *, today: date) -> list[Path]:
    """Create a workspace in `target` (made if missing); returns what was created, msa.toml first."""
    if (target / FILE_NAME).exists():
        raise WorkspaceError("already a workspace (msa.toml exists); `msa init` never overwrites one",
                             file=str(target / FILE_NAME))
    if target.exists() and not target.is_dir():
        raise WorkspaceError("not a folder", file=str(target))
    taken = [name for name in PLANNED if (target / name).exists()]
    if taken:
        raise WorkspaceError(f"{taken[0]!r} already exists here; `msa init` never overwrites", file=str(target),
                             hint="choose an empty or new folder")
    absolute = target.resolve()  # `msa init .` stages beside the folder, not inside it
    absolute.parent.mkdir(parents=True, exist_ok=True)
    staging = absolute.parent / f".{absolute.name}.init-{secrets.token_hex(4)}"
    try:
        staging.mkdir()  # not mkdtemp: its 0700 would become the workspace's mode; mkdir honours the umask
        _fill(staging, today)
        if not absolute.exists():
            os.rename(staging, absolute)
        else:
            for name in reversed(PLANNED):  # msa.toml last: only a complete folder is a workspace
                os.rename(staging / name, absolute / name)
            staging.rmdir()
    except OSError as exc:
        raise WorkspaceError(f"cannot create the workspace: {exc.strerror}", file=str(target)) from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return [target / name for name in PLANNED]


def _fill(folder: Path, today: date) -> None:
    (folder / FILE_NAME).write_text(settings_text(), encoding="utf-8")
    shutil.copytree(default_library(), folder / PATHS["library"])
    templates = folder / PATHS["templates"]
    templates.mkdir()
    for shell in sorted(default_templates().glob("*.docx")):
        shutil.copy2(shell, templates / shell.name)
    (folder / PATHS["provider"]).write_text(PROVIDER_TEMPLATE, encoding="utf-8")
    clients = folder / PATHS["clients"]
    clients.mkdir()
    library = load_library(FileSystemLoader(folder / PATHS["library"]))
    answers = example_answers(today)
    check_profile_answers(answers, library, source=str(clients / EXAMPLE_CLIENT))
    example = profile_text(answers, library, written_on=today)
    (clients / EXAMPLE_CLIENT).write_text(example, encoding="utf-8")
    (folder / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
