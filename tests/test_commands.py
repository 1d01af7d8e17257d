"""The `woontoezicht` commands: init, users, tokens, devices, serve as a real process, demo."""

from __future__ import annotations

import re
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from sqlite_utils import Database

from server.cli import main
from tests.documents_world import pdf_text
from tests.processes import BIN, ServerProcess, free_port


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "instance"


def run(runner: CliRunner, data: Path, *args: str, input: str | None = None) -> object:
    return runner.invoke(main, [*args, "--data", str(data)], input=input)


def test_init_creates_the_database_and_is_safe_to_repeat(data: Path) -> None:
    runner = CliRunner()
    first = run(runner, data, "init")
    assert first.exit_code == 0  # type: ignore[attr-defined]
    assert (data / "woontoezicht.db").exists()
    run(runner, data, "user", "add", "piet", "--role", "handhaver", "--password-stdin", input="lang-genoeg-ww\n")
    assert run(runner, data, "init").exit_code == 0  # type: ignore[attr-defined]
    users = run(runner, data, "user", "list")
    assert users.output == "piet\thandhaver\t-\t-\n"  # type: ignore[attr-defined]  # no full name, no function


def test_init_demo_adds_demo_data_once(data: Path) -> None:
    runner = CliRunner()
    assert run(runner, data, "init", "--demo").exit_code == 0  # type: ignore[attr-defined]
    again = run(runner, data, "init", "--demo")
    assert "al adressen" in again.output  # type: ignore[attr-defined]
    db = sqlite3.connect(data / "woontoezicht.db")
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
              for t in ("addresses", "assignments", "inspections", "evaluations", "users", "cases", "documents")}
    types = {r[0] for r in db.execute("SELECT DISTINCT location_type FROM addresses")}
    verified = {r[0] for r in db.execute("SELECT DISTINCT verified FROM addresses")}
    findings = db.execute("SELECT sum(json_array_length(findings)) FROM evaluations").fetchone()[0]
    db.close()
    # Six past inspections with their concept rapporten; the whole demo case: two visits (each rapport signed, with
    # its version for the verhuurder), three assignments, seven letters and the dossier.
    assert counts == {"addresses": 40, "assignments": 21, "inspections": 8, "evaluations": 8, "users": 4, "cases": 2,
                      "documents": 6 + 2 * 2 + 8}
    assert types == {"woonkern", "lint", "bedrijventerrein", "grootschalig"}
    assert verified == {0, 1}
    assert findings > 0


def test_user_add_prompts_twice_for_the_password(data: Path) -> None:
    result = run(CliRunner(), data, "user", "add", "anna", "--role", "teamleider",
                 input="lang-genoeg-ww\nlang-genoeg-ww\n")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["user", "add", "x y", "--role", "handhaver", "--password-stdin"], "lang-genoeg-ww\n", "gebruikersnaam"),
    (["user", "add", "kees", "--role", "handhaver", "--password-stdin"], "kort\n", "minstens 10"),
    (["token", "create", "niemand"], None, "Onbekende gebruiker: niemand"),
    (["device", "code", "niemand"], None, "Onbekende gebruiker: niemand"),
    (["device", "revoke", "geen-id"], None, "Onbekende tablet: geen-id"),
    (["token", "revoke", "geen-id"], None, "Onbekend token: geen-id"),
])
def test_user_mistakes_get_one_line_and_exit_2(data: Path, args: list[str], stdin: str | None, message: str) -> None:
    result = run(CliRunner(), data, *args, input=stdin)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert message in result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]


def test_unparseable_setting_gets_one_line(data: Path) -> None:
    result = CliRunner().invoke(main, ["user", "list", "--data", str(data)],
                                env={"WOONTOEZICHT_THREADS": "veel"})
    assert result.exit_code == 1
    assert result.output.strip() == "WOONTOEZICHT_THREADS heeft een ongeldige waarde: 'veel'."


