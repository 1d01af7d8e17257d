"""Office pages benchmark: every page of server/web over real HTTP on a database of 100,000 submitted
inspections at 20,000 addresses, against a bare Flask page served the same way in the same run.

The database is the demo's (users, assignments, cases, letters) plus bench/figures_bench.py's fill
(addresses, inspections with their evaluations and corrections, 2,000 cases). Each page is asked for by a
signed-in user whose role may see it (teamleider, else beheerder, else handhaver), over one keep-alive
connection to waitress in a thread; pages that take an id get one from the database. Prints the median and
the 95th percentile per page and their ratio to the bare page. The target (issue 14): under 100 ms at p95.

    python bench/pages_bench.py [--addresses N] [--inspections N] [--requests N]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
import waitress.server
from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.figures_bench import fill  # noqa: E402
from server.app import create_app  # noqa: E402
from server.db import connect, database_path, get_db  # noqa: E402
from server.demo import prepare_demo  # noqa: E402

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# Where a page's URL takes an id: the query that finds one (the newest, so demo records come first).
IDS = {
    "address_id": "SELECT address_id FROM cases WHERE deleted = 0 ORDER BY created_at DESC LIMIT 1",
    "case_id": "SELECT case_id FROM documents WHERE case_id IS NOT NULL ORDER BY created_at DESC LIMIT 1",
    "document_id": "SELECT id FROM documents WHERE case_id IS NOT NULL ORDER BY created_at DESC LIMIT 1",
    "inspection_id": "SELECT id FROM inspections WHERE deleted = 0 ORDER BY created_at DESC LIMIT 1",
    "assignment_id": "SELECT id FROM assignments WHERE deleted = 0 ORDER BY created_at DESC LIMIT 1",
    "user_id": "SELECT id FROM users ORDER BY created_at LIMIT 1",
    "device_id": "SELECT id FROM devices ORDER BY created_at DESC LIMIT 1",
    "name": "SELECT 'import-bag'",
    "kind": "SELECT 'waarschuwing'",
    "action": "SELECT 'zienswijze_ontvangen'",
}


def serve(app: Flask) -> tuple[str, Any]:
    """Serve an app with waitress in a thread; return (url, server)."""
    server = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}", server


def sign_in(url: str, name: str, password: str) -> requests.Session:
    """Return a session signed in through the form."""
    http = requests.Session()
    token = CSRF.search(http.get(f"{url}/login", timeout=30).text)
    assert token is not None
    answer = http.post(f"{url}/login", data={"username": name, "password": password, "csrf_token": token.group(1)},
                       allow_redirects=False, timeout=30)
    if answer.status_code != 302:
        raise SystemExit(f"aanmelden als {name} mislukt: {answer.status_code}")
    return http


# Filtered lists a user asks for, timed beside each page as it first opens.
FILTERED = ["/planning?brp=1", "/planning?nooit=1", "/planning?zaak=1", "/planning?type=lint&geverifieerd=nee",
            "/planning?brp=1&pagina=40", "/adressen?q=1431", "/adressen?q=Voorbeeldstraat+3", "/zaken?status=open",
            "/logboek?handeling=read"]


def pages(app: Flask, db: Any) -> list[str]:
    """Return the URL of every GET page of the office (ids filled in from the database) and FILTERED."""
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("web.") or "GET" not in (rule.methods or ()) or rule.endpoint == "web.static":
            continue
        values = {}
        for argument in rule.arguments:
            found = db.execute(IDS[argument]).fetchone() if argument in IDS else None
            if found is None:
                break
            values[argument] = found[0]
        else:
            with app.test_request_context():
                from flask import url_for
                urls.append(url_for(rule.endpoint, **values))
    return urls + FILTERED


def timed(http: requests.Session, url: str, n: int) -> tuple[list[float], int, int]:
    """Ask for a URL n times (after one warm-up); return the times, the status and the size."""
    first = http.get(url, timeout=60, allow_redirects=False)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        http.get(url, timeout=60, allow_redirects=False)
        times.append(time.perf_counter() - start)
    return times, first.status_code, len(first.content)


def first_allowed(sessions: dict[str, requests.Session], url: str, n: int) -> tuple[str, list[float], int, int]:
    """Time a page for the first user whose role may see it (the sign-in page: for no one signed in)."""
    if url.endswith("/login"):
        return ("-", *timed(requests.Session(), url, n))
    found: tuple[str, list[float], int, int] = ("-", [], 0, 0)
    for name, http in sessions.items():
        found = (name, *timed(http, url, n))
        if found[2] != 403:
            break
    return found


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=20_000)
    parser.add_argument("--inspections", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATA": str(Path(folder) / "data")})
        with app.app_context():
            run = prepare_demo(get_db(), app.config)
        raw = connect(database_path(app)).conn
        start = time.perf_counter()
        counts = fill(raw, args.addresses, args.inspections, random.Random(14),
                      case_year=2019)  # not the demo cases' numbers
        raw.execute("ANALYZE")
        raw.close()
        print(f"Gevuld: {counts} (plus de demo) in {time.perf_counter() - start:.1f} s")

        bare = Flask("kaal")
        bare.add_url_rule("/", "kaal", lambda: "<!doctype html><title>kaal</title><p>kaal</p>")
        bare_url, bare_server = serve(bare)
        url, server = serve(app)
        sessions = {name: sign_in(url, name, run.logins[name]) for name in ("teamleider", "beheerder", "handhaver1")}
        base_times, _, _ = timed(requests.Session(), bare_url + "/", args.requests)
        base95 = p95(base_times)
        print(f"{'kale Flask-pagina (basislijn)':<56} mediaan {statistics.median(base_times) * 1000:7.1f} ms  "
              f"p95 {base95 * 1000:7.1f} ms")
        db = connect(database_path(app))
        worst = 0.0
        for path in pages(app, db):
            name, times, status, size = first_allowed(sessions, url + path, args.requests)
            worst = max(worst, p95(times))
            print(f"{path[:48]:<48} {name[:7]:<7} mediaan {statistics.median(times) * 1000:7.1f} ms  p95 "
                  f"{p95(times) * 1000:7.1f} ms  ({p95(times) / base95:5.1f} x)  {status} {size // 1024} KB")
        print(f"traagste pagina p95: {worst * 1000:.1f} ms (doel: onder 100 ms)")
        server.close()
        bare_server.close()


if __name__ == "__main__":
    main()
