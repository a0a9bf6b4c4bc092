"""The variables a clause body may print, derived from the models that fill them.

Reading the names from the profile and provider models (and the context's own list) means a field
added to a profile is printable at once, and lint can never disagree with what a build provides.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..context import AGREEMENT_FIELDS, CONTEXT_NAMES
from ..library.model import Manifest
from ..profile import ClientDetails, Provider

_STRUCTURED = ("client", "provider", "agreement", "params", "law")
LAW_FIELDS = ("governing", "governing_name", "venue", "chosen", "client_state", "client_state_name", "pack")


def field_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Dotted paths of a model's fields, nested models expanded: `signatory.name`."""
    paths: set[str] = set()
    for name, info in model.model_fields.items():
        nested = _model_of(info.annotation)
        if nested is not None:
            paths |= field_paths(nested, f"{prefix}{name}.")
        else:
            paths.add(f"{prefix}{name}")
    return paths


def _model_of(annotation: Any) -> type[BaseModel] | None:
    candidates = [annotation, *getattr(annotation, "__args__", ())]
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)


def allowed_variables(manifest: Manifest) -> set[str]:
    """Every dotted name a clause body may use with this manifest."""
    allowed = {n for n in CONTEXT_NAMES if n not in _STRUCTURED}
    allowed |= {f"agreement.{f}" for f in AGREEMENT_FIELDS}
    allowed |= {f"client.{f}" for f in field_paths(ClientDetails)}
    allowed |= {f"provider.{f}" for f in field_paths(Provider)}
    allowed |= {f"law.{f}" for f in LAW_FIELDS}
    allowed |= {f"params.{p}" for p in manifest.parameters}
    return allowed
