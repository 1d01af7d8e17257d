"""The terugmelding list for Burgerzaken: CSV, XLSX and a PDF (reports.render) from plain data.

`data` holds `made_at` (ISO timestamp), `letterhead` and `rows` [{`straat`, `huisnummer`, `huisletter`,
`toevoeging`, `postcode`, `woonplaats`, `bag_id`, `inspection_date` (ISO), `counted`, `registered`
(None: no count known), `gap` (None likewise), `brp_peildatum` (ISO or None)}]: first the addresses
where more residents were counted than are registered (largest gap first), then those with residents
counted and no registration count known (the BRP selection may not cover them). Only counts: the data
holds no person, and nothing here adds one.

The CSV is for machines and Excel alike: `;`-separated, UTF-8 with a byte order mark (so Excel reads
the accents), one header row and nothing else. A `#` comment line is no part of CSV: Excel would show
it as a data row and shift the header, and an import would read it as an address. The RNI note
therefore stands above the table in the XLSX (a filterable Excel table below it) and in the PDF.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from reports.fmt import getal, tijdstip
from reports.render import render as draw
from reports.weekly import RNI_NOTE
from reports.words import address_line

GAP = "meer bewoners geteld dan ingeschreven"
UNKNOWN = "bewoners geteld, geen BRP-aantal bekend"
COLUMNS = ["straat", "huisnummer", "huisletter", "toevoeging", "postcode", "woonplaats", "nummeraanduiding",
           "inspectiedatum", "geteld", "ingeschreven", "verschil", "peildatum_brp", "signaal"]
TITLE = "Terugmelding aan Burgerzaken: meer bewoners geteld dan ingeschreven in de BRP"
NOTE = "Let op: " + RNI_NOTE
ABOUT = ("Geteld: het aantal bewoners dat de laatste inspectie met toegang telde. Ingeschreven: het aantal "
         "ingeschrevenen op het adres volgens de BRP op de peildatum. Alleen aantallen; geen personen.")


def kind(row: dict[str, Any]) -> str:
    """Return which signal a row is: a gap, or residents counted without a known registration count."""
    return GAP if row["registered"] is not None else UNKNOWN


def _values(row: dict[str, Any]) -> list[Any]:
    return [row["straat"], row["huisnummer"], row["huisletter"], row["toevoeging"], row["postcode"],
            row["woonplaats"], row["bag_id"], row["inspection_date"], row["counted"], row["registered"], row["gap"],
            row["brp_peildatum"], kind(row)]


def csv_bytes(data: dict[str, Any]) -> bytes:
    """Return the list as CSV: UTF-8 with BOM, `;`, a header row, one row per address."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in data["rows"]:
        writer.writerow(["" if v is None else v for v in _values(row)])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(data: dict[str, Any]) -> bytes:
    """Return the list as an Excel workbook: title and the RNI note above a filterable table."""
    # Write-only (streamed) mode: a list of ten thousand addresses is written in a second, not three.
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Terugmelding")
    for i, width in enumerate((28, 11, 10, 10, 9, 16, 19, 14, 8, 12, 9, 14, 38), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    head = 5  # the table's header row, below the title, the made-at line and the note
    sheet.freeze_panes = f"A{head + 1}"

    def cell(value: Any, *, bold: bool = False, size: float | None = None, date: bool = False) -> WriteOnlyCell:
        made = WriteOnlyCell(sheet, dt.date.fromisoformat(value) if date and value else value)
        if bold:
            made.font = Font(bold=True, size=size)
        if date and value:
            made.number_format = "dd-mm-yyyy"
        return made

    sheet.append([cell(TITLE, bold=True, size=12)])
    sheet.append([f"Gemaakt op {tijdstip(data['made_at'])}. {ABOUT}"])
    sheet.append([NOTE])
    sheet.append([])
    sheet.append([cell(name, bold=True) for name in COLUMNS])
    dates = {COLUMNS.index("inspectiedatum"), COLUMNS.index("peildatum_brp")}
    for row in data["rows"]:
        values = _values(row)
        for i in dates:
            if values[i]:  # a date cell for Excel's own sorting and filters; other cells plain (cheaper)
                values[i] = cell(values[i], date=True)
        sheet.append(values)
    last = head + max(len(data["rows"]), 1)
    if not data["rows"]:
        sheet.append([None] * len(COLUMNS))  # an Excel table needs a row below its header
    table = Table(displayName="Terugmelding", ref=f"A{head}:{get_column_letter(len(COLUMNS))}{last}",
                  tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True))
    table.tableColumns = [TableColumn(id=i, name=name) for i, name in enumerate(COLUMNS, start=1)]
    table.autoFilter = AutoFilter(ref=table.ref)
    with warnings.catch_warnings():  # openpyxl warns in write-only mode whether or not the columns were added
        warnings.filterwarnings("ignore", "In write-only mode you must add table columns manually")
        sheet.add_table(table)
    stamp = dt.datetime.fromisoformat(data["made_at"]).replace(tzinfo=None)
    book.properties.created = book.properties.modified = stamp
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _short_date(value: str | None) -> str:
    return dt.date.fromisoformat(value).strftime("%d-%m-%Y") if value else "-"


