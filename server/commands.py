"""Server commands: init, serve, demo, user, token and device."""

from __future__ import annotations

import errno
import functools
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn

import click
from flask import Flask
from sqlite_utils import Database

from schemas import ContractError
from server.auth import (
    ROLES,
    AuthError,
    add_user,
    create_api_token,
    create_enrol_code,
    find_user,
    list_api_tokens,
    list_devices,
    revoke_api_token,
)
from server.db import DB_NAME, connect, database_path, get_db, rows
from server.devices import outbox_text
from server.settings import SettingError, data_folder

# Where the root group keeps a --data given before the subcommand (ctx.meta is shared by
# every context of one run).
DATA_KEY = "woontoezicht.data"
DATA_TYPE = click.Path(file_okay=False, path_type=Path)
DATA_HELP = "Map met de database, foto's en documenten (standaard WOONTOEZICHT_DATA of ./instance)."


def _chosen_data(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """Return the --data after the subcommand, else the one before it, else the setting: absolute."""
    if value is None:
        value = ctx.meta.get(DATA_KEY)
    return value.resolve() if value is not None else data_folder()


def _remember_data(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.meta[DATA_KEY] = value


def data_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --data DIR to a command; a --data before the subcommand counts too, this one wins."""
    return click.option("--data", "data", type=DATA_TYPE, default=None, metavar="MAP", callback=_chosen_data,
                        help=DATA_HELP)(command)


def group_data_option(group: Callable[..., Any]) -> Callable[..., Any]:
    """Add --data DIR to the root group, for the subcommand that follows."""
    return click.option("--data", type=DATA_TYPE, default=None, metavar="MAP", expose_value=False,
                        callback=_remember_data, help=DATA_HELP + " Mag voor of na de opdracht staan.")(group)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one Dutch line on standard error and exit (1: it failed, 2: bad input)."""
    click.echo(message, err=True)
    sys.exit(code)


def open_app(data: Path) -> Flask:
    """Build the app on a data folder; turn setup errors into one clear line."""
    from server.app import create_app
    try:
        return create_app({"DATA": str(data)})
    except (SettingError, ContractError) as err:
        fail(str(err))
    except sqlite3.DatabaseError as err:
        fail(f"De database {data / DB_NAME} is beschadigd of geen SQLite-bestand ({err}).")
    except OSError as err:
        fail(f"Kan de datamap {data} niet gebruiken: {err.strerror or err}")


def http_url(host: str, port: int) -> str:
    """Return the address a browser opens for host and port."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def listen(host: str, port: int) -> socket.socket:
    """Open the listening socket, before anything touches the data; one Dutch line and exit when it cannot."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        # One socket, IPv4 first: "localhost" is 127.0.0.1 for most clients.
        family, _, _, _, address = sorted(found, key=lambda info: info[0] != socket.AF_INET)[0]
    except socket.gaierror:
        fail(f"Onbekend adres om op te luisteren: {host}", 2)
    try:
        return socket.create_server(address, family=family)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            fail(f"Poort {port} op {host} is al in gebruik: stop het andere programma of kies een andere poort "
                 "met --port.")
        fail(f"Kan niet luisteren op {host}:{port}: {err.strerror or err}")


def with_db(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run the command inside the app on --data with db as its first argument."""
    @functools.wraps(command)
    def wrapped(data: Path, **kwargs: Any) -> Any:
        app = open_app(data)
        with app.app_context():
            try:
                return command(get_db(), **kwargs)
            except AuthError as err:
                fail(str(err), 2)
    return data_option(wrapped)


@click.command("init")
@click.option("--demo", is_flag=True, help="Voeg demogegevens toe (40 adressen, gebruikers, opdrachten).")
@with_db
def init_command(db: Database, demo: bool) -> None:
    """Maak of migreer de database."""
    from flask import current_app

    from server.demo import load_demo
    from server.evaluation import app_norm_sets
    click.echo(f"Database klaar: {current_app.config['DATA']}/{DB_NAME}", err=True)
    if demo:
        logins = load_demo(db, app_norm_sets(), config=current_app.config)
        if logins is None:
            click.echo("Er staan al adressen in de database; geen demogegevens toegevoegd.", err=True)
            return
        click.echo("Demogegevens toegevoegd. Logins (gebruiker / wachtwoord):", err=True)
        for name, password in logins.items():
            click.echo(f"  {name:<12} {password}")


def host_and_port(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --host and --port (default 127.0.0.1:8000)."""
    command = click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
                           metavar="POORT", help="Poort om op te luisteren.")(command)
    return click.option("--host", default="127.0.0.1", show_default=True, metavar="ADRES",
                        help="Adres om op te luisteren (0.0.0.0: op elk netwerk).")(command)


@click.command("serve")
@host_and_port
@data_option
def serve_command(data: Path, host: str, port: int) -> None:
    """Start de server (waitress)."""
    sock = listen(host, port)
    serve(open_app(data), sock, http_url(host, port))


def serve(app: Flask, sock: socket.socket, url: str) -> None:
    """Serve the app with waitress on an open listening socket until stopped."""
    import waitress
    click.echo(f"Woontoezicht draait op {url}/ (stoppen: Ctrl+C)", err=True)
    # Requests open and close their own connection. Closing the last connection to a WAL
    # database copies the whole log into the database file and deletes it; this idle one
    # stays open while serving, so a request's close is cheap; SQLite still checkpoints the
    # log as it grows (every 1000 pages, after a commit).
    keeper = connect(database_path(app))
    try:
        # A connection limit and an idle timeout keep slow or idle clients from taking every
        # connection; in production a reverse proxy in front buffers requests (see the README).
        waitress.serve(app, sockets=[sock], threads=app.config["THREADS"], ident="woontoezicht",
                       connection_limit=app.config["CONNECTION_LIMIT"], channel_timeout=app.config["CHANNEL_TIMEOUT"],
                       cleanup_interval=max(1, min(30, app.config["CHANNEL_TIMEOUT"] // 2)),
                       asyncore_use_poll=True, _quiet=True)  # poll: select() fails past 1024 descriptors
    finally:
        keeper.close()
        sock.close()


@click.command("demo")
@host_and_port
@click.option("--reset-passwords", is_flag=True,
              help="Geef de demogebruikers nieuwe wachtwoorden en toon die (anders blijven bestaande geldig).")
@click.option("--no-scheduler", is_flag=True, help="Start de planner van de taken niet mee.")
@data_option
def demo_command(data: Path, host: str, port: int, reset_passwords: bool, no_scheduler: bool) -> None:
    """Start de server met demogegevens; toon logins, een API-token en een koppelcode."""
    from server.demo import demo_lines, prepare_demo
    sock = listen(host, port)  # before anything is written: a port in use changes nothing
    app = open_app(data)
    with app.app_context():
        run = prepare_demo(get_db(), app.config, reset_passwords=reset_passwords)
    here = "" if data == data_folder() else f" --data {data}"
    for line in demo_lines(run, data, http_url(host, port), here):
        click.echo(line)
    scheduler = None
    if not no_scheduler:
        # The scheduler in a process of its own, never inside the web server; it stops with this one.
        scheduler = subprocess.Popen([sys.executable, "-m", "server", "jobs", "schedule", "--data", str(data),
                                      "--exit-with-parent", str(os.getpid())])
        click.echo(f"De planner draait (woontoezicht{here} jobs list toont de taken).", err=True)
        # Stopped with SIGTERM (a service manager, a test), stop the scheduler too, not only on Ctrl+C.
        signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        serve(app, sock, http_url(host, port))
    finally:
        if scheduler is not None:
            scheduler.terminate()  # it lets a running job finish
            scheduler.wait()


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(0)


@click.group("user")
def user_group() -> None:
    """Gebruikers beheren."""


def profile_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options of an official's profile (full name, function, e-mail, phone, aanwijzing, legitimation)."""
    for flag, name, text in reversed(PROFILE_OPTIONS):
        command = click.option(flag, name, default=None, help=text)(command)
    return command


PROFILE_OPTIONS = [
    ("--full-name", "full_name", "Volledige naam zoals brieven en rapporten hem tonen."),
    ("--function", "function_title", "Functie, zoals 'toezichthouder woonoverlast'."),
    ("--email", "email", "E-mailadres voor 'Behandeld door'."),
    ("--phone", "phone", "Telefoonnummer voor 'Behandeld door'."),
    ("--aanwijzing", "aanwijzing", "Kenmerk van het besluit dat hem als toezichthouder aanwijst (Awb 5:11)."),
    ("--legitimation", "legitimation_no", "Nummer van zijn legitimatiebewijs (Awb 5:12)."),
]


@user_group.command("add")
@click.argument("name", metavar="NAAM")
@click.option("--role", required=True, type=click.Choice(ROLES), help="Rol van de gebruiker.")
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord van standaardinvoer.")
@click.option("--temporary", is_flag=True,
              help="Tijdelijk wachtwoord: de gebruiker kiest bij de eerste aanmelding een eigen wachtwoord.")
@profile_options
@with_db
def user_add_command(db: Database, name: str, role: str, password_stdin: bool, temporary: bool,
                     **profile: str | None) -> None:
    """Voeg een gebruiker toe; het wachtwoord komt van een prompt of standaardinvoer."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Wachtwoord", hide_input=True, confirmation_prompt="Herhaal wachtwoord")
    user = add_user(db, name, role, password, {k: v for k, v in profile.items() if v is not None},
                    temporary=temporary)
    click.echo(f"Gebruiker {user['name']} ({user['role']}) toegevoegd.", err=True)


@user_group.command("set")
@click.argument("name", metavar="NAAM")
@profile_options
@with_db
def user_set_command(db: Database, name: str, **profile: str | None) -> None:
    """Wijzig naam, functie, e-mail, telefoon, aanwijzing of legitimatienummer van een gebruiker ('' wist een veld)."""
    from server.officials import ProfileError, set_profile
    found = find_user(db, name)
    if found is None:
        fail(f"Onbekende gebruiker: {name}", 2)
    assert found is not None
    changes = {k: (v if v.strip() else None) for k, v in profile.items() if v is not None}
    if not changes:
        fail("Geef ten minste één veld om te wijzigen, zoals --full-name of --aanwijzing.", 2)
    try:
        set_profile(db, found["id"], changes)
    except ProfileError as err:
        fail(f"{name}: {err}", 2)
    click.echo(f"Gebruiker {found['name']} bijgewerkt: {', '.join(sorted(changes))}.", err=True)


@user_group.command("list")
@with_db
def user_list_command(db: Database) -> None:
    """Toon alle gebruikers: naam, rol, volledige naam en functie."""
    for user in rows(db, "SELECT name, role, full_name, function_title, disabled_at FROM users ORDER BY name"):
        click.echo(f"{user['name']}\t{user['role']}\t{user['full_name'] or '-'}\t{user['function_title'] or '-'}"
                   + ("\tuitgeschakeld" if user["disabled_at"] else ""))


@click.group("token")
def token_group() -> None:
    """Persoonlijke API-tokens."""


@token_group.command("create")
@click.argument("user", metavar="GEBRUIKER")
@click.option("--label", default=None, help="Waarvoor het token is.")
@with_db
def token_create_command(db: Database, user: str, label: str | None) -> None:
    """Maak een API-token (Bearer) voor scripts; alleen het token komt op standaarduitvoer."""
    found = find_user(db, user)
    if found is None:
        fail(f"Onbekende gebruiker: {user}", 2)
    assert found is not None
    token = create_api_token(db, found["id"], label)
    click.echo(f"API-token voor {found['name']} ({found['role']}); bewaar het veilig, het wordt niet opnieuw getoond:",
               err=True)
    click.echo(token)


@token_group.command("list")
@with_db
def token_list_command(db: Database) -> None:
    """Toon alle API-tokens: id, gebruiker, label, gemaakt, ingetrokken (nooit het geheim)."""
    for t in list_api_tokens(db):
        state = f"\tingetrokken {t['revoked_at']}" if t["revoked_at"] else ""
        click.echo(f"{t['id']}\t{t['user_name']}\t{t['label'] or '-'}\t{t['created_at']}{state}")


@token_group.command("revoke")
@click.argument("token_id", metavar="ID")
@with_db
def token_revoke_command(db: Database, token_id: str) -> None:
    """Trek een API-token in."""
    if not revoke_api_token(db, token_id):
        fail(f"Onbekend token: {token_id}", 2)
    click.echo(f"Token {token_id} ingetrokken.", err=True)


@click.group("device")
def device_group() -> None:
    """Tablets koppelen, bekijken en intrekken."""


@device_group.command("code")
@click.argument("user", metavar="GEBRUIKER")
@with_db
def device_code_command(db: Database, user: str) -> None:
    """Maak een eenmalige koppelcode voor een tablet van GEBRUIKER."""
    from flask import current_app
    found = find_user(db, user)
    if found is None:
        fail(f"Onbekende gebruiker: {user}", 2)
    assert found is not None
    hours = current_app.config["ENROLL_CODE_HOURS"]
    code = create_enrol_code(db, found["id"], None, hours)
    click.echo(f"Eenmalige koppelcode voor {found['name']}, {hours} uur geldig:", err=True)
    click.echo(code)


@device_group.command("list")
@with_db
def device_list_command(db: Database) -> None:
    """Toon alle tablets: id, gebruiker, label, laatst gezien, wachtende wijzigingen."""
    from reports.fmt import tijdstip
    for d in list_devices(db):
        seen = tijdstip(d["last_seen_at"]) if d["last_seen_at"] else "nooit gezien"
        click.echo(f"{d['id']}\t{d['user_name']}\t{d['label']}\t{seen}\t{outbox_text(d)}"
                   + (f"\tingetrokken {tijdstip(d['revoked_at'])}" if d["revoked_at"] else ""))


@device_group.command("revoke")
@click.argument("device_id", metavar="ID")
@click.option("--force", is_flag=True, help="Trek in en laat de tablet wissen, ook als hij nog niet-verzonden werk "
                                            "heeft (dat werk gaat verloren).")
@click.option("--keep-data", is_flag=True, help="Trek in zonder dat de tablet zijn gegevens wist (een gekloonde "
                                                "tablet: daarna opnieuw koppelen met --keep-outbox).")
@with_db
def device_revoke_command(db: Database, device_id: str, force: bool, keep_data: bool) -> None:
    """Trek een tablet in: zijn token werkt niet meer en hij wist zijn gegevens (tenzij --keep-data).

    Exit 0: ingetrokken (of was al ingetrokken); 1: niet ingetrokken omdat de tablet nog niet-verzonden werk
    meldde (gebruik --keep-data of --force); 2: onbekende tablet.
    """
    from server.devices import UnknownDevice, UnsyncedWork, revoke
    try:
        done = revoke(db, device_id, force=force, keep_data=keep_data)
    except UnknownDevice:
        fail(f"Onbekende tablet: {device_id}", 2)
    except UnsyncedWork as err:
        fail(f"{err} Gebruik --keep-data om in te trekken zonder te wissen, of --force om "
             f"{'het toch te doen' if err.pending is None else 'het werk op te geven'}; niets veranderd.", 1)
    device, pending = done.device, done.pending
    if done.already:
        how = "zonder wissen" if not device["wipe_on_revoke"] else "met wissen"
        click.echo(f"Tablet {device_id} was al ingetrokken op {_when(device['revoked_at'])} ({how}); niets "
                   "veranderd.", err=True)
        return
    if keep_data:
        click.echo(f"Tablet {device_id} ingetrokken; hij wist zijn gegevens niet en kan opnieuw gekoppeld worden met "
                   "'woontoezicht-veld enroll --keep-outbox'.", err=True)
    elif pending:
        click.echo(f"Tablet {device_id} ingetrokken; hij wist bij de volgende verbinding zijn gegevens, ook "
                   f"{outbox_text(device)}.", err=True)
    else:
        click.echo(f"Tablet {device_id} ingetrokken; hij wist bij de volgende verbinding zijn gegevens.", err=True)


def _when(stamp: str) -> str:
    from reports.fmt import tijdstip
    return tijdstip(stamp)


COMMANDS = [init_command, serve_command, demo_command, user_group, token_group, device_group]
