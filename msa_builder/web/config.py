"""Where the web app's workspace keeps everything, and the few settings of the server itself."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings, resolve
from ..workspace import find_workspace

MAX_UPLOAD = 20 * 1024 * 1024  # a signed agreement PDF is well under a megabyte; 20 MB leaves room for scans


@dataclass(frozen=True)
class WebConfig:
    """The workspace's paths (as every `msa` command resolves them) and the server's own settings."""

    settings: Settings
    behind_https: bool = False  # Secure cookies, and the proxy's X-Forwarded-Proto believed
    max_upload: int = MAX_UPLOAD
    batch_jobs: int = 1

    @classmethod
    def for_workspace(cls, workspace: Path | None, **options: object) -> WebConfig:
        """The config of `workspace` (None: the one around the current directory), by absolute paths.

        A command may name files relative to where it runs; a server may not: each build records its
        profile's path in the ledger, and the review page reads the profile back from there after a
        restart from another folder.
        """
        found = workspace if workspace is not None else find_workspace(Path.cwd())
        return cls(settings=resolve(workspace=found.resolve() if found is not None else None),
                   **options)  # type: ignore[arg-type]

    @property
    def ledger(self) -> Path:
        return self.settings.ledger

    @property
    def library(self) -> Path:
        return self.settings.library

    @property
    def templates(self) -> Path:
        return self.settings.templates

    @property
    def provider(self) -> Path:
        return self.settings.provider

    @property
    def out(self) -> Path:
        return self.settings.out

    @property
    def trust(self) -> list[Path]:
        """CA certificates whose signers count as trusted (the workspace's `[signing] trust`)."""
        return self.settings.trust

    @property
    def clients(self) -> Path:
        clients = self.settings.clients
        return clients if clients is not None else self.out / "clients"
