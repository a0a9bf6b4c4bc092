"""A lint finding: shared by the structural checks (lint.py) and the legal checks (legal_checks.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    level: str  # error | warning
    file: str
    message: str

    def format(self) -> str:
        return f"{self.level}: {self.file}: {self.message}"
