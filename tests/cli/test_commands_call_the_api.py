"""Every `msa` command parses its options, calls one exported library function and prints.

Each command is run with that function replaced by a spy: the spy must be reached (so the command
does its work through the public API, not around it), and the function must be exported by
`msa_builder.__all__`. A new command without an entry here fails `test_every_command_is_mapped`.
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

import msa_builder
from msa_builder import api
from msa_builder.cli import main

# command path -> (arguments that reach the call, the api function it calls)
CALLS: dict[str, list[tuple[list[str], str]]] = {
    "msa build": [(["build", "samples/harbor-finch.yaml"], "build"),
                  (["build", "Harbor & Finch LLP", "--conformed"], "conformed_copy")],
    "msa explain": [(["explain", "samples/harbor-finch.yaml"], "explain")],
    "msa batch": [(["batch", "samples"], "run_batch")],
    "msa status": [(["status", "samples"], "coverage")],
    "msa ledger mark": [(["ledger", "mark", "Harbor & Finch LLP", "sent"], "mark")],
    "msa ledger show": [(["ledger", "show"], "history")],
    "msa amend": [(["amend", "Harbor & Finch LLP"], "amend")],
    "msa approve": [(["approve", "Harbor & Finch LLP", "--by", "A. Lawyer"], "approve")],
    "msa send-back": [(["send-back", "Harbor & Finch LLP", "--by", "A. Lawyer", "--note", "Fix it"], "send_back")],
    "msa library list": [(["library", "list"], "clause_versions")],
    "msa library show": [(["library", "show", "term.renewal"], "find_clause")],
    "msa library lint": [(["library", "lint"], "lint")],
    "msa library freeze": [(["library", "freeze"], "freeze")],
    "msa diff": [(["diff", "scope.out_of_scope@1.0.0", "scope.out_of_scope@1.1.0"], "diff_clause"),
                 (["diff", "--library", "old", "new"], "diff_library")],
    "msa compare": [(["compare", "old-lock.json", "new-lock.json"], "compare_builds")],
    "msa init": [(["init", "acme"], "init_workspace")],
    "msa new": [(["new", "--no-interactive", "--legal-name", "Acme LLC", "--jurisdiction", "Ohio", "--address",
                  "1 Main St", "--tier", "managed", "--industry", "general", "--users", "5", "--signatory-name",
                  "Ann Lee", "--signatory-title", "Owner", "--signatory-email", "ann@example.com",
                  "-o", "acme.yaml"], "write_profile")],
    "msa library new-version": [(["library", "new-version", "term.renewal:standard"], "new_clause_version")],
    "msa library approve": [(["library", "approve", "term.renewal:standard@9.0.0", "--by", "A. Lawyer"],
                             "approve_clause")],
    "msa library release": [(["library", "release"], "release_library")],
    "msa renewals": [(["renewals"], "renewals")],
    "msa verify": [(["verify", "signed.pdf"], "verify")],
    "msa sign": [(["sign", "execution.pdf", "--key", "provider.p12", "-o", "countersigned.pdf"], "sign")],
}


class Called(BaseException):
    """Raised by the spy; a BaseException, so no error handler on the way can swallow it."""


def _leaf_commands(group: click.Group, prefix: str = "msa") -> list[str]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found += _leaf_commands(command, path) if isinstance(command, click.Group) else [path]
    return found


def test_no_exported_name_is_shadowed_by_a_submodule():
    # Importing msa_builder.build would rebind msa_builder.build to the module, hiding the function.
    import pkgutil

    submodules = {m.name for m in pkgutil.iter_modules(msa_builder.__path__)}
    assert not submodules & set(msa_builder.__all__)


def test_every_command_is_mapped():
    assert sorted(_leaf_commands(main)) == sorted(CALLS)


@pytest.mark.parametrize(("path", "args", "function"),
                         [(p, a, f) for p, calls in CALLS.items() for a, f in calls],
                         ids=[f"{p}->{f}" for p, calls in CALLS.items() for _, f in calls])
def test_command_calls_its_exported_function(path, args, function, monkeypatch):
    assert function in msa_builder.__all__, f"{function} is not exported"
    assert getattr(msa_builder, function) is getattr(api, function)

    def spy(*_: object, **__: object) -> None:
        raise Called(function)

    monkeypatch.setattr(api, function, spy)
    with pytest.raises(Called) as caught:
        CliRunner().invoke(main, args, catch_exceptions=False)
    assert caught.value.args == (function,)
