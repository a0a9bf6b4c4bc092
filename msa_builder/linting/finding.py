"""One lint finding: an error (exit 1) or a warning, and the file it is about."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    level: str  # error | warning
    file: str
    message: str

    def format(self) -> str:
        return f"{self.level}: {self.file}: {self.message}"
