"""The `woontoezicht-veld` command on the tablet."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from field_client.errors import ClientError, InvalidInput, Unreachable
from field_client.inspections import record_file
from field_client.sync_engine import SyncEngine
from field_client.tablet_store import TabletStore
from schemas.errors import flatten_messages

DATA_ENV = "WOONTOEZICHT_VELD_DATA"


def data_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --data DIR (default WOONTOEZICHT_VELD_DATA or ./veld)."""
    return click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path),
                        default=lambda: os.environ.get(DATA_ENV) or "./veld", show_default="./veld of " + DATA_ENV,
                        help="Map met de gegevens van deze tablet.")(command)


def fail(message: str, code: int = 1) -> None:
    """Print one Dutch line on standard error and exit."""
    click.echo(message, err=True)
    sys.exit(code)


@contextlib.contextmanager
def opened(data: Path) -> Iterator[TabletStore]:
    """Open the tablet store, closing it afterwards."""
    try:
        store = TabletStore(data)
    except OSError as err:
        fail(f"Kan de datamap {data} niet gebruiken: {err.strerror or err}")
    try:
        yield store
    finally:
        store.close()


@click.group()
@click.version_option(package_name="woontoezicht")
def main() -> None:
    """Woontoezicht op de tablet: offline inspecteren en synchroniseren."""


@main.command("enroll")
@click.argument("url")
@click.argument("code")
@click.option("--label", default=lambda: socket.gethostname(), show_default="de computernaam",
              help="Naam van deze tablet in 'woontoezicht device list'.")
@click.option("--keep-outbox", is_flag=True,
              help="Bewaar de wachtende wijzigingen en nummer ze opnieuw vanaf 1 (een tablet die is ingetrokken met "
                   "--keep-data, of een gekloonde of teruggezette tablet).")
@data_option
def enroll_command(url: str, code: str, label: str, data: Path, keep_outbox: bool) -> None:
    """Koppel deze tablet met een eenmalige koppelcode."""
    with opened(data) as store:
        if store.enrolled and not store.get_state("revoked"):
            fail("Deze tablet is al gekoppeld.", 2)
        if store.outbox_size() and not keep_outbox:
            fail(f"Op deze tablet wachten nog {_changes(store.outbox_size())}; koppel opnieuw met --keep-outbox om ze "
                 "te bewaren en te verzenden.", 2)
        engine = SyncEngine(store, attempts=2)
        try:
            user = engine.enroll(url, code, label, keep_outbox=keep_outbox)
        except ClientError as err:
            fail(str(err), 2 if not isinstance(err, Unreachable) else 1)
        finally:
            engine.close()
        click.echo(f"Gekoppeld als {user['name']} ({user['role']}). Synchroniseer met 'woontoezicht-veld sync'.")


@main.command("sync")
@click.option("--json", "as_json", is_flag=True, help="Schrijf het resultaat als JSON.")
@data_option
def sync_command(as_json: bool, data: Path) -> None:
    """Voer één synchronisatie uit; exit 0 alleen als die helemaal lukte."""
    with opened(data) as store:
        show = sys.stderr.isatty() and not as_json

        def progress(stage: str, done: int, total: int) -> None:
            if show:
                click.echo(f"\r{stage}: {done}/{total}   ", nl=False, err=True)

        engine = SyncEngine(store, progress=progress)
        try:
            report = engine.cycle()
        except ClientError as err:
            _answer(as_json, {"ok": False, "message": str(err), "outbox": store.outbox_size()})
            sys.exit(1)
        finally:
            engine.close()
            if show:
                click.echo("", err=True)
        _answer(as_json, {"ok": True, "message": report.summary(), "pushed": report.pushed,
                          "applied": report.applied, "rejected": report.rejected, "conflicts": report.conflicts,
                          "pulled": report.pulled, "photos": report.photos, "outbox": store.outbox_size()})


