"""msa-builder: draft managed-services agreements from a versioned clause library.

The public API (see docs/api.md): every `msa` command is one of these functions. Heavy parts
(rendering, PDF, batch, ledger) load on first use of the names that need them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .agreement import Agreement
from .api import (
    amend,
    approve,
    approve_clause,
    archive,
    assemble_profile,
    build,
    clause_versions,
    compare_builds,
    conformed_copy,
    coverage,
    diff_clause,
    diff_library,
    explain,
    find_clause,
    freeze,
    history,
    init_workspace,
    lint,
    load_provider_file,
    mark,
    new_clause_version,
    open_ledger,
    open_library,
    release_library,
    renewals,
    run_batch,
    select_for,
    send_back,
    sign,
    verify,
    write_profile,
    write_redline,
)
# the web app's front door (`msa serve`, `msa user`), on the same footing
from .api import (
    add_user,
    agreement_by_id,
    agreement_record,
    audit_log,
    authenticate,
    client_form,
    disable_user,
    draft_file,
    draft_from_data,
    end_session,
    explain_profile,
    file_kinds,
    list_profiles,
    list_users,
    read_profile,
    record_audit,
    redline_fragment,
    review_draft,
    review_queue,
    save_profile,
    session_for,
    user_for_token,
    user_token,
    validate_profile,
)
from .errors import (
    AuthError,
    BatchError,
    ConversionError,
    LifecycleError,
    SigningError,
    WorkspaceError,
    LedgerError,
    LibraryError,
    MsaError,
    ProfileError,
    RenderError,
    RequiredControlError,
    RuleError,
    ServeError,
)

if TYPE_CHECKING:
    from .batch import BatchConfig, BatchReport, ClientResult
    from .outputs import BuildOptions, BuildResult
    from .ledger import AgreementRecord, Ledger
    from .linting import Finding

# name -> module, imported when the name is first used
_LAZY = {"BatchConfig": ".batch", "BatchReport": ".batch", "ClientResult": ".batch", "BuildOptions": ".outputs",
         "BuildResult": ".outputs", "Ledger": ".ledger", "AgreementRecord": ".ledger", "Finding": ".linting"}

__all__ = [
    "__version__",
    # functions, one per command
    "amend", "approve", "approve_clause", "archive", "assemble_profile", "build", "clause_versions", "compare_builds", "conformed_copy", "coverage", "diff_clause",
    "diff_library", "explain", "find_clause", "freeze", "history", "init_workspace", "lint", "load_provider_file",
    "mark", "new_clause_version", "open_ledger", "open_library", "release_library", "renewals", "run_batch", "select_for",
    "send_back", "sign", "verify", "write_profile", "write_redline",
    # the web app and its users
    "add_user", "agreement_by_id", "agreement_record", "audit_log", "authenticate", "client_form", "disable_user",
    "draft_file", "draft_from_data", "end_session", "explain_profile", "file_kinds", "list_profiles", "list_users",
    "read_profile", "record_audit", "redline_fragment", "review_draft", "review_queue", "save_profile",
    "session_for", "user_for_token", "user_token", "validate_profile",
    # data
    "Agreement", "AgreementRecord", "BatchConfig", "BatchReport", "BuildOptions", "BuildResult", "ClientResult",
    "Finding", "Ledger",
    # errors
    "BatchError", "ConversionError", "LedgerError", "LibraryError", "MsaError", "ProfileError", "RenderError",
    "RequiredControlError", "RuleError", "SigningError",
    "LifecycleError", "WorkspaceError", "AuthError", "ServeError",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'msa_builder' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value
