"""The library browser: slots, their variants and versions with changelogs, and diffs between versions."""

from __future__ import annotations

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response

from ... import api
from ...errors import MsaError
from ...users import User
from ._common import ANYONE, config, page_router, render

router = page_router()


@router.get("/library")
def library(request: Request, user: User = Depends(ANYONE)) -> Response:
    lib, versions = api.clause_versions(config(request).library)
    slots: dict[str, dict[str, list]] = {}
    for v in versions:
        slots.setdefault(v.meta.id, {}).setdefault(v.meta.variant, []).append(v)
    return render(request, "library.html", {"manifest": lib.manifest, "slots": slots, "count": len(versions)})


@router.get("/library/{slot}")
def slot_page(slot: str, request: Request, user: User = Depends(ANYONE)) -> Response:
    lib, versions = api.clause_versions(config(request).library)
    mine = [v for v in versions if v.meta.id == slot]
    if not mine:
        raise HTTPException(404, "no such slot")
    variants: dict[str, list] = {}
    for v in mine:
        variants.setdefault(v.meta.variant, []).append(v)
    # The diff form starts on the newest change: the two newest versions of the variant with most history.
    longest = max(variants.values(), key=len)
    default = (f"{longest[-2 if len(longest) > 1 else -1].meta.variant}@{longest[-2 if len(longest) > 1 else -1].meta.version}",
               f"{longest[-1].meta.variant}@{longest[-1].meta.version}")
    return render(request, "slot.html", {"slot": slot, "variants": variants, "default": default})


@router.get("/library/{slot}/diff")
def diff(slot: str, request: Request, old: str, new: str, user: User = Depends(ANYONE)) -> Response:
    """The redline between two versions (or variants) of one slot: `old` and `new` are VARIANT@VERSION."""
    try:
        redline = api.diff_clause(f"{slot}:{old}", f"{slot}:{new}", library_dir=config(request).library)
        html = api.redline_fragment(redline)
    except MsaError as exc:
        return render(request, "error.html", {"status": 422, "error": exc, "problems": [{"field": exc.field,
                                              "message": exc.message}]}, status=422)
    return render(request, "diff.html", {"slot": slot, "old": old, "new": new, "html": html})
