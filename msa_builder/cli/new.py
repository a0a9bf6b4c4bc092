"""`msa new`: a client profile in a minute, from prompts on a terminal or from flags in a script."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .. import api, clock
from ..errors import ProfileError
from ..library.model import Manifest
from ..params import library_value
from ..new_profile import FIELDS, STATUSES, Answers, ControlAnswer, answers_from_options, check_answer, check_date
from ..new_profile import check_param, decline_problem, default_path, tier_default
from ._root import library_option, main, settings


def _ask(prompt: str, check: Any, *, default: Any = None, type_: Any = None) -> Any:
    """Prompt until `check` accepts the answer; our errors are shown and the question asked again."""
    while True:
        raw = click.prompt(prompt, default=default, type=type_, show_default=bool(default))
        try:
            return check(raw)
        except ProfileError as exc:
            click.echo(f"  {exc.message}" + (f" (allowed: {', '.join(exc.allowed)})" if exc.allowed else ""), err=True)


def _choose(title: str, options: dict[str, str], default: str | None = None) -> str:
    click.echo(title)
    for key, text in options.items():
        click.echo(f"  {key:<16} {text}")
    return str(click.prompt("Choose", type=click.Choice(list(options)), default=default, show_choices=False))


def _prompt_fields(answers: Answers, manifest: Manifest) -> None:
    for spec in FIELDS:
        if spec.path in answers.values:
            continue
        if spec.path == "tier":
            answers.values["tier"] = _choose("Service tiers:", {k: f"{t.name}: {t.description}".rstrip(": ")
                                                                for k, t in manifest.tiers.items()})
        elif spec.path == "industry":
            answers.values["industry"] = _choose("Industries:", {k: i.name for k, i in manifest.industries.items()})
        else:
            default = clock.today().isoformat() if spec.path == "effective_date" else ("" if not spec.required
                                                                                        else None)
            answers.values[spec.path] = _ask(spec.prompt, lambda raw, p=spec.path: (
                check_answer(p, raw, manifest) if raw != "" else None), default=default)


def _prompt_controls(answers: Answers, manifest: Manifest, words: dict[str, dict[str, Any]]) -> None:
    """Ask each control's status; `words` are the catalogue's description and risk, by control id."""
    tier, industry = answers.values["tier"], answers.values["industry"]
    click.echo("Security controls (Enter keeps the tier's default):")
    for cid, control in manifest.controls.items():
        if cid in answers.controls:
            continue
        default = tier_default(manifest, cid, tier)
        click.echo(f"  {cid}: {control.name}. {words[cid]['description']}".rstrip(". ") + ".")
        while True:
            status = click.prompt(f"  {cid}", type=click.Choice(STATUSES), default=default)
            problem = decline_problem(manifest, cid, tier, industry) if status == "declined" else None
            if problem is None:
                break
            click.echo(f"  {problem}", err=True)
        if status == "declined":
            click.echo(f"  Risk of declining: {words[cid]['risk']}")
            offered = _ask(f"  Date {cid} was recommended (YYYY-MM-DD)", lambda raw, c=cid: check_date(raw, c),
                           default=clock.today().isoformat())
            reason = click.prompt("  The client's reason (optional)", default="", show_default=False).strip()
            answers.controls[cid] = ControlAnswer("declined", offered, reason or None)
        elif status != default:
            answers.controls[cid] = ControlAnswer(status)


def _prompt_params(answers: Answers, manifest: Manifest) -> None:
    if not click.confirm("Override any of the library's parameters (each override is a deviation)?", default=False):
        return
    tier, industry, users = (answers.values[k] for k in ("tier", "industry", "client.users"))
    for name, param in manifest.parameters.items():
        value, source = library_value(param, tier, industry, users)
        click.echo(f"  {name:<32} {param.display(value)} ({source})  {param.description}")
    while True:
        name = click.prompt("Parameter to override (Enter to finish)", default="", show_default=False).strip()
        if not name:
            return
        if name not in manifest.parameters:
            click.echo(f"  {name!r} is not a parameter this library knows", err=True)
            continue
        answers.params[name] = _ask(f"  {name}", lambda raw, n=name: check_param(manifest, n, raw))


@main.command("new")
@click.option("--legal-name", help="The client's legal name (also its output folder and ledger key).")
@click.option("--jurisdiction", help="US state whose law governs the agreement, spelled out (e.g. Ohio).")
@click.option("--address", help="The client's notice address.")
@click.option("--entity", help="Optional: the client's entity, e.g. 'an Ohio limited liability company'.")
@click.option("--users", help="Number of users.")
@click.option("--signatory-name", help="Who signs for the client.")
@click.option("--signatory-title", help="Their title.")
@click.option("--signatory-email", help="Their email.")
@click.option("--signatory-authority", help="Their authority to bind the client (owner, officer, partner, member, "
              "director, delegate); needed when a control is declined.")
@click.option("--tier", help="Service tier (one of the library's tiers).")
@click.option("--industry", help="Industry (one of the library's industries).")
@click.option("--effective-date", metavar="DATE", help="Effective date, YYYY-MM-DD (default: today).")
@click.option("--agreement-id", help="Optional agreement id (default: derived from the name and date).")
@click.option("--declined", metavar="CONTROLS", help="Comma-separated controls the client declined, e.g. mfa,edr.")
@click.option("--accepted", metavar="CONTROLS", help="Controls accepted where the tier's default differs.")
@click.option("--client-managed", metavar="CONTROLS", help="Controls the client operates itself.")
@click.option("--offered", multiple=True, metavar="[CONTROL=]DATE",
              help="When the declined controls were recommended (repeat CONTROL=DATE per control).")
@click.option("--reason", multiple=True, metavar="[CONTROL=]TEXT", help="The client's reason for declining.")
@click.option("--param", multiple=True, metavar="NAME=VALUE", help="A parameter override, e.g. --param "
              "client_cyber_insurance_minimum='$3,000,000' (a deviation, flagged in the review memo).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the profile (default: the workspace's clients folder, else the current one).")
@click.option("--interactive/--no-interactive", default=None,
              help="Ask for whatever the options leave out (default: when input is a terminal).")
@library_option
def new(output: Path | None, interactive: bool | None, library_dir: Path | None, **flags: Any) -> None:
    """Write a new client profile: prompts on a terminal, or options for every field in scripts.

    Each answer is checked against the library as it is given, and the profile is checked as a whole
    (refusal policy, rules) before it is written; it never overwrites a file.
    """
    where = settings(library=library_dir)
    library = api.open_library(where.library)
    manifest = library.manifest
    answers = answers_from_options(flags, manifest)
    if interactive if interactive is not None else sys.stdin.isatty():
        _prompt_fields(answers, manifest)
        # The catalogue, not the manifest, holds what the agreement says about each control.
        _prompt_controls(answers, manifest, {c["id"]: c for c in api.client_form(library)["controls"]})
        _prompt_params(answers, manifest)
    elif answers.values.get("effective_date") is None:
        answers.values["effective_date"] = clock.today()
    name = answers.values.get("client.legal_name") or "new-client"
    path = output or default_path(str(name), where.clients or Path("."))
    written = api.write_profile(answers, library=library, path=path)
    click.echo(f"wrote {written}")
    click.echo(f"next: msa build {written}")

