"""Sync benchmark: a real server process on loopback, real tablet stores, durable SQLite on disk.

Prints push inspections/s, pull records/s (with and without 200,000 out-of-scope
inspections), bytes per record on the wire, p50/p95 request latency, and the success
rate of 20 devices pushing at once, each with the ratio to a raw SQLite insert of the
same JSON (WAL, synchronous=FULL, one push batch per transaction) measured in the same run.
Push runs three times on fresh servers, each followed by a second push into the now
filled server; pull runs three times (fresh tablets, same server), and once more push
goes into the server holding the 200,000 out-of-scope inspections. The median run is shown
with all three rates, because this machine is shared and single runs vary by 30%.

    python bench/sync_bench.py [--quick] [--batch N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from field_client.sync_engine import SyncEngine
from field_client.tablet_store import TabletStore
from server import store as server_store
from server.db import connect
from server.migrations import migrate

BIN = Path(sys.executable).parent
ROOM_KINDS = ["bedroom", "bedroom", "bedroom", "living", "kitchen", "bathroom", "toilet", "other"]


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A `woontoezicht serve` process."""

    def __init__(self, data: Path) -> None:
        self.data, self.port = data, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run([str(BIN / "woontoezicht"), *args, "--data", str(self.data)], input=stdin,
                              capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def start(self) -> None:
        self.proc = subprocess.Popen([str(BIN / "woontoezicht"), "serve", "--port", str(self.port), "--data",
                                      str(self.data)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):
            try:
                requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def address(rng: random.Random) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "bag_id": f"0358200000{rng.randint(0, 999999):06d}",
            "postcode": f"143{rng.randint(1, 3)}{rng.choice('ABCEGHJK')}{rng.choice('LMNPRTVWXZ')}",
            "huisnummer": rng.randint(1, 400), "huisletter": None, "toevoeging": None,
            "straat": rng.choice(["Zijdstraat", "Uiterweg", "Ophelialaan", "Oosteinderweg"]),
            "woonplaats": "Aalsmeer", "gemeentecode": "0358", "location_type": "woonkern", "verified": False,
            "floor_area_m2": rng.randint(60, 200), "brp_registered": rng.randint(0, 6), "notes": None}


def inspection(rng: random.Random, address_id: str, inspector_id: str | None = None) -> dict[str, Any]:
    """Return a realistic submitted inspection of about 2 KB with 3-8 rooms."""
    rooms = []
    for i in range(rng.randint(3, 8)):
        kind = ROOM_KINDS[i] if i < len(ROOM_KINDS) else "bedroom"
        rooms.append({"id": f"r{i + 1}", "name": f"Kamer {i + 1}", "kind": kind, "storey": rng.randint(0, 2),
                      "area_m2": round(rng.uniform(5, 25), 1), "beds": rng.randint(0, 3),
                      "occupants": rng.randint(0, 3)})
    data = {"id": str(uuid.uuid4()), "address_id": address_id, "assignment_id": None, "kind": "controle",
            "started_at": "2026-11-17T09:30:00+01:00", "finished_at": "2026-11-17T10:30:00+01:00",
            "status": "submitted", "access": "granted",
            "dwelling": {"floor_area_m2": rng.randint(60, 200), "storeys": 3, "lodging": False}, "rooms": rooms,
            "occupants": {"present": rng.randint(1, 12), "reported": rng.randint(1, 12),
                          "languages": {"pl": rng.randint(1, 5), "ro": rng.randint(0, 3), "bg": rng.randint(0, 2)}},
            "facilities": {"toilets": rng.randint(1, 3), "showers": rng.randint(1, 3), "hobs": rng.randint(2, 8),
                           "washing_machine": True, "lockable_storage": rng.random() < 0.5},
            "fire_safety": {"storeys_with_smoke_detector": [0, 1], "fuel_appliance": True,
                            "co_detector": rng.random() < 0.5, "extinguisher_near_kitchen": rng.random() < 0.5,
                            "fire_blanket": True, "escape_route_clear": True, "electrical_overload": False},
            "tenancy": {"lease_start": "2024-03-01", "lease_separate_from_employment": rng.random() < 0.5,
                        "info_card_present": True},
            "manual_findings": [{"code": "VOCHT", "description": "Schimmel op de muur van de badkamer.",
                                 "room_id": None}],
            "notes": "Matrassen in de woonkamer; bewoners kregen de informatiefolder in het Pools.", "photos": [],
            "corrects": None}
    if inspector_id:
        data["inspector_id"] = inspector_id
    return data


def raw_sqlite_rate(folder: Path, documents: list[str], batch: int) -> float:
    """Return rows/s of a plain durable SQLite insert of the same JSON, a push batch per transaction."""
    folder.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(folder / "raw.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE docs (id TEXT PRIMARY KEY, data TEXT)")
    started = time.perf_counter()
    for i in range(0, len(documents), batch):
        db.execute("BEGIN")
        db.executemany("INSERT INTO docs VALUES (?, ?)", [(str(uuid.uuid4()), d) for d in documents[i:i + batch]])
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return len(documents) / elapsed


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0


def add_users(server: Server, handhavers: list[str]) -> str:
    """Add these handhavers and a teamleider "tl"; return the teamleider's API token."""
    for name, role in [*((h, "handhaver") for h in handhavers), ("tl", "teamleider")]:
        server.cli("user", "add", name, "--role", role, "--password-stdin", stdin="lang-genoeg-ww\n")
    return server.cli("token", "create", "tl")


def post_home(server: Server, token: str, rng: random.Random) -> dict[str, Any]:
    """Create the address every benchmark inspection is made at (nobody's assignment)."""
    home = address(rng)
    requests.post(server.url + "/api/v1/addresses", json=home, timeout=30,
                  headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    return home


def enrol(server: Server, user: str, folder: Path, batch: int = 500) -> tuple[TabletStore, SyncEngine]:
    tablet = TabletStore(folder)
    engine = SyncEngine(tablet, attempts=5, backoff=0.2, timeout=120, batch=batch)
    engine.enroll(server.url, server.cli("device", "code", user), folder.name)
    return tablet, engine


def bench_push(root: Path, count: int, rng: random.Random, batch: int = 500,
               runs: int = 3) -> tuple[dict[str, Any], dict[str, Any]]:
    """Push `count` inspections into a fresh server, then `count` more from a second tablet; `runs` times.

    Return the median first push (into an empty server) and the median second push (into a
    server that already holds `count` inspections: random ids touch more index pages as the
    database grows, so this is the steadier figure for a server in use).
    """
    first, second = [], []
    for run in range(runs):
        server = Server(root / f"push-server-{run}")
        token = add_users(server, ["hh"])
        server.start()
        try:
            home = post_home(server, token, rng)
            for already, results in ((0, first), (count, second)):
                results.append(_push_once(server, root / f"push-tablet-{run}-{already}", home, count, already,
                                          batch, rng))
        finally:
            server.stop()
    return median_run(first), median_run(second)


def _push_once(server: Server, folder: Path, home: dict[str, Any], count: int, already: int, batch: int,
               rng: random.Random) -> dict[str, Any]:
    tablet, engine = enrol(server, "hh", folder, batch)
    engine.cycle()
    documents = []
    for _ in range(count):
        record = inspection(rng, home["id"])
        tablet.queue("inspection", record)
        documents.append(json.dumps(record))
    engine.report.latencies.clear()
    engine.report.bytes_sent = engine.report.bytes_received = 0
    started = time.perf_counter()
    engine.push()
    elapsed = time.perf_counter() - started
    assert tablet.outbox_size() == 0
    stored = sqlite3.connect(server.data / "woontoezicht.db").execute("SELECT count(*) FROM inspections").fetchone()[0]
    assert stored == already + count, stored
    wire = engine.report.bytes_sent + engine.report.bytes_received
    result = {"inspections": count, "seconds": elapsed, "per_s": count / elapsed, "bytes_per_record": wire / count,
              "json_bytes": statistics.mean(len(d) for d in documents), "p50_ms": pct(engine.report.latencies, 0.5),
              "p95_ms": pct(engine.report.latencies, 0.95),
              "raw_per_s": raw_sqlite_rate(folder / "raw", documents, batch)}
    engine.close()
    tablet.close()
    return result


def median_run(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the run with the median rate, with every run's rate beside it (the machine is shared)."""
    ordered = sorted(results, key=lambda r: r["per_s"])
    return {**ordered[len(ordered) // 2], "all_per_s": [r["per_s"] for r in results]}


def seed_scope(data: Path, addresses: int, per_address: int, outside: int, rng: random.Random) -> None:
    """Fill a server database directly: a user's scope plus inspections outside it."""
    db = connect(data / "woontoezicht.db")
    migrate(db)
    user_id = next(iter(db.query("SELECT id FROM users WHERE name = 'hh'")))["id"]
    for _ in range(addresses):
        a = address(rng)
        server_store.put(db, "address", a, actor=None)
        server_store.put(db, "assignment", {"id": str(uuid.uuid4()), "address_id": a["id"], "inspector_id": user_id,
                                            "week": "2026-W48", "due": None, "kind": "controle", "status": "open",
                                            "instructions": None, "case_id": None}, actor=None)
        with db.atomic():
            for _ in range(per_address):
                server_store.put(db, "inspection", inspection(rng, a["id"], user_id), actor=None)
    _bulk_outside(db, outside, rng)
    db.close()


def _bulk_outside(db: Any, count: int, rng: random.Random) -> None:
    """Insert inspections at addresses nobody is assigned to, straight into the tables."""
    stamp = server_store.now()
    for start in range(0, count, 5000):
        rows, changes = [], []
        for _ in range(min(5000, count - start)):
            address_id = str(uuid.uuid4())
            record = inspection(rng, address_id)
            rid = record.pop("id")
            rows.append((rid, 1, json.dumps(record), 0, stamp, stamp, None, address_id, None, "submitted", None,
                         record["started_at"]))
            changes.append(("inspection", rid, address_id, None, "put"))
        with db.atomic():
            db.conn.executemany("INSERT INTO inspections (id, version, data, deleted, created_at, updated_at, "
                                "updated_by, address_id, inspector_id, status, assignment_id, started_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            db.conn.executemany("INSERT INTO changes (entity, record_id, address_id, owner_id, op) "
                                "VALUES (?, ?, ?, ?, ?)", changes)


def bench_pull(root: Path, name: str, addresses: int, per_address: int, outside: int,
               rng: random.Random, runs: int = 3, push: int = 0, batch: int = 500) -> dict[str, Any]:
    """Pull a user's scope into a fresh tablet, `runs` times on one seeded server; return the median run.

    With `push`, then push that many inspections into the same (full) server once, as "push".
    """
    server = Server(root / f"{name}-server")
    server.cli("user", "add", "hh", "--role", "handhaver", "--password-stdin", stdin="lang-genoeg-ww\n")
    seed_scope(server.data, addresses, per_address, outside, rng)
    server.start()
    try:
        results = []
        for run in range(runs):
            tablet, engine = enrol(server, "hh", root / f"{name}-tablet-{run}")
            started = time.perf_counter()
            engine.pull()
            elapsed = time.perf_counter() - started
            pulled = engine.report.pulled
            results.append({"records": pulled, "seconds": elapsed, "per_s": pulled / elapsed,
                            "bytes_per_record": (engine.report.bytes_received + engine.report.bytes_sent) / pulled,
                            "p50_ms": pct(engine.report.latencies, 0.5),
                            "p95_ms": pct(engine.report.latencies, 0.95)})
            engine.close()
            tablet.close()
        result = median_run(results)
        if push:
            db = sqlite3.connect(server.data / "woontoezicht.db")
            home_id, already = db.execute("SELECT (SELECT id FROM addresses LIMIT 1), "
                                          "(SELECT count(*) FROM inspections)").fetchone()
            db.close()
            result["push"] = _push_once(server, root / f"{name}-pusher", {"id": home_id}, push, already, batch, rng)
        return result
    finally:
        server.stop()


def bench_concurrent(root: Path, devices: int, seconds: float, rng: random.Random) -> dict[str, Any]:
    server = Server(root / "many-server")
    token = add_users(server, [f"hh{i}" for i in range(devices)])
    server.start()
    try:
        home = post_home(server, token, rng)
        tablets = [enrol(server, f"hh{i}", root / f"many-tablet-{i}") for i in range(devices)]
        stats = {"ok": 0, "failed": 0, "pushed": 0, "latencies": []}  # type: dict[str, Any]
        lock = threading.Lock()
        stop_at = time.perf_counter() + seconds

        def work(tablet: TabletStore, engine: SyncEngine, seed: int) -> None:
            local = random.Random(seed)
            while time.perf_counter() < stop_at:
                for _ in range(20):
                    tablet.queue("inspection", inspection(local, home["id"]))
                engine.report.latencies.clear()
                try:
                    engine.push()
                    with lock:
                        stats["ok"] += 1
                        stats["pushed"] += 20
                        stats["latencies"] += engine.report.latencies
                except Exception:  # counted as a failure
                    with lock:
                        stats["failed"] += 1

        threads = [threading.Thread(target=work, args=(t, e, i)) for i, (t, e) in enumerate(tablets)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        for tablet, engine in tablets:
            engine.close()
            tablet.close()
        total = stats["ok"] + stats["failed"]
        return {"devices": devices, "seconds": elapsed, "batches": total,
                "success_rate": stats["ok"] / total if total else 0.0, "per_s": stats["pushed"] / elapsed,
                "p50_ms": pct(stats["latencies"], 0.5), "p95_ms": pct(stats["latencies"], 0.95)}
    finally:
        server.stop()


def runs(result: dict[str, Any]) -> str:
    return ", ".join(f"{x:.0f}" for x in result["all_per_s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--batch", type=int, default=500, help="mutations per push request (the tablet's default)")
    args = parser.parse_args()
    rng = random.Random(358)
    push_n, pull_addresses, outside, devices, seconds = (10000, 2000, 200000, 20, 30.0)
    if args.quick:
        push_n, pull_addresses, outside, devices, seconds = (500, 100, 5000, 4, 3.0)
    with tempfile.TemporaryDirectory(prefix="woontoezicht-bench-") as tmp:
        root = Path(tmp)
        push, again = bench_push(root, push_n, rng, args.batch)
        print(f"push: {push['inspections']} inspections ({push['json_bytes']:.0f} B JSON each) in "
              f"{push['seconds']:.2f} s (batches of {args.batch}) = {push['per_s']:.0f} inspections/s; "
              f"{push['bytes_per_record']:.0f} B/record "
              f"on the wire; request p50 {push['p50_ms']:.0f} ms, p95 {push['p95_ms']:.0f} ms")
        print(f"  median of {len(push['all_per_s'])} runs: {runs(push)} inspections/s")
        print(f"  baseline raw SQLite insert of the same JSON: {push['raw_per_s']:.0f} rows/s; "
              f"push is {push['per_s'] / push['raw_per_s']:.3f}x of it")
        print(f"push into a server already holding {push_n} inspections: {again['per_s']:.0f} inspections/s "
              f"(median of {runs(again)}); request p50 {again['p50_ms']:.0f} ms, p95 {again['p95_ms']:.0f} ms; "
              f"{again['per_s'] / again['raw_per_s']:.3f}x the raw insert rate")
        alone = bench_pull(root, "pull", pull_addresses, 9, 0, rng)
        crowded = bench_pull(root, "pull-crowded", pull_addresses, 9, outside, rng, push=push_n,
                             batch=args.batch)
        for label, r in (("pull", alone), (f"pull with {outside} out-of-scope inspections", crowded)):
            print(f"{label}: {r['records']} records in {r['seconds']:.2f} s = {r['per_s']:.0f} records/s; "
                  f"{r['bytes_per_record']:.0f} B/record on the wire; page p50 {r['p50_ms']:.0f} ms, "
                  f"p95 {r['p95_ms']:.0f} ms; {r['per_s'] / push['raw_per_s']:.2f}x the raw insert rate")
            print(f"  median of {len(r['all_per_s'])} runs: {runs(r)} records/s")
        print(f"  out-of-scope data costs {crowded['seconds'] / alone['seconds']:.2f}x the pull time")
        full = crowded["push"]
        print(f"push into that server ({outside + crowded['records']} records, one run): "
              f"{full['per_s']:.0f} inspections/s; {full['per_s'] / full['raw_per_s']:.3f}x the raw insert rate")
        many = bench_concurrent(root, devices, seconds, rng)
        print(f"{many['devices']} devices pushing for {many['seconds']:.0f} s: {many['batches']} batches of 20, "
              f"success {many['success_rate'] * 100:.1f}%, {many['per_s']:.0f} inspections/s, "
              f"p50 {many['p50_ms']:.0f} ms, p95 {many['p95_ms']:.0f} ms")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
