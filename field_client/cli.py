"""The `woontoezicht-veld` command on the tablet."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import sqlite3
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, NoReturn
from urllib.parse import urlsplit

import click

from field_client.errors import ClientError, InvalidInput, Unreachable
from field_client.inspections import record_file
from field_client.sync_engine import SyncEngine
from field_client.tablet_store import TabletStore
from schemas.cli_locale import DutchGroup, counted
from schemas.errors import flatten_messages

DATA_ENV = "WOONTOEZICHT_VELD_DATA"
# Where the root group keeps a --data given before the subcommand (ctx.meta is shared by
# every context of one run).
DATA_KEY = "woontoezicht-veld.data"
DATA_TYPE = click.Path(file_okay=False, path_type=Path)
DATA_HELP = f"Map met de gegevens van deze tablet (standaard {DATA_ENV} of ./veld)."
# What the tablet holds, counted in Dutch: entity -> (one, many).
ENTITY_WORDS = {"address": ("adres", "adressen"), "assignment": ("opdracht", "opdrachten"),
                "inspection": ("inspectie", "inspecties"), "norm_set": ("normenset", "normensets"),
                "case": ("zaak", "zaken"),
                "register": ("adres in het adressenregister", "adressen in het adressenregister")}


def _chosen_data(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """Return the --data after the subcommand, else the one before it, else the setting: absolute."""
    if value is None:
        value = ctx.meta.get(DATA_KEY)
    if value is None:
        value = Path(os.environ.get(DATA_ENV) or "./veld")
    # Absolute once, here: Flask's send_file resolves a relative path against the package.
    return value.resolve()


def _remember_data(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.meta[DATA_KEY] = value


def data_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --data DIR to a command; a --data before the subcommand counts too, this one wins."""
    return click.option("--data", "data", type=DATA_TYPE, default=None, metavar="MAP", callback=_chosen_data,
                        help=DATA_HELP)(command)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one Dutch line on standard error and exit (1: it failed, 2: bad input)."""
    click.echo(message, err=True)
    sys.exit(code)


@contextlib.contextmanager
def opened(data: Path) -> Iterator[TabletStore]:
    """Open the tablet store, closing it afterwards; a folder or database that cannot be used gets one line."""
    try:
        store = TabletStore(data)
    except sqlite3.DatabaseError as err:
        fail(f"De database {data / 'veld.db'} is beschadigd of geen SQLite-bestand ({err}).")
    except OSError as err:
        fail(f"Kan de datamap {data} niet gebruiken: {err.strerror or err}")
    try:
        yield store
    finally:
        store.close()


@click.group(cls=DutchGroup)
@click.version_option(package_name="woontoezicht", message="%(prog)s, versie %(version)s",
                      help="Toon de versie en stop.")
@click.option("--data", type=DATA_TYPE, default=None, metavar="MAP", expose_value=False, callback=_remember_data,
              help=DATA_HELP + " Mag voor of na de opdracht staan.")
def main() -> None:
    """Woontoezicht op de tablet: offline inspecteren en synchroniseren.

    Uitkomst: 0 gelukt, 1 mislukt (zoals een onbereikbare server of een bezette poort),
    2 ongeldige invoer (een fout bestand, een ongeldige koppelcode, een verkeerde optie).
    """


def server_url(url: str) -> str:
    """Return the server address as typed when it is an http(s) URL; else one Dutch line and exit 2."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        fail(f"Geen geldig serveradres: {url!r} (begin met http:// of https://).", 2)
    return url


@main.command("enroll")
@click.argument("url", metavar="URL")
@click.argument("code", metavar="CODE")
@click.option("--label", default=lambda: socket.gethostname(), show_default="de computernaam", metavar="NAAM",
              help="Naam van deze tablet in 'woontoezicht device list'.")
@click.option("--keep-outbox", is_flag=True,
              help="Bewaar de wachtende wijzigingen en nummer ze opnieuw vanaf 1 (een tablet die is ingetrokken met "
                   "--keep-data, of een gekloonde of teruggezette tablet).")
@data_option
def enroll_command(url: str, code: str, label: str, data: Path, keep_outbox: bool) -> None:
    """Koppel deze tablet aan de server op URL met een eenmalige koppelcode (woontoezicht device code)."""
    url = server_url(url)
    with opened(data) as store:
        if store.enrolled and not store.get_state("revoked"):
            fail("Deze tablet is al gekoppeld.", 2)
        if store.outbox_size() and not keep_outbox:
            waiting = counted(store.outbox_size(), "wijziging", "wijzigingen")
            fail(f"Op deze tablet wachten nog {waiting}; koppel opnieuw met --keep-outbox om ze te bewaren en te "
                 "verzenden.", 2)
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
    for line in status_lines(status):
        click.echo(line)


def status_lines(status: dict[str, Any]) -> list[str]:
    """Return the tablet's status (as status_of gives it) in Dutch lines."""
    if not status["enrolled"]:
        return ["Niet gekoppeld. Gebruik 'woontoezicht-veld enroll URL CODE'."]
    failed = "" if status["last_sync_ok"] in (None, True) else f" (laatste poging mislukt: {status['last_result']})"
    records = status["records"]
    held = [counted(records[entity], one, many) for entity, (one, many) in ENTITY_WORDS.items() if entity in records]
    held += [f"{n} {entity}" for entity, n in sorted(records.items()) if entity not in ENTITY_WORDS]
    return [f"Gekoppeld als {status['user']['name']} met {status['server']}",
            f"Outbox: {counted(status['outbox'], 'wijziging', 'wijzigingen')} te verzenden",
            f"Laatste synchronisatie: {status['last_sync'] or 'nog nooit'}{failed}",
            "Op de tablet: " + (", ".join(held) or "niets"),
            f"Geweigerd: {counted(status['rejected'], 'wijziging', 'wijzigingen')}, "
            f"{counted(status['conflicts'], 'conflict', 'conflicten')}"]


@main.command("record")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), metavar="BESTAND")
@data_option
def record_command(file: Path, data: Path) -> None:
    """Leg een inspectie (JSON) vast en zet haar klaar voor verzending; drukt het id af.

    BESTAND is een inspectie, of {"address": {...}, "inspection": {...}, "photo_files": {"<sha256>": "foto.jpg"}}
    met een ter plekke gevonden adres en foto's (paden ten opzichte van BESTAND).
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
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535), metavar="POORT",
              help="Poort op 127.0.0.1.")
@click.option("--sync-every", default=60, show_default=True, type=click.IntRange(0, 86400), metavar="SECONDEN",
              help="Synchroniseer elke zoveel seconden als de server bereikbaar is (0: alleen met de knop).")
@data_option
def serve_command(port: int, sync_every: int, data: Path) -> None:
    """Start de tablet-app op http://127.0.0.1:POORT/."""
    import waitress

    from field_client.web import create_app
    sock = listen(port)  # before the app opens anything: a port in use changes nothing
    app = create_app(data, sync_every=sync_every)
    click.echo(f"Woontoezicht veld draait op http://127.0.0.1:{port}/ (stoppen: Ctrl+C)", err=True)
    try:
        waitress.serve(app, sockets=[sock], threads=4, ident="woontoezicht-veld", _quiet=True)
    finally:
        sock.close()


def listen(port: int) -> socket.socket:
    """Open the listening socket on 127.0.0.1; one Dutch line and exit 1 when the port cannot be had."""
    try:
        return socket.create_server(("127.0.0.1", port))
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            fail(f"Poort {port} op 127.0.0.1 is al in gebruik: stop het andere programma of kies een andere poort "
                 "met --port.")
        fail(f"Kan niet luisteren op poort {port}: {err.strerror or err}")