def test_serve_as_a_real_process_with_token_and_device_from_the_commands(data: Path) -> None:
    server = ServerProcess(data)
    added = server.cli("user", "add", "tl", "--role", "teamleider", "--password-stdin", input="lang-genoeg-ww\n")
    assert added.returncode == 0, added.stderr
    server.cli("user", "add", "hh", "--role", "handhaver", "--password-stdin", input="lang-genoeg-ww\n")
    token = server.cli("token", "create", "tl")
    assert re.fullmatch(r"wtu_\S+\n", token.stdout), "only the secret goes to standard output"
    code = server.cli("device", "code", "hh").stdout.strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    with server:
        auth = {"Authorization": f"Bearer {token.stdout.strip()}"}
        created = requests.post(f"{server.url}/api/v1/addresses", headers=auth, timeout=10, json={
            "postcode": "1431 ab", "huisnummer": 3, "straat": "Zijdstraat", "woonplaats": "Aalsmeer",
            "gemeentecode": "0358"})
        assert created.status_code == 201, created.text
        assert requests.get(f"{server.url}/api/v1/addresses", headers=auth, timeout=10).json()["items"][0][
            "postcode"] == "1431AB"
        enrolled = requests.post(f"{server.url}/api/v1/devices/enroll", json={"code": code, "label": "Tablet 7"},
                                 timeout=10).json()
        listed = server.cli("device", "list").stdout.splitlines()
        assert listed[0].startswith(f"{enrolled['device_id']}\thh\tTablet 7\t")
        assert listed[0].endswith("\tniet-verzonden werk onbekend")  # a new tablet has reported nothing yet
        assert server.cli("device", "revoke", enrolled["device_id"]).returncode == 1  # never reported its outbox
        assert server.cli("device", "revoke", enrolled["device_id"], "--force").returncode == 0
        response = requests.get(f"{server.url}/api/v1/assignments", timeout=10,
                                headers={"Authorization": f"Bearer {enrolled['token']}"})
        assert response.status_code == 401
        assert response.json()["error"] == "device_revoked"
        tokens = server.cli("token", "list").stdout.splitlines()
        assert len(tokens) == 1 and token.stdout.strip() not in tokens[0]
        assert server.cli("token", "revoke", tokens[0].split("\t")[0]).returncode == 0
        assert requests.get(f"{server.url}/api/v1/addresses", headers=auth, timeout=10).status_code == 401
        auth = {"Authorization": f"Bearer {server.cli('token', 'create', 'tl').stdout.strip()}"}
        bad = requests.post(f"{server.url}/api/v1/addresses", headers={**auth, "Content-Type": "application/json"},
                            data="{kapot", timeout=10)
        assert bad.status_code == 400


