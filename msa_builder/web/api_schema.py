"""The JSON API's shapes as its OpenAPI document states them (what integrators generate clients from).

Only documentation: the routes return plain dicts. Without these, FastAPI would describe every
422 as its own `{"detail": [...]}`, which this API never sends.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Problem(BaseModel):
    field: str | None = Field(description="The field path the problem is about (`controls.mfa`), or null")
    message: str = Field(description="What is wrong, with the allowed values where there is a choice")
    hint: str | None = Field(None, description="How to fix it (on the first problem only, when there is one)")


class Errors(BaseModel):
    """Every problem at once."""

    errors: list[Problem]


class DraftFiles(BaseModel):
    docx: str = Field(description="URL of the agreement (DOCX)")
    memo: str = Field(description="URL of the review memo (DOCX)")
    pdf: str | None = Field(None, description="URL of the PDF, when `?pdf=true` asked for it")


class Draft(BaseModel):
    agreement_id: str
    client: str = Field(description="The client's legal name")
    record: int = Field(description="The ledger record of this build")
    status: str = Field(description="The record's status (`draft` for a new build)")
    files: DraftFiles


class Approved(BaseModel):
    agreement_id: str
    client: str
    record: int
    status: str = Field(description="`approved`")
    files: list[str] = Field(description="The archived execution version's file names")


class Submitted(BaseModel):
    agreement_id: str
    client: str
    record: int
    status: str = Field(description="`in_review`")


def _error(description: str) -> dict[str, Any]:
    return {"model": Errors, "description": description}


# On every call: the gate answers 401 before any route runs, a route 403 for the wrong role and
# 422 for our errors (a bad profile, a refused approval) or a body that is not the JSON asked for.
COMMON: dict[int | str, dict[str, Any]] = {
    401: _error("No token, or not a valid one: `Authorization: Bearer TOKEN`"),
    403: _error("The token's user does not have the role this call needs"),
    422: _error("The request or the profile is wrong: every problem, each naming its field"),
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: _error("The ledger knows no such agreement, record or file")}
