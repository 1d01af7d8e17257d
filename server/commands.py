"""Server commands: init, serve, demo, user, token and device."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, Callable

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
    revoke_device,
)
from server.db import connect, database_path, get_db, rows
from server.settings import SettingError, read_settings


def _default_data() -> str:
    try:
        return str(read_settings()["DATA"])
    except SettingError:
        return "./instance"


def data_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --data DIR (default WOONTOEZICHT_DATA or ./instance)."""
    return click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path),
                        default=_default_data, show_default="./instance of WOONTOEZICHT_DATA",
                        help="Map met de database en bestanden.")(command)


def fail(message: str, code: int = 1) -> None:
    """Print one Dutch line on standard error and exit."""
    click.echo(message, err=True)
    sys.exit(code)


def open_app(data: Path) -> Flask:
    """Build the app on a data folder; turn setup errors into one clear line."""
    from server.app import create_app
    try:
        return create_app({"DATA": str(data)})
    except (SettingError, ContractError) as err:
        fail(str(err))
    except OSError as err:
        fail(f"Kan de datamap {data} niet gebruiken: {err.strerror or err}")
    raise AssertionError("unreachable")


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
    click.echo(f"Database klaar: {current_app.config['DATA']}/woontoezicht.db", err=True)
    if demo:
        if load_demo(db, app_norm_sets(), config=current_app.config):
            click.echo("Demogegevens toegevoegd. Wachtwoorden: `woontoezicht demo` drukt nieuwe af.", err=True)
        else:
            click.echo("Er staan al adressen in de database; geen demogegevens toegevoegd.", err=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adres om op te luisteren.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Poort.")
@data_option
def serve_command(data: Path, host: str, port: int) -> None:
    """Start de server (waitress)."""
    serve(open_app(data), host, port)


def serve(app: Flask, host: str, port: int) -> None:
    """Serve the app with waitress until stopped."""
    import waitress
    click.echo(f"Woontoezicht draait op http://{host}:{port}/ (stoppen: Ctrl+C)", err=True)
    # Requests open and close their own connection. Closing the last connection to a WAL
    # database copies the whole log into the database file and deletes it; this idle one
    # stays open while serving, so a request's close is cheap; SQLite still checkpoints the
    # log as it grows (every 1000 pages, after a commit).
    keeper = connect(database_path(app))
    try:
        # A connection limit and an idle timeout keep slow or idle clients from taking every
        # connection; in production a reverse proxy in front buffers requests (see the README).
        waitress.serve(app, host=host, port=port, threads=app.config["THREADS"], ident="woontoezicht",
                       connection_limit=app.config["CONNECTION_LIMIT"], channel_timeout=app.config["CHANNEL_TIMEOUT"],
                       cleanup_interval=max(1, min(30, app.config["CHANNEL_TIMEOUT"] // 2)), _quiet=True)
    except OSError as err:
        fail(f"Kan niet luisteren op {host}:{port}: {err.strerror or err}")
    finally:
        keeper.close()


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adres om op te luisteren.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Poort.")
@data_option
def demo_command(data: Path, host: str, port: int) -> None:
    """Start de server met demogegevens en toon logins en een koppelcode."""
    from server.demo import load_demo, reset_demo_passwords
    from server.evaluation import app_norm_sets
    app = open_app(data)
    with app.app_context():
        db = get_db()
        fresh = load_demo(db, app_norm_sets(), config=app.config)
        logins = reset_demo_passwords(db)
        lead = find_user(db, "teamleider")
        handhaver = find_user(db, "handhaver1")
        assert lead is not None and handhaver is not None
        token = create_api_token(db, lead["id"], "demo")
        code = create_enrol_code(db, handhaver["id"], lead["id"], app.config["ENROLL_CODE_HOURS"])
        counts = {t: rows(db, f"SELECT count(*) AS n FROM {t} WHERE deleted = 0")[0]["n"]  # noqa: S608
                  for t in ("addresses", "assignments", "inspections", "cases")}
        rapport = rows(db, "SELECT id, kenmerk FROM documents WHERE kind = 'rapport' ORDER BY created_at LIMIT 1")
    url = f"http://{host}:{port}"
    click.echo("")
    click.echo("Woontoezicht demo" + (" (nieuwe demogegevens)" if fresh else " (bestaande gegevens)"))
    click.echo(f"  {counts['addresses']} adressen, {counts['assignments']} opdrachten, "
               f"{counts['inspections']} inspecties, {counts['cases']} zaken in {data}")
    click.echo("  Logins (gebruiker / wachtwoord):")
    for name, password in logins.items():
        click.echo(f"    {name:<12} {password}")
    click.echo(f"  Koppelcode voor de tablet van handhaver1 (24 uur geldig): {code}")
    click.echo(f"  API-token van teamleider: {token}")
    click.echo("  Probeer:")
    click.echo(f"    curl -H 'Authorization: Bearer {token}' {url}/api/v1/assignments")
    click.echo(f"    curl {url}/api/v1/openapi.json")
    if rapport:
        click.echo(f"    curl -H 'Authorization: Bearer {token}' -o {rapport[0]['kenmerk']}.pdf "
                   f"{url}/api/v1/documents/{rapport[0]['id']}")
    click.echo("")
    serve(app, host, port)


@click.group("user")
def user_group() -> None:
    """Gebruikers beheren."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="Rol van de gebruiker.")
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord van standaardinvoer.")
@with_db
def user_add_command(db: Database, name: str, role: str, password_stdin: bool) -> None:
    """Voeg een gebruiker toe; het wachtwoord komt van een prompt of standaardinvoer."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Wachtwoord", hide_input=True, confirmation_prompt="Herhaal wachtwoord")
    user = add_user(db, name, role, password)
    click.echo(f"Gebruiker {user['name']} ({user['role']}) toegevoegd.", err=True)


@user_group.command("list")
@with_db
def user_list_command(db: Database) -> None:
    """Toon alle gebruikers: naam en rol."""
    for user in rows(db, "SELECT name, role, disabled_at FROM users ORDER BY name"):
        click.echo(f"{user['name']}\t{user['role']}" + ("\tuitgeschakeld" if user["disabled_at"] else ""))


@click.group("token")
def token_group() -> None:
    """Persoonlijke API-tokens."""


@token_group.command("create")
@click.argument("user")
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
@click.argument("token_id")
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
@click.argument("user")
@with_db
def device_code_command(db: Database, user: str) -> None:
    """Maak een eenmalige koppelcode voor een tablet van USER."""
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


def outbox_text(device: dict[str, Any]) -> str:
    """Return what a tablet last reported of its unsynced work, in Dutch."""
    from reports.fmt import tijdstip
    size = device.get("outbox_size")
    if size is None:
        return "outbox onbekend"
    if size == 0:
        return "niets te verzenden"
    text = f"{size} {'wijziging' if size == 1 else 'wijzigingen'} niet verzonden"
    if device.get("outbox_oldest_at"):
        text += f" (oudste van {tijdstip(device['outbox_oldest_at'])})"
    return text + (f", gemeld {tijdstip(device['outbox_reported_at'])}" if device.get("outbox_reported_at") else "")


@device_group.command("revoke")
@click.argument("device_id")
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
    found = rows(db, "SELECT * FROM devices WHERE id = ?", [device_id])
    if not found:
        fail(f"Onbekende tablet: {device_id}", 2)
    device = found[0]
    if device["revoked_at"]:
        how = "zonder wissen" if not device["wipe_on_revoke"] else "met wissen"
        click.echo(f"Tablet {device_id} was al ingetrokken op {_when(device['revoked_at'])} ({how}); niets "
                   "veranderd.", err=True)
        return
    pending = device["outbox_size"] or 0
    if pending and not (force or keep_data):
        fail(f"Tablet {device_id} ({device['label']}) meldde {outbox_text(device)}. Intrekken wist dat werk. "
             "Gebruik --keep-data om in te trekken zonder te wissen, of --force om het werk op te geven; niets "
             "veranderd.", 1)
    revoke_device(db, device_id, keep_data=keep_data)
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
