"""A normal install (a wheel, not `pip install -e`) carries everything the commands read at run time."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.processes import free_port

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("server", "field_client", "schemas", "reports")


def data_files() -> list[str]:
    """Return every file in the package folders that is not Python source, as it sits in a wheel."""
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts:
                found.append(path.relative_to(ROOT).as_posix())
    return sorted(found)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the project's wheel offline from a copy of the checkout (so the build leaves the checkout alone)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                            "-q", "-w", str(root / "dist"), str(source)], capture_output=True, text=True,
                           timeout=300, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    return next((root / "dist").glob("woontoezicht-*.whl"))


@pytest.fixture(scope="module")
def fresh(wheel: Path) -> Path:
    """A new virtual environment with only the wheel installed; the dependencies come from the test venv."""
    venv = wheel.parent.parent / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # The test venv's packages, added after the fresh ones; its .pth files (the editable
    # install of the checkout among them) are not processed from a path added this way.
    Path(purelib, "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                                "--no-index", "-q", str(wheel)], capture_output=True, text=True, timeout=300,
                               check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv


def outside_env(log: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "WOONTOEZICHT_", "VIRTUAL_ENV"))}
    if log is not None:
        env["PYTHONVERBOSE"] = "1"  # every module's file goes to standard error, where the test reads it
    return env


@contextmanager
def serving(program: Path, cwd: Path, health: str) -> Iterator[tuple[str, Path]]:
    """Run `program serve` from cwd; yield its URL and the file of its import log."""
    port = free_port()
    log = cwd / f"{program.name}.log"
    with log.open("w") as err:
        proc = subprocess.Popen([str(program), "serve", "--port", str(port), "--data", "gegevens"], cwd=cwd,
                                env=outside_env(log), stdout=subprocess.DEVNULL, stderr=err)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, log.read_text()[-3000:]
                try:
                    if requests.get(url + health, timeout=10).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):  # still starting
                    pass
                assert time.monotonic() < deadline, "did not answer in time"
                time.sleep(0.1)
            yield url, log
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def imported_from_checkout(log: Path) -> list[str]:
    """Return the files under the checkout (its venv aside) that a process's import log names."""
    checkout = re.escape(str(ROOT))
    pattern = re.compile(rf"{checkout}/(?!\.venv/)\S+")
    return sorted(set(pattern.findall(log.read_text(errors="replace"))))


def test_the_wheel_carries_every_data_file_of_the_packages(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    assert "field_client/templates/index.html" in names
    assert "schemas/locale/nl/LC_MESSAGES/woontoezicht-cli.mo" in names
    assert [name for name in data_files() if name not in names] == []


def test_an_installed_server_and_tablet_app_run_outside_the_checkout(fresh: Path, tmp_path: Path) -> None:
    run = tmp_path / "elders"
    run.mkdir()
    with serving(fresh / "bin" / "woontoezicht", run, "/healthz") as (url, server_log):
        assert requests.get(url + "/healthz", timeout=10).json() == {"status": "ok"}
    with serving(fresh / "bin" / "woontoezicht-veld", run, "/") as (url, veld_log):
        page = requests.get(url + "/", timeout=10)
        assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
        assert "Woontoezicht" in page.text
        assets = sorted(set(re.findall(r'(?:href|src)="/?(static/[^"]+)"', page.text)))
        assert "static/app.js" in assets and "static/app.css" in assets
        for asset in assets:
            got = requests.get(f"{url}/{asset}", timeout=10)
            assert got.status_code == 200 and got.content, asset
    site = next((fresh / "lib").glob("python3*/site-packages"))
    for log in (server_log, veld_log):
        text = log.read_text(errors="replace")
        assert str(site / "server") in text or str(site / "field_client") in text
        assert imported_from_checkout(log) == []


def test_an_installed_command_speaks_dutch_and_names_no_file_of_the_checkout(fresh: Path, tmp_path: Path) -> None:
    done = subprocess.run([str(fresh / "bin" / "woontoezicht-veld"), "enroll"], cwd=tmp_path, capture_output=True,
                          text=True, env=outside_env(), timeout=60, check=False)
    assert done.returncode == 2
    assert "Fout: Ontbrekend argument 'URL'." in done.stderr
    where = subprocess.run([str(fresh / "bin" / "python"), "-c",
                            "import server, field_client, schemas, reports; "
                            "print('\\n'.join(m.__file__ for m in (server, field_client, schemas, reports)))"],
                           cwd=tmp_path, capture_output=True, text=True, env=outside_env(), check=True)
    files = where.stdout.split()
    assert len(files) == 4 and not any(f.startswith(str(ROOT)) for f in files), files
