"""msa-builder: draft managed-services agreements from a versioned clause library."""

from __future__ import annotations

from ._version import __version__
from .agreement import Agreement
from .api import assemble_profile, explain_profile, lint, load_provider_file, open_library, select_for
from .errors import (
    ConversionError,
    LedgerError,
    LibraryError,
    MsaError,
    ProfileError,
    RenderError,
    RequiredControlError,
    RuleError,
)

__all__ = [
    "__version__",
    "Agreement",
    "assemble_profile",
    "explain_profile",
    "lint",
    "load_provider_file",
    "open_library",
    "select_for",
    "ConversionError",
    "LedgerError",
    "LibraryError",
    "MsaError",
    "ProfileError",
    "RenderError",
    "RequiredControlError",
    "RuleError",
]
