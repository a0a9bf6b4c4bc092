"""Where a command's inputs and outputs are: its flags, else the workspace, else the shipped defaults.

This is the one place that decides it, for every command: a flag given on the command line wins;
otherwise the workspace's msa.toml (found by walking up from the current directory, or named with
`--workspace DIR`); otherwise the library, templates and sample provider shipped in the package
(which MSA_LIBRARY, MSA_TEMPLATES and MSA_PROVIDER may replace), `out/` and `OUT/ledger.sqlite`.
A workspace path is only checked when a command uses it, so `msa ledger show` does not fail
because a library folder it never reads was moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import WorkspaceError
from .paths import default_library, default_provider, default_templates, is_shipped
from .workspace import Workspace, discover

DEFAULT_OUT = Path("out")


@dataclass(frozen=True)
class Settings:
    """The resolved paths of one command; each property applies flag > workspace > shipped default."""

    workspace: Workspace | None = None
    flags: dict[str, Path | None] = field(default_factory=dict)

    def _flag(self, name: str) -> Path | None:
        return self.flags.get(name)

    @property
    def library(self) -> Path:
        return self._flag("library") or (self.workspace.library if self.workspace else default_library())

    @property
    def templates(self) -> Path:
        return self._flag("templates") or (self.workspace.templates if self.workspace else default_templates())

    @property
    def provider(self) -> Path:
        return self._flag("provider") or (self.workspace.provider if self.workspace else default_provider())

    @property
    def out(self) -> Path:
        return self._flag("out") or (self.workspace.out if self.workspace else DEFAULT_OUT)

    @property
    def ledger(self) -> Path:
        from .ledger import default_ledger

        flag = self._flag("ledger")
        if flag is not None:
            return flag
        # A workspace keeps one ledger whatever --out says; without one, the ledger sits in OUT.
        return self.workspace.ledger if self.workspace else default_ledger(self.out)

    @property
    def clients(self) -> Path | None:
        return self.workspace.clients if self.workspace else None

    def source(self, given: Path | None) -> Path:
        """A batch's SOURCE: the one given, else the workspace's clients folder."""
        if given is not None:
            return given
        if self.workspace is not None:
            return self.workspace.clients
        raise WorkspaceError("no SOURCE given, and there is no workspace here to take its clients folder from",
                             field="SOURCE",
                             hint="name a folder of client profiles or a .csv file, or run inside a workspace "
                                  "(`msa init DIR` creates one)")

    @property
    def trust(self) -> list[Path]:
        """CA certificates for verifying signatures: the workspace's `[signing] trust`, if any."""
        return self.workspace.trust if self.workspace else []

    @property
    def sample_provider(self) -> bool:
        """True when documents would name the fictional provider shipped with the package."""
        return is_shipped(self.provider)

    @property
    def sample_notice(self) -> str | None:
        """What to tell the user when documents name the sample provider; None when they do not.

        It names the shipped library only when that is the one used: with `--library DIR` outside a
        workspace the provider is still the sample, but the clauses are the user's own.
        """
        if not self.sample_provider:
            return None
        why = "no workspace here, so " if self.workspace is None else ""
        library = ", and the clause library is the shipped one (read-only)" if is_shipped(self.library) else ""
        return (f"note: {why}the provider named in these documents is the sample provider shipped with "
                f"msa-builder (a fictional company){library}. `msa init DIR` creates a workspace of your own.")


def resolve(*, workspace: Path | None = None, library: Path | None = None, templates: Path | None = None,
            provider: Path | None = None, out: Path | None = None, ledger: Path | None = None) -> Settings:
    """Settings for one command: `workspace` is `--workspace DIR` (None: look around the current directory)."""
    flags = {"library": library, "templates": templates, "provider": provider, "out": out, "ledger": ledger}
    return Settings(workspace=discover(workspace), flags=flags)
