"""Figures benchmark: `figures()`, `report weekly` (PDF) and the terugmelding list over 100,000 submitted
inspections at 20,000 addresses, against one SQL pass over the inspections table in the same run.

The database is made by the server (migrations), then filled with direct SQL inserts in the shape the
record store writes (server/store.py: the wire record as JSON plus its query columns; server/evaluation.py:
residents and findings per inspection): addresses of every location type, about 70 % with a BRP count
and a few gone from the BAG; five visits per address over two years (access granted, nobody home or
refused), 3,000 corrections (some of them corrected again), and 2,000 cases, open and closed, with
terms. Prints each time (the best and the median of several runs) and its ratio to the baseline.

    python bench/figures_bench.py [--addresses N] [--inspections N] [--runs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable

from schemas import address_schema, inspection_schema, shipped_norm_sets
from schemas.judge import judge
from server.app import create_app
from server.db import connect, database_path
from server.figures import figures
from server.jobs import TIMEZONE
from server.signals import gather, render
from server.weekly import make

ROOT = Path(__file__).resolve().parent.parent

TYPES = ["woonkern"] * 5 + ["lint"] * 3 + ["bedrijventerrein", "grootschalig", None]
STAMP = "2026-12-01T08:00:00.000000+00:00"
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=TIMEZONE)
WEEK = "2026-W49"


def example(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "schemas" / "examples" / name).read_text(encoding="utf-8"))


def templates() -> list[tuple[dict[str, Any], str, str]]:
    """Return (inspection wire record, findings JSON, not-assessed JSON) of the two example visits."""
    out = []
    for name in ("overbewoond.json", "compliant.json"):
        raw = example(name)
        address = address_schema.dump(address_schema.load(raw["address"]))
        inspection = inspection_schema.dump(inspection_schema.load(raw["inspection"]))
        _, evaluation = judge(inspection, address, shipped_norm_sets())
        result = evaluation.as_dict()
        out.append((inspection, json.dumps(result["findings"]), json.dumps(result["not_assessed"])))
    return out


def columns(db: Any, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def insert(db: Any, table: str, rows: list[dict[str, Any]]) -> None:
    names = [c for c in columns(db, table) if c in rows[0]]
    db.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",  # noqa: S608
                   [[row.get(n) for n in names] for row in rows])


def fill(db: Any, n_addresses: int, n_inspections: int, rng: random.Random, case_year: int = 2026) -> dict[str, int]:
    """Fill the database (case numbers HH-<case_year>-NNNN); return how many of each kind were written."""
    base = address_schema.dump(address_schema.load(example("compliant.json")["address"]))
    addresses = []
    for i in range(n_addresses):
        data = {**base, "id": str(uuid.uuid4()), "postcode": f"{1430 + i % 4}{'ABCDEFGHJKLMNPRTUVWXYZ'[i % 22]}"
                f"{'ABCDEFGHJKLMNPRTUVWXYZ'[(i // 22) % 22]}", "huisnummer": 1 + i // 484 % 999,
                "bag_id": f"0358200{i:09d}", "location_type": TYPES[i % len(TYPES)], "verified": rng.random() < 0.6,
                "brp_registered": None,
                "brp_peildatum": "2026-11-01", "bag_gone_on": "2026-10-05" if i % 400 == 0 else None}
        addresses.append({"id": data["id"], "version": 1, "data": json.dumps(data), "deleted": 0,
                          "created_at": STAMP, "updated_at": STAMP, "updated_by": "bench",
                          "postcode": data["postcode"], "huisnummer": data["huisnummer"],
                          "location_type": data["location_type"], "verified": int(data["verified"]),
                          "gemeentecode": "0358", "bag_id": data["bag_id"], "bag_gone_on": data["bag_gone_on"]})
    # Each address houses about the same number of people at every visit; the BRP knows 70 % of the
    # addresses, and at a third of those it registers fewer than the inspections count.
    living = {a["id"]: rng.randint(1, 10) for a in addresses}
    for a in addresses:
        if rng.random() < 0.7:
            data = json.loads(a["data"])
            data["brp_registered"] = max(0, living[a["id"]] - (rng.randint(1, 4) if rng.random() < 0.33 else 0))
            a["data"] = json.dumps(data)
    insert(db, "addresses", addresses)
    kinds = templates()
    first = dt.datetime(2025, 1, 6, 8, tzinfo=dt.UTC)
    inspections, evaluations, by_address = [], [], {}
    corrections = 3000
    for i in range(n_inspections):
        address = addresses[i % n_addresses]
        template, findings, not_assessed = kinds[i % 2]
        roll = rng.random()
        access = "granted" if roll < 0.85 else "nobody_home" if roll < 0.95 else "refused"
        corrects = None
        earlier = by_address.get(address["id"])
        if i >= n_inspections - corrections and earlier:
            corrects = earlier[-1]  # corrects the visit before (which may itself be a correction: a chain)
        started = first + dt.timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
        record = {**template, "id": str(uuid.uuid4()), "address_id": address["id"], "assignment_id": None,
                  "started_at": started.isoformat(), "finished_at": (started + dt.timedelta(hours=1)).isoformat(),
                  "access": access, "corrects": corrects, "inspector_id": "bench-inspector"}
        by_address.setdefault(address["id"], []).append(record["id"])
        inspections.append({"id": record["id"], "version": 1, "data": json.dumps(record), "deleted": 0,
                            "created_at": STAMP, "updated_at": STAMP, "updated_by": "bench",
                            "address_id": address["id"], "inspector_id": "bench-inspector", "status": "submitted",
                            "assignment_id": None, "started_at": record["started_at"]})
        evaluations.append({"inspection_id": record["id"], "inspection_version": 1, "norm_set_id": "aalsmeer",
                            "norm_set_version": 2,
                            "residents": max(1, living[address["id"]] + rng.choice((-1, 0, 0, 0, 1))),
                            "findings": findings if access == "granted" else "[]",
                            "not_assessed": not_assessed, "computed_at": STAMP})
    insert(db, "inspections", inspections)
    insert(db, "evaluations", evaluations)
    cases = []
    for i in range(2000):
        address = addresses[rng.randrange(n_addresses)]
        closed = i % 3 == 0
        data = {"id": str(uuid.uuid4()), "number": f"HH-{case_year}-{i + 1:04d}", "address_id": address["id"],
                "inspection_id": by_address[address["id"]][0], "melding": None,
                "status": "afgesloten" if closed else "open",
                "result": rng.choice(["handhaving_uitgevoerd", "toezicht_uitgevoerd"]) if closed else None,
                "lasten": [{"code": "ROOKMELDER", "tracks": ["lod"], "states": {"lod": "open"},
                            "term": {"end": "2026-11-20"}}],
                "tracks": {"lod": {"state": "besluit" if i % 2 else "voornemen", "zienswijze_end": "2026-11-10"}},
                "signalen": [], "violations": [], "overtreders": [], "opened_on": "2026-10-01"}
        cases.append({"id": data["id"], "version": 1, "data": json.dumps(data), "deleted": 0, "created_at": STAMP,
                      "updated_at": STAMP, "updated_by": "bench", "address_id": address["id"],
                      "status": data["status"], "number": data["number"]})
    insert(db, "cases", cases)
    db.commit()
    return {"addresses": n_addresses, "inspections": n_inspections, "corrections": corrections, "cases": len(cases)}


def timed(function: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=20_000)
    parser.add_argument("--inspections", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(49)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATA": str(Path(folder) / "data")})
        path = database_path(app)
        raw = connect(path).conn
        start = time.perf_counter()
        counts = fill(raw, args.addresses, args.inspections, rng)
        raw.close()
        print(f"Filled {counts} in {time.perf_counter() - start:.1f} s")
        db = connect(path)
        config = app.config

        def baseline() -> Any:
            return db.execute("SELECT count(*), max(json_extract(data, '$.access')) FROM inspections").fetchone()

        listed = gather(db, config, NOW)

        def signals_list() -> Any:
            data = gather(db, config, NOW)
            return data, {kind: len(render(data, kind)) for kind in ("csv", "xlsx", "pdf")}

        results = {}
        for name, function in [
                ("baseline: one json_extract pass over inspections", baseline),
                ("figures()", lambda: figures(db, WEEK, NOW.date(), config)),
                ("report weekly (figures, 12 weeks, PDF)", lambda: make(db, config, WEEK, NOW)),
                ("signals: rows only", lambda: gather(db, config, NOW)),
                ("signals: CSV of those rows", lambda: render(listed, "csv")),
                ("signals: XLSX of those rows", lambda: render(listed, "xlsx")),
                ("signals: PDF of those rows", lambda: render(listed, "pdf")),
                ("signals: rows + CSV + XLSX + PDF", signals_list)]:
            times, result = timed(function, args.runs)
            results[name] = (times, result)
        base = min(results["baseline: one json_extract pass over inspections"][0])
        for name, (times, _) in results.items():
            print(f"{name:<52} best {min(times):6.3f} s  median {statistics.median(times):6.3f} s  "
                  f"({min(times) / base:5.1f} x baseline)")
        found = results["figures()"][1]
        print(f"figures: residents {found['residents']['counted']}, gap {found['brp']['gap']}, inspections week "
              f"{found['inspections']['week']} / year {found['inspections']['year']}, "
              f"terms expired {found['cases']['terms_expired']}")
        _, pdf = results["report weekly (figures, 12 weeks, PDF)"][1]
        data, sizes = results["signals: rows + CSV + XLSX + PDF"][1]
        gaps = sum(1 for row in data["rows"] if row["registered"] is not None)
        print(f"weekly PDF {len(pdf) // 1024} KB; signals {len(data['rows'])} rows ({gaps} with a gap), "
              f"bytes {sizes}")


if __name__ == "__main__":
    main()
