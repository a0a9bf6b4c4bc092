"""Where the web app's workspace keeps everything, and the few settings of the server itself."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings, resolve

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
        return cls(settings=resolve(workspace=workspace), **options)  # type: ignore[arg-type]

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