def _where(row: dict[str, Any]) -> str:
    line = address_line(row)
    street, _, place = line.partition(", ")
    return f"{street}\n{place}" if place else line


def _table_rows(rows: list[dict[str, Any]]) -> list[list[str]]:
    return [[_where(row), row["bag_id"] or "-", _short_date(row["inspection_date"]), getal(row["counted"]),
             getal(row["registered"]), getal(row["gap"]), _short_date(row["brp_peildatum"])] for row in rows]


def _table(head: list[str], widths: list[float], rows: list[dict[str, Any]]) -> dict[str, Any]:
    if not rows:
        return {"t": "p", "text": "Geen adressen."}
    return {"t": "table", "head": head, "widths": widths, "rows": _table_rows(rows), "plain": True}


def addresses(n: int) -> str:
    """Return '1 adres', '3 adressen'."""
    return f"{getal(n)} {'adres' if n == 1 else 'adressen'}"


def collect(data: dict[str, Any]) -> dict[str, Any]:
    """Return the PDF document of the list (reports.render blocks)."""
    gaps = [row for row in data["rows"] if row["registered"] is not None]
    unknown = [row for row in data["rows"] if row["registered"] is None]
    head = ["Adres", "Nummeraanduiding", "Inspectie", "Geteld", "Ingeschreven", "Verschil", "Peildatum BRP"]
    widths = [0.32, 0.18, 0.11, 0.08, 0.12, 0.08, 0.11]
    blocks: list[dict[str, Any]] = [
        {"t": "h1", "text": TITLE},
        {"t": "p", "text": f"Gemaakt op {tijdstip(data['made_at'])}. {ABOUT} Een verschil is een signaal voor "
                           "onderzoek (terugmelding, Wet BRP), geen vaststelling."},
        {"t": "box", "text": NOTE},
        {"t": "h2", "text": f"Meer bewoners geteld dan ingeschreven ({addresses(len(gaps))}, verschil "
                            f"{getal(sum(row['gap'] for row in gaps))})"},
    ]
    blocks.append(_table(head, widths, gaps))
    blocks.append({"t": "h2", "text": f"Bewoners geteld, geen BRP-aantal bekend ({addresses(len(unknown))})"})
    blocks.append({"t": "p", "text": "Voor deze adressen is geen aantal ingeschrevenen ingelezen: de BRP-selectie "
                                     "dekt ze misschien niet. Burgerzaken kan het aantal zelf nagaan."})
    blocks.append(_table(head, widths, unknown))
    return {"title": "Terugmelding aan Burgerzaken", "kenmerk": "Terugmeldlijst BRP",
            "letterhead": data["letterhead"], "blocks": blocks}


def pdf_bytes(data: dict[str, Any]) -> bytes:
    """Return the list as PDF."""
    return draw(collect(data))