def test_demo_prints_logins_a_code_and_serves(data: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([str(BIN / "woontoezicht"), "demo", "--port", str(port), "--data", str(data)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "/rapport" in line:
                break
        out = "".join(lines)
        assert "40 adressen" in out
        assert re.search(r"handhaver1\s+\S{8,}", out)
        assert re.search(r"Koppelcode voor de tablet van handhaver1 \(24 uur geldig\): [A-Z2-9-]{14}", out)
        token = re.search(r"API-token van teamleider: (\S+)", out)
        assert token is not None
        for _ in range(100):
            try:
                r = requests.get(f"http://127.0.0.1:{port}/api/v1/assignments?limit=100", timeout=2,
                                 headers={"Authorization": f"Bearer {token.group(1)}"})
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert len(r.json()["items"]) == 21
        office = re.search(r"Kantoorpagina's: (\S+)/ ", out)
        password = re.search(r"^\s+teamleider\s+(\S{8,})$", out, re.MULTILINE)
        assert office is not None and password is not None, out
        browser = requests.Session()
        form = browser.get(f"{office.group(1)}/login", timeout=10).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf is not None
        signed = browser.post(f"{office.group(1)}/login", timeout=10, data={
            "username": "teamleider", "password": password.group(1), "csrf_token": csrf.group(1)})
        assert signed.status_code == 200 and "Afmelden" in signed.text  # the printed login works on the page
        pdf = re.search(r"-o (RB-\d{4}-\d{5})\.pdf (\S+/rapport)", out)
        assert pdf is not None, out
        got = requests.get(pdf.group(2), timeout=10, headers={"Authorization": f"Bearer {token.group(1)}"})
        assert got.headers["Content-Type"] == "application/pdf"
        text = pdf_text(got.content)
        assert "Rapport van bevindingen" in text and pdf.group(1) in text and "CONCEPT" in text
        # The demo's scheduler, a child process, runs the jobs due (the deadlines job daily, so always).
        deadline = time.monotonic() + 60
        while not finished_runs(data, "deadlines") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert finished_runs(data, "deadlines") == [("deadlines", "ok")]
        assert scheduler_processes(data), "the demo's scheduler is not running"
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert scheduler_processes(data) == []  # it stopped with the demo


def finished_runs(data: Path, name: str) -> list[tuple[str, str]]:
    db = sqlite3.connect(data / "woontoezicht.db", timeout=10)
    try:
        return db.execute("SELECT name, outcome FROM job_runs WHERE name = ? AND outcome != 'running'",
                          [name]).fetchall()
    finally:
        db.close()


def scheduler_processes(data: Path) -> list[int]:
    """Return the pids of `jobs schedule` processes on this data folder."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        if b"schedule" in cmdline and str(data).encode() in cmdline:
            found.append(int(entry.name))
    return found


# --- demo and serve: bind first, keep what exists ----------------------------------------------


def password_hashes(data: Path) -> dict[str, str]:
    db = sqlite3.connect(data / "woontoezicht.db")
    try:
        return dict(db.execute("SELECT name, password_hash FROM users").fetchall())
    finally:
        db.close()


def secrets_count(data: Path) -> tuple[int, int]:
    """Return how many API tokens and enrolment codes the database holds."""
    db = sqlite3.connect(data / "woontoezicht.db")
    try:
        return (db.execute("SELECT count(*) FROM api_tokens").fetchone()[0],
                db.execute("SELECT count(*) FROM enrol_codes").fetchone()[0])
    finally:
        db.close()


def demo_run(data: Path, *args: str) -> tuple[str, str]:
    """Run `woontoezicht demo` until it serves, check that it answers, stop it; return its stdout and stderr."""
    port = free_port()
    proc = subprocess.Popen([str(BIN / "woontoezicht"), "demo", "--port", str(port), "--data", str(data), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        err = ""
        while "draait op" not in err:
            line = proc.stderr.readline()
            assert line, f"demo stopped: {err}"
            err += line
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
    finally:
        proc.terminate()
        out, rest = proc.communicate(timeout=10)
    return out, err + rest


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder after one `woontoezicht demo`."""
    data = tmp_path_factory.mktemp("demo") / "instance"
    out, _ = demo_run(data)
    assert "nieuwe demogegevens" in out and re.search(r"handhaver1\s+\S{8,}", out)
    return data


def test_a_second_demo_keeps_the_passwords_tokens_and_codes_it_made(demo_data: Path) -> None:
    hashes, counts = password_hashes(demo_data), secrets_count(demo_data)
    out, err = demo_run(demo_data)
    assert "bestaande gegevens" in out
    assert "40 adressen, 21 opdrachten, 8 inspecties, 2 zaken in" in out
    assert "blijven geldig" in out and "--reset-passwords" in out
    assert not re.search(r"handhaver1\s+\S{8,}", out), "no password is printed, none was made"
    assert password_hashes(demo_data) == hashes
    assert secrets_count(demo_data) == counts
    assert "Traceback" not in err


def test_demo_with_reset_passwords_prints_new_ones_that_work(demo_data: Path) -> None:
    from server.auth import check_login
    hashes = password_hashes(demo_data)
    out, _ = demo_run(demo_data, "--reset-passwords")
    password = re.search(r"handhaver1\s+(\S{8,})", out)
    assert password is not None, out
    assert set(password_hashes(demo_data).values()).isdisjoint(hashes.values())
    db = Database(demo_data / "woontoezicht.db")
    try:
        assert check_login(db, "handhaver1", password.group(1)) is not None
    finally:
        db.close()


@pytest.mark.parametrize("name", ["demo", "serve"])
def test_a_port_in_use_gets_one_line_exit_1_and_changes_nothing(demo_data: Path, name: str) -> None:
    hashes, counts = password_hashes(demo_data), secrets_count(demo_data)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        result = subprocess.run([str(BIN / "woontoezicht"), name, "--port", port, "--data", str(demo_data)],
                                capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"Poort {port} op 127.0.0.1 is al in gebruik: stop het andere "
                                                  "programma of kies een andere poort met --port."]
    assert result.stdout == ""
    assert password_hashes(demo_data) == hashes
    assert secrets_count(demo_data) == counts


def test_a_demo_on_a_port_in_use_does_not_even_make_its_data_folder(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        result = run(CliRunner(), tmp_path / "nieuw", "demo", "--port", str(taken.getsockname()[1]))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert not (tmp_path / "nieuw").exists()


# --- exit codes and tracebacks --------------------------------------------------------------------


def test_a_damaged_database_gets_one_line_and_exit_1(tmp_path: Path) -> None:
    data = tmp_path / "instance"
    data.mkdir()
    (data / "woontoezicht.db").write_text("geen database", encoding="utf-8")
    result = subprocess.run([str(BIN / "woontoezicht"), "user", "list", "--data", str(data)], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"De database {data / 'woontoezicht.db'} is beschadigd of geen "
                                                  "SQLite-bestand (file is not a database)."]


def test_an_unreadable_file_gets_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "kapot.json"
    path.write_bytes(b"\xff\xfe{}")
    result = subprocess.run([str(BIN / "woontoezicht"), "norms", "check", str(path)], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "kan niet worden gelezen" in result.stderr
    assert "Traceback" not in result.stderr
