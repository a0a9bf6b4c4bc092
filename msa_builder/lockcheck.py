"""The shape a lock file must have when it is read back: a lock on disk is input like any other.

`msa build` writes locks, but anyone can edit, truncate or hand-write one, and the batch and
`msa compare` index into them. A field of the wrong shape (outputs as a list, a clause without a
sha256) must make the lock "not a valid lock", never a TypeError. Unknown fields are allowed, so
a lock written by a newer msa-builder still reads.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Strict, ValidationError

from ._parse import field_path

Text = Annotated[str, Strict()]
Flag = Annotated[bool, Strict()]


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class _Named(_Shape):
    name: Text
    version: Text


class _ClauseRef(_Shape):
    slot: Text
    variant: Text
    version: Text
    status: Text
    sha256: Text


class _Bill(_Shape):
    tool: _Named
    library: _Named
    agreement_id: Text
    client: Text
    as_of: Text
    allow_drafts: Flag
    final: Flag
    profile_sha256: Text
    provider_sha256: Text
    templates: dict[Text, Text]
    clauses: list[_ClauseRef]


class _Outputs(_Shape):
    outputs: dict[Text, Text]


class _Lock(_Outputs):
    lock_version: Annotated[int, Strict()]
    bom_sha256: Text
    bom: _Bill


def _first_problem(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = field_path(tuple(error["loc"]))
    return f"{where}: {error['msg']}" if where else "it is not a JSON object"


def _problem(shape: type[_Shape], data: Any) -> str | None:
    try:
        shape.model_validate(data)
    except ValidationError as exc:
        return _first_problem(exc)
    return None


def lock_problem(data: Any) -> str | None:
    """Why `data` (a parsed lock file) is not a lock the batch can compare against, or None."""
    return _problem(_Lock, data)


def outputs_problem(data: Any) -> str | None:
    """Why `data` has no usable `outputs` mapping (file name -> sha256), or None."""
    return _problem(_Outputs, data)
