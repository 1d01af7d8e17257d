"""Benchmark of `import bag`: 15,000 rows (Aalsmeer) and 500,000 (Amsterdam's size).

For each size, in a temporary folder: an NLExtract adres-full CSV is generated; reading it with
Python's csv module is the baseline; then the import into an empty database (every row new) and a
re-import of the same file (nothing changes) are timed, each in a child process of its own so its
peak memory (maxrss) is its own. Meanwhile another process writes to the database every 20 ms, as
a tablet's push would, and the longest it waited for the write lock is reported beside how long the
import held it. Targets (issue 15): 15,000 rows under 3 s, 500,000 under 60 s, memory that does not
grow with the file. Prints the figures; asserts nothing.

    .venv/bin/python bench/import_bench.py [--sizes 15000,500000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.demo_inbox import NLEXTRACT_HEADER, wgs84  # noqa: E402

LETTERS = [a + b for a in "ABCDEFGHJKLMNPRTVWXZ" for b in "ABCDEFGHJKLMNPRTVWXZ"]


def generate(path: Path, n: int) -> None:
    """Write an NLExtract adres-full CSV of n synthetic Aalsmeer addresses (every id a valid BAG id)."""
    rng = random.Random(n)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        writer.writerow(NLEXTRACT_HEADER)
        for i in range(n):
            x, y = round(rng.uniform(109500, 115500), 3), round(rng.uniform(471500, 477000), 3)
            lon, lat = wgs84(x, y)
            postcode = f"{1000 + (i // 400) % 9000}{LETTERS[(i // 20) % len(LETTERS)]}"
            kind = "VBO" if i % 50 else ("LIG" if i % 100 else "STA")
            serial = f"{i:010d}"
            object_id = f"0358{ {'VBO': '01', 'LIG': '02', 'STA': '03'}[kind] }{serial}".replace(" ", "")
            writer.writerow([f"Voorbeeldstraat {i // 400}", str(i % 20 + 1), rng.choice(["", "", "", "A", "B"]),
                             rng.choice(["", "", "", "", "1", "2"]), postcode, "Aalsmeer", "Aalsmeer", "Noord-Holland",
                             f"0358200{serial[1:]}", "woonfunctie" if kind == "VBO" else "",
                             str(rng.randint(30, 400)) if kind == "VBO" else "", "Verblijfsobject in gebruik",
                             object_id, kind, "t" if i % 97 == 0 else "f",
                             f"0358100{serial[1:]}" if kind == "VBO" else "", "Pand in gebruik",
                             str(rng.randint(1900, 2023)) if kind == "VBO" else "", str(x), str(y), str(lon), str(lat)])


def child(mode: str, csv_path: Path, data: Path) -> None:
    """Run one measurement in this process and print it as JSON (maxrss of this process only)."""
    started = time.perf_counter()
    out: dict[str, float] = {}
    if mode == "baseline":
        with csv_path.open(encoding="utf-8", newline="") as stream:
            rows = sum(1 for _ in csv.reader(stream, delimiter=";"))
        out["rows"] = rows
    else:
        from server.app import create_app
        from server.bag_import import import_bag
        from server.db import get_db
        from server.jobs import TIMEZONE

        app = create_app({"DATA": str(data)})
        with app.app_context():
            result = import_bag(get_db(), csv_path, setting="Aalsmeer=0358", moment=dt.datetime.now(TIMEZONE),
                                actor="bench", full=True, work=data / "tmp")
        out.update(new=result.new, changed=result.changed, unchanged=result.unchanged, lock=result.lock_seconds)
    out["seconds"] = time.perf_counter() - started
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def writer(database: Path, stop: Path) -> None:
    """Write to the database every 20 ms until `stop` exists, as a tablet's push; print the longest wait."""
    conn = sqlite3.connect(database, timeout=10, isolation_level=None)
    longest = 0.0
    writes = 0
    while not stop.exists():
        began = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO scope_sweeps (user_id, cutoff) VALUES ('bench', ?) ON CONFLICT(user_id) DO UPDATE "
                     "SET cutoff = excluded.cutoff", [str(began)])
        conn.execute("COMMIT")
        longest = max(longest, time.perf_counter() - began)
        writes += 1
        time.sleep(0.02)
    print(json.dumps({"longest_wait": longest, "writes": writes}))


def measure(mode: str, csv_path: Path, data: Path, with_writer: bool) -> dict[str, float]:
    """Run a measurement in a child process, with a concurrent writer when asked."""
    me = [sys.executable, __file__]
    other = None
    stop = data / "stop-writer"
    stop.unlink(missing_ok=True)
    if with_writer:
        other = subprocess.Popen([*me, "--writer", str(data / "woontoezicht.db"), str(stop)],
                                 stdout=subprocess.PIPE, text=True)
    done = subprocess.run([*me, "--child", mode, str(csv_path), str(data)], capture_output=True, text=True,
                          check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if other is not None:
        stop.touch()
        waited, _ = other.communicate(timeout=30)
        result.update(json.loads(waited.strip().splitlines()[-1]))
    return result


def main() -> None:
    """Run the benchmark for each size and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="15000,500000")
    parser.add_argument("--child", nargs=3)
    parser.add_argument("--writer", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    if args.writer:
        writer(Path(args.writer[0]), Path(args.writer[1]))
        return
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
            folder = Path(tmp)
            csv_path = folder / "bagadres-full.csv"
            generate(csv_path, n)
            data = folder / "data"
            subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[2]); "
                            "from server.app import create_app; create_app({'DATA': sys.argv[1]})", str(data),
                            str(ROOT)], check=True)
            baseline = measure("baseline", csv_path, data, False)
            first = measure("import", csv_path, data, True)
            again = measure("import", csv_path, data, True)
            size_mb = csv_path.stat().st_size / 1e6
            print(f"\n{n:,} rows ({size_mb:.0f} MB):".replace(",", "."))
            print(f"  baseline csv module read   {baseline['seconds']:7.2f} s   maxrss {baseline['maxrss_mb']:6.0f} MB")
            for name, run in (("first import (all new)", first), ("re-import (no change)", again)):
                print(f"  {name:<26} {run['seconds']:7.2f} s   maxrss {run['maxrss_mb']:6.0f} MB   "
                      f"lock held {run['lock']:.2f} s   tablet write waited at most {run['longest_wait']:.2f} s "
                      f"({run['writes']:.0f} writes)   new {run['new']:.0f} changed {run['changed']:.0f} "
                      f"unchanged {run['unchanged']:.0f}")
            print(f"  first import / baseline: {first['seconds'] / baseline['seconds']:.1f}x")


if __name__ == "__main__":
    main()