def _answer(as_json: bool, body: dict[str, Any]) -> None:
    if as_json:
        click.echo(json.dumps(body, ensure_ascii=False))
    else:
        click.echo(body["message"], err=not body["ok"])


def status_of(store: TabletStore) -> dict[str, Any]:
    """Return the tablet's state: enrolment, outbox, last sync, records in scope, problems."""
    return {"enrolled": store.enrolled, "user": store.get_state("user"), "server": store.get_state("server_url"),
            "outbox": store.outbox_size(), "last_sync": store.get_state("last_sync"),
            "last_attempt": store.get_state("last_attempt"), "last_sync_ok": store.get_state("last_sync_ok"),
            "last_result": store.get_state("last_result"), "records": store.counts(),
            "rejected": len(store.outcomes(("rejected",))), "conflicts": len(store.outcomes(("conflict",)))}


@main.command("status")
@click.option("--json", "as_json", is_flag=True, help="Schrijf de status als JSON.")
@data_option
def status_command(as_json: bool, data: Path) -> None:
    """Toon outbox, laatste synchronisatie en aantallen."""
    with opened(data) as store:
        status = status_of(store)
    if as_json:
        click.echo(json.dumps(status, ensure_ascii=False))
        return
    if not status["enrolled"]:
        click.echo("Niet gekoppeld. Gebruik 'woontoezicht-veld enroll URL CODE'.")
        return
    click.echo(f"Gekoppeld als {status['user']['name']} met {status['server']}")
    click.echo(f"Outbox: {status['outbox']} wijziging(en) te verzenden")
    failed = "" if status["last_sync_ok"] in (None, True) else f" (laatste poging mislukt: {status['last_result']})"
    click.echo(f"Laatste synchronisatie: {status['last_sync'] or 'nog nooit'}{failed}")
    click.echo("Op de tablet: " + (", ".join(f"{n} {e}" for e, n in sorted(status["records"].items())) or "niets"))
    click.echo(f"Geweigerd: {status['rejected']}, conflicten: {status['conflicts']}")


@main.command("record")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@data_option
def record_command(file: Path, data: Path) -> None:
    """Leg een inspectie (JSON) vast en zet haar klaar voor verzending; drukt het id af.

    FILE is een inspectie, of {"address": {...}, "inspection": {...}, "photo_files": {"<sha256>": "foto.jpg"}}
    met een ter plekke gevonden adres en foto's (paden ten opzichte van FILE).
    """
    with opened(data) as store:
        if not store.enrolled:
            fail("Deze tablet is nog niet gekoppeld: gebruik eerst 'woontoezicht-veld enroll'.", 2)
        try:
            inspection_id = record_file(store, file)
        except InvalidInput as err:
            lines = [f"{file}: {line}" for line in flatten_messages(err.errors)] if err.errors else [str(err)]
            for line in lines:
                click.echo(line, err=True)
            sys.exit(2)
    click.echo(inspection_id)


@main.command("serve")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535), help="Poort op 127.0.0.1.")
@click.option("--sync-every", default=60, show_default=True, type=click.IntRange(0, 86400),
              help="Synchroniseer elke zoveel seconden als de server bereikbaar is (0: alleen met de knop).")
@data_option
def serve_command(port: int, sync_every: int, data: Path) -> None:
    """Start de tablet-app op http://127.0.0.1:PORT/."""
    import waitress

    from field_client.web import create_app
    app = create_app(data, sync_every=sync_every)
    click.echo(f"Woontoezicht veld draait op http://127.0.0.1:{port}/ (stoppen: Ctrl+C)", err=True)
    try:
        waitress.serve(app, host="127.0.0.1", port=port, threads=4, ident="woontoezicht-veld", _quiet=True)
    except OSError as err:
        fail(f"Kan niet luisteren op poort {port}: {err.strerror or err}")


def _changes(n: int) -> str:
    return f"{n} {'wijziging' if n == 1 else 'wijzigingen'}"
