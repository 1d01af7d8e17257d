"""The commands `report figures`, `report weekly` and `signals brp`: parse, call the domain modules, answer."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
from flask import current_app

from reports.fmt import bedrag, getal
from reports.signals import NOTE, addresses
from reports.weekly import TYPE_LABELS, week_words
from server.commands import data_option, fail, open_app
from server.db import get_db
from server.figures import figures
from server.jobs import TIMEZONE, iso_week, shift_week, week_monday
from server.report_files import write_atomic
from server.signals import gather as gather_signals
from server.signals import render as render_signals
from server.weekly import make

WEEK_HELP = "ISO-week, zoals 2026-W49"


def _now() -> dt.datetime:
    return dt.datetime.now(TIMEZONE)


def _week(text: str | None, default_offset: int) -> str:
    """Return the chosen ISO week, or this week shifted by default_offset; one Dutch line and exit 2 when bad."""
    if text is None:
        return shift_week(iso_week(_now().date()), default_offset)
    try:
        week_monday(text)
    except ValueError as err:
        fail(f"--week: {err}", 2)
    return text


def _target(path: Path, option: str) -> Path:
    """Return an output file whose folder exists; one Dutch line and exit 2 otherwise (nothing written)."""
    path = path.expanduser()
    if path.is_dir():
        fail(f"{option}: {path} is een map; geef een bestandsnaam.", 2)
    if not path.parent.is_dir():
        fail(f"{option}: de map {path.parent} bestaat niet.", 2)
    return path


@click.group("report")
def report_group() -> None:
    """Cijfers en de weekrapportage."""


@report_group.command("figures")
@click.option("--week", "week_text", default=None, metavar="JJJJ-Www",
              help=f"De week waarvan de inspecties tellen ({WEEK_HELP}; standaard deze week).")
@click.option("--json", "as_json", is_flag=True, help="Schrijf de cijfers als JSON (zoals DESIGN.md ze vastlegt).")
@data_option
def figures_command(data: Path, week_text: str | None, as_json: bool) -> None:
    """Toon de cijfers: adressen, bewoners, verschil met de BRP, inspecties, bevindingen en zaken."""
    week = _week(week_text, 0)
    app = open_app(data)
    with app.app_context():
        found = figures(get_db(), week, _now().date(), current_app.config)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
        return
    for line in summary(found):
        click.echo(line)


def summary(found: dict[str, Any]) -> list[str]:
    """Return the figures as Dutch lines for a terminal."""
    addresses, brp, inspections = found["addresses"], found["brp"], found["inspections"]
    lines = [f"Cijfers woontoezicht, {week_words(found['week'])}; de stand van nu.",
             f"Adressen: {getal(addresses['total'])}, waarvan {getal(addresses['verified'])} geverifieerd.",
             f"{'Locatietype':<32}{'adressen':>9}{'geverif.':>9}{'bewoners':>9}{'op geverif.':>12}{'BRP':>8}"
             f"{'verschil':>9}"]
    for kind, row in addresses["by_location_type"].items():
        lines.append(f"{TYPE_LABELS.get(kind, kind):<32}{getal(row['total']):>9}{getal(row['verified']):>9}"
                     f"{getal(row['residents']):>9}{getal(row['residents_verified']):>12}"
                     f"{getal(row['brp_registered']):>8}{getal(row['brp_gap']):>9}")
    lines += [f"Bewoners geteld: {getal(found['residents']['counted'])}, waarvan "
              f"{getal(sum(r['residents_verified'] for r in addresses['by_location_type'].values()))} op geverifieerde "
              "adressen.",
              f"BRP: {getal(brp['addresses_with_gap'])} adressen met meer bewoners dan ingeschreven, verschil "
              f"{getal(brp['gap'])}; geschatte Gemeentefonds-uitkering {bedrag(brp['gemeentefonds_eur'])}, kosten van "
              f"inschrijving {bedrag(brp['registration_cost_eur'])}.",
              f"Inspecties: {getal(inspections['week'])} in de week (waarvan {getal(inspections['no_access_week'])} "
              f"zonder toegang), {getal(inspections['year'])} in {found['week'][:4]}."]
    codes = found["findings_by_code"]
    lines.append("Bevindingen bij de laatste inspecties: " + (", ".join(
        f"{code} {getal(n)}" for code, n in sorted(codes.items(), key=lambda i: (-i[1], i[0]))) or "geen") + ".")
    cases = found["cases"]
    lines.append("Zaken: " + ("; ".join(f"{label} {getal(n)}" for label, n in cases["by_status"].items()) or "geen")
                 + f". Termijnen verlopen zonder vervolgstap: {getal(cases['terms_expired'])}.")
    return lines


@report_group.command("weekly")
@click.option("--week", "week_text", default=None, metavar="JJJJ-Www",
              help=f"De week van het rapport ({WEEK_HELP}; standaard de vorige week).")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), metavar="BESTAND.pdf",
              help="Waar het rapport (PDF) komt.")
@data_option
def weekly_command(data: Path, week_text: str | None, out: Path) -> None:
    """Maak de weekrapportage met grafieken als PDF."""
    week = _week(week_text, -1)
    target = _target(out, "--out")
    app = open_app(data)
    with app.app_context():
        found, pdf = make(get_db(), current_app.config, week, _now())
    write_atomic(target, pdf)
    click.echo(f"Weekrapportage {week} geschreven naar {target} ({getal(found['inspections']['week'])} inspecties "
               f"in de week, verschil met de BRP {getal(found['brp']['gap'])}).", err=True)


@click.group("signals")
def signals_group() -> None:
    """Signalen voor andere afdelingen."""


@signals_group.command("brp")
@click.option("--csv", "csv_out", type=click.Path(path_type=Path), default=None, metavar="BESTAND.csv",
              help="Schrijf de lijst als CSV (puntkomma, UTF-8 met BOM, voor Excel).")
@click.option("--xlsx", "xlsx_out", type=click.Path(path_type=Path), default=None, metavar="BESTAND.xlsx",
              help="Schrijf de lijst als Excel-bestand.")
@click.option("--pdf", "pdf_out", type=click.Path(path_type=Path), default=None, metavar="BESTAND.pdf",
              help="Schrijf de lijst als PDF.")
@data_option
def brp_command(data: Path, csv_out: Path | None, xlsx_out: Path | None, pdf_out: Path | None) -> None:
    """Adressen met meer getelde bewoners dan ingeschrevenen in de BRP: de lijst voor Burgerzaken (terugmelding).

    Zonder --csv, --xlsx of --pdf: een tabel op het scherm.
    """
    outputs = {kind: _target(path, f"--{kind}") for kind, path in
               (("csv", csv_out), ("xlsx", xlsx_out), ("pdf", pdf_out)) if path is not None}
    if len({p.resolve() for p in outputs.values()}) < len(outputs):
        fail("Geef elk formaat een eigen bestand.", 2)
    app = open_app(data)
    with app.app_context():
        listed = gather_signals(get_db(), current_app.config, _now())
    if not outputs:
        for line in table(listed["rows"]):
            click.echo(line)
        click.echo(NOTE, err=True)
        return
    for kind, path in outputs.items():
        write_atomic(path, render_signals(listed, kind))
        click.echo(f"Terugmeldlijst ({kind}) geschreven naar {path}.", err=True)


def table(rows: list[dict[str, Any]]) -> list[str]:
    """Return the list as a Dutch table for a terminal."""
    from reports.words import address_line
    if not rows:
        return ["Geen adressen met meer getelde bewoners dan ingeschreven, en geen getelde adressen zonder BRP-aantal."]
    lines = [f"{'Adres':<44}{'Nummeraanduiding':<18}{'Inspectie':<12}{'Geteld':>7}{'Ingeschr.':>10}"
             f"{'Verschil':>9}  Peildatum"]
    for row in rows:
        lines.append(f"{address_line(row)[:43]:<44}{row['bag_id'] or '-':<18}{row['inspection_date']:<12}"
                     f"{row['counted']:>7}{getal(row['registered']):>10}{getal(row['gap']):>9}  "
                     f"{row['brp_peildatum'] or '-'}")
    known = [row for row in rows if row["registered"] is not None]
    lines.append(f"{addresses(len(known))} met meer bewoners dan ingeschreven (verschil "
                 f"{sum(row['gap'] for row in known)}); {addresses(len(rows) - len(known))} met bewoners en zonder "
                 "BRP-aantal (ingeschr. '-').")
    return lines
