"""Norm sets on the server: loading them and the `woontoezicht norms` commands."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
from marshmallow import ValidationError

from schemas import address_schema, inspection_schema, load_norm_sets
from schemas.errors import ContractError, flatten_messages
from schemas.judge import inspection_date, judge
from server.legal_basis import annotate, entry, load_register
from server.settings import read_settings

EXIT_INVALID = 2
LEGACY_ADDRESS_FIELDS = ("landlord", "employer_or_agency")


def configured_norm_sets(extra_dir: str | None = None) -> list[dict[str, Any]]:
    """Return the shipped norm sets plus those in the configured folder."""
    folder = extra_dir if extra_dir is not None else read_settings()["NORM_SETS"]
    return load_norm_sets([Path(folder)] if folder else [])


def _fail(lines: list[str], code: int = EXIT_INVALID) -> None:
    for line in lines:
        click.echo(line, err=True)
    raise SystemExit(code)


def read_check_file(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read FILE.json holding an address and an inspection; exit 2 with Dutch lines when invalid."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _fail([f"Bestand niet gevonden: {path}"])
    except (OSError, UnicodeDecodeError) as err:
        _fail([f"Bestand {path} kan niet worden gelezen: {err}"])
    except json.JSONDecodeError as err:
        _fail([f"Geen geldige JSON in {path}: regel {err.lineno}, kolom {err.colno}: {err.msg}"])
    if not isinstance(raw, dict):
        _fail([f"{path}: verwacht een object met 'address' en 'inspection'."])
    errors: dict[str, Any] = {}
    unknown = sorted(set(raw) - {"address", "inspection"})
    for key in unknown:
        errors[key] = ["Onbekend veld."]
    loaded: dict[str, Any] = {}
    for key, schema in (("address", address_schema), ("inspection", inspection_schema)):
        if key not in raw:
            errors[key] = ["Verplicht veld."]
            continue
        value = raw[key]
        if key == "address" and isinstance(value, dict):
            # Files written before parties replaced these names still check: they judge nothing.
            value = {k: v for k, v in value.items() if k not in LEGACY_ADDRESS_FIELDS}
        try:
            loaded[key] = schema.load(value)
        except ValidationError as err:
            errors[key] = err.messages
    if errors:
        _fail([f"{path}: {line}" for line in flatten_messages(errors)])
    if loaded["inspection"]["address_id"] != loaded["address"]["id"]:
        _fail([f"{path}: inspection.address_id: Hoort niet bij dit adres."])
    return loaded["address"], loaded["inspection"]


def format_table(norm_set: dict[str, Any], evaluation: Any, on: dt.date) -> str:
    """Return the Dutch text report of one evaluation."""
    lines = [f"Normenset: {norm_set['name']} ({norm_set['id']}, versie {norm_set['version']}, "
             f"geldig vanaf {norm_set['valid_from'].isoformat()}), peildatum {on.isoformat()}",
             f"Bewoners (N): {evaluation.residents if evaluation.residents is not None else 'onbekend'}", ""]
    if evaluation.findings:
        lines.append(f"Bevindingen ({len(evaluation.findings)}):")
        lines.append(f"  {'code':<24} {'effect':<6} {'gemeten':>9} {'norm':>9}  {'ruimte':<8} omschrijving")
        for f in evaluation.findings:
            where = f["room_id"] or (f"verd. {f['storey']}" if f.get("storey") is not None else "-")
            lines.append(f"  {f['code']:<24} {f['impact']:<6} {_cell(f['measured']):>9} {_cell(f['norm']):>9}  "
                         f"{where:<8} {f['description']}")
            lines += [f"  {'':<24} {'':<6} {'':>9} {'':>9}  {'':<8} {line}" for line in basis_lines(f)]
    else:
        lines.append("Geen bevindingen.")
    lines.append("")
    if evaluation.not_assessed:
        lines.append(f"Niet beoordeeld ({len(evaluation.not_assessed)}):")
        for n in evaluation.not_assessed:
            room = f" [{n['room_id']}]" if n["room_id"] else ""
            lines.append(f"  {n['code']:<24}{room} {n['reason']} Ontbreekt: {', '.join(n['missing'])}")
    else:
        lines.append("Alle regels beoordeeld.")
    return "\n".join(lines)


def basis_lines(finding: dict[str, Any]) -> list[str]:
    """Return a finding's legal basis in Dutch: regime, each voorschrift and whether it was verified.

    The norm set's own legal_basis text and the toetsingskader are context, not the grondslag;
    `--json` has them.
    """
    if finding.get("regime") is None:
        return [f"grondslag: geen ingang in het register (normenset: {finding['legal_basis']})"]
    lines = [f"regime: {finding['regime']}" + ("" if finding.get("enforceable") else
                                               " (signaal of advies: geen last of boete)")]
    for v in finding.get("voorschriften") or []:
        lines.append(f"voorschrift: {v['regeling']}, {v['artikel']} "
                     f"({'geverifieerd' if v['verified'] else 'niet geverifieerd'})")
    return lines


def verification(found: dict[str, Any] | None) -> str:
    """Return whether an entry's voorschriften were checked against the official text, in Dutch."""
    if found is None or not found["voorschriften"]:
        return "geen voorschrift"
    return "geverifieerd" if all(v["verified"] for v in found["voorschriften"]) else "niet geverifieerd"


def _register() -> dict[str, Any]:
    try:
        return load_register(read_settings()["LEGAL_BASIS"] or None)
    except ContractError as err:
        _fail([str(err)], 1)
    raise AssertionError("unreachable")


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return "-" if value is None else str(value)


@click.group("norms")
def norms_group() -> None:
    """Normensets bekijken en inspecties toetsen."""


@norms_group.command("check")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), metavar="BESTAND")
@click.option("--json", "as_json", is_flag=True, help="Schrijf JSON: {findings, not_assessed}; elke bevinding met "
                                                      "regime, voorschriften en toetsingskader.")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="JJJJ-MM-DD",
              help="Peildatum (standaard de inspectiedatum).")
def check_command(file: Path, as_json: bool, on: dt.datetime | None) -> None:
    """Toets een inspectie (JSON met address en inspection) aan de geldende normenset."""
    address, inspection = read_check_file(file)
    day = on.date() if on else inspection_date(inspection)
    try:
        norm_set, evaluation = judge(inspection, address, configured_norm_sets(), day)
    except ContractError as err:
        _fail([str(err)], 1)
    evaluation.findings = annotate(evaluation.findings, day, _register())
    if as_json:
        click.echo(json.dumps(evaluation.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(norm_set, evaluation, day))


@norms_group.command("list")
def list_command() -> None:
    """Toon de normensets: versie, geldig vanaf, leeswijze, en per regel het regime en of het geverifieerd is."""
    try:
        sets = configured_norm_sets()
    except ContractError as err:
        _fail([str(err)], 1)
    register = _register()
    today = dt.date.today()
    for s in sorted(sets, key=lambda s: (s["gemeentecode"], s["valid_from"], s["version"])):
        click.echo(f"{s['id']}\tversie {s['version']}\tgemeente {s['gemeentecode']}\t"
                   f"geldig vanaf {s['valid_from'].isoformat()}\t{len(s['rules'])} regels\t"
                   f"leeswijze {s.get('engine', 1)}\t{s['name']}")
        on = max(today, s["valid_from"])  # the register as it stands for this set's inspections now
        for code in s["rules"]:
            found = entry(code, on, register)
            click.echo(f"  {code:<24}\t{found['regime'] if found else 'geen grondslag in het register'}\t"
                       f"{verification(found)}")
