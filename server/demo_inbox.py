"""The demo's inbox files: a BAG extract of its 40 addresses and a BRP selection, for import-bag and import-brp.

Both are made from the demo addresses themselves (the same nummeraanduidingen, postcodes and
numbers), with synthetic but plausible BAG facts: a gebruiksdoel that fits the location type, the
demo's floor area as the registered one, a bouwjaar, pand and object ids, RD coordinates in
Aalsmeer. The BRP counts leave some inspected addresses with more residents counted than
registered, so the registration signals have something to show.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from server.db import rows

NLEXTRACT_HEADER = ["openbareruimte", "huisnummer", "huisletter", "huisnummertoevoeging", "postcode", "woonplaats",
                    "gemeente", "provincie", "nummeraanduiding", "verblijfsobjectgebruiksdoel",
                    "oppervlakteadresseerbaarobject", "verblijfsobjectstatus", "object_id", "object_type",
                    "nevenadres", "pandid", "pandstatus", "pandbouwjaar", "x", "y", "lon", "lat"]
GEBRUIKSDOEL = {"woonkern": "woonfunctie", "lint": "woonfunctie", "bedrijventerrein": "industriefunctie",
                "grootschalig": "logiesfunctie"}
BOUWJAAR = {"woonkern": (1910, 2015), "lint": (1890, 1995), "bedrijventerrein": (1965, 2018),
            "grootschalig": (1975, 2022)}


def wgs84(x: float, y: float) -> tuple[float, float]:
    """Return lon, lat near Aalsmeer for RD coordinates (a local linear approximation: demo data only)."""
    return round(4.7600 + (x - 112000) / 68100, 8), round(52.2600 + (y - 474500) / 111250, 8)


def nlextract_row(address: dict[str, Any], rng: random.Random) -> list[str]:
    """Return an address as a row of the NLExtract adres-full layout, with synthetic BAG facts."""
    kind = address.get("location_type") or "woonkern"
    serial = address["bag_id"][6:]
    x, y = round(rng.uniform(109500, 115500), 3), round(rng.uniform(471500, 477000), 3)
    lon, lat = wgs84(x, y)
    area = address.get("floor_area_m2")
    return [address["straat"], str(address["huisnummer"]), address.get("huisletter") or "",
            address.get("toevoeging") or "", address["postcode"], address["woonplaats"], "Aalsmeer", "Noord-Holland",
            address["bag_id"], GEBRUIKSDOEL[kind], f"{area:.0f}" if area else "", "Verblijfsobject in gebruik",
            f"035801{serial}", "VBO", "f", f"035810{serial}", "Pand in gebruik", str(rng.randint(*BOUWJAAR[kind])),
            f"{x}", f"{y}", f"{lon}", f"{lat}"]


def write_csv(path: Path, header: list[str], lines: list[list[str]]) -> Path:
    """Write a ;-separated UTF-8 CSV with a header row."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8",
                   newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(lines)
    return path


def write_demo_inbox(db: Database, data: Path, addresses: list[dict[str, Any]], today: dt.date) -> list[Path]:
    """Write the demo's BAG extract into DATA/inbox/bag/ and its BRP selection into DATA/inbox/brp/."""
    rng = random.Random(3580)  # noqa: S311 - synthetic data; its own generator, so the rest of the demo stays as it was
    bag = write_csv(data / "inbox" / "bag" / f"bagadres-full-0358-{today.isoformat()}.csv", NLEXTRACT_HEADER,
                    [nlextract_row(a, rng) for a in addresses])
    residents = {r["address_id"]: r["residents"] for r in rows(
        db, "SELECT i.address_id, e.residents FROM evaluations e JOIN inspections i ON i.id = e.inspection_id "
            "WHERE e.residents IS NOT NULL ORDER BY i.started_at")}
    peildatum = today - dt.timedelta(days=today.weekday() + 3)  # the Friday before this week
    counts = []
    for i, address in enumerate(addresses):
        counted = residents.get(address["id"])
        if counted is None:
            count = address.get("brp_registered") or 0
        else:
            count = max(0, counted - 3) if i % 2 == 0 else counted  # every other inspected address: a gap
        counts.append([address["bag_id"], str(count), peildatum.isoformat()])
    brp = write_csv(data / "inbox" / "brp" / f"brp-aantallen-0358-{peildatum.isoformat()}.csv",
                    ["nummeraanduiding", "aantal", "peildatum"], counts)
    return [bag, brp]
