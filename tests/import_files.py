"""Files for the import tests: NLExtract adres-full rows and BRP selections, written as real CSV files."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from server.cli import main
from server.demo_inbox import NLEXTRACT_HEADER


def bag_row(n: int, **changes: Any) -> dict[str, str]:
    """Return row n of an Aalsmeer extract (nummeraanduiding 0358200000000nnn), with changes."""
    row = {"openbareruimte": "Zijdstraat", "huisnummer": str(n), "huisletter": "", "huisnummertoevoeging": "",
           "postcode": "1431AB", "woonplaats": "Aalsmeer", "gemeente": "Aalsmeer", "provincie": "Noord-Holland",
           "nummeraanduiding": f"0358200000{n:06d}", "verblijfsobjectgebruiksdoel": "woonfunctie",
           "oppervlakteadresseerbaarobject": str(60 + n), "verblijfsobjectstatus": "Verblijfsobject in gebruik",
           "object_id": f"0358010000{n:06d}", "object_type": "VBO", "nevenadres": "f",
           "pandid": f"0358100000{n:06d}", "pandstatus": "Pand in gebruik", "pandbouwjaar": "1972",
           "x": f"{110000 + n}.5", "y": "475000.25", "lon": "4.76", "lat": "52.26"}
    row.update(changes)
    return row


def bag_text(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    """Return an adres-full CSV of rows (header: NLExtract's column order, or the one given)."""
    columns = header or NLEXTRACT_HEADER
    return "\n".join([";".join(columns), *(";".join(row.get(c, "") for c in columns) for row in rows)]) + "\n"


def write(path: Path, text: str | bytes) -> Path:
    """Write a file (text as UTF-8) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def cli(data: Path, *args: str) -> Result:
    """Run `woontoezicht ARGS --data DATA` in this process."""
    return CliRunner().invoke(main, [*args, "--data", str(data)], catch_exceptions=False)


def dump(data: Path) -> list[tuple[Any, ...]]:
    """Return everything stored about addresses: their rows, their history and the change sequence."""
    db = sqlite3.connect(data / "woontoezicht.db")
    try:
        return [*db.execute("SELECT * FROM addresses ORDER BY id"),
                *db.execute("SELECT * FROM history WHERE entity = 'address' ORDER BY record_id, version"),
                *db.execute("SELECT * FROM changes ORDER BY seq")]
    finally:
        db.close()


def addresses(data: Path) -> dict[str, dict[str, Any]]:
    """Return the live addresses by bag_id (or id when they have none), with their version."""
    import json
    db = sqlite3.connect(data / "woontoezicht.db")
    try:
        found = {}
        for record_id, version, text in db.execute("SELECT id, version, data FROM addresses WHERE deleted = 0"):
            record = {"id": record_id, "version": version, **json.loads(text)}
            found[record.get("bag_id") or record_id] = record
        return found
    finally:
        db.close()
