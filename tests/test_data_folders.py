"""Data folders as a user types them: relative to where he stands, and --data before or after the subcommand."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from click.testing import CliRunner
from PIL import Image

from field_client.cli import main as veld_main
from server.cli import main as server_main
from tests.processes import BIN, free_port


def jpeg() -> bytes:
    """Return the bytes of a small real JPEG."""
    out = io.BytesIO()
    Image.effect_noise((64, 64), 50).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def command(cwd: Path, program: str, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("WOONTOEZICHT_DATA", "WOONTOEZICHT_VELD_DATA")}
    return subprocess.run([str(BIN / program), *args], cwd=cwd, capture_output=True, text=True, input=input,
                          timeout=60, env=env, check=False)


@contextmanager
def serving(cwd: Path, program: str, *args: str, health: str) -> Iterator[str]:
    """Run a serve command in cwd until the block ends; yield its base URL once health answers."""
    port = free_port()
    proc = subprocess.Popen([str(BIN / program), "serve", "--port", str(port), *args], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                if requests.get(url + health, timeout=10).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # still starting
                pass
            assert time.monotonic() < deadline, "did not answer in time"
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()


def test_a_photo_uploaded_to_a_server_on_a_relative_data_folder_is_served_back(tmp_path: Path) -> None:
    added = command(tmp_path, "woontoezicht", "user", "add", "tl", "--role", "teamleider", "--password-stdin",
                    "--data", "instance", input="lang-genoeg-ww\n")
    assert added.returncode == 0, added.stderr
    token = command(tmp_path, "woontoezicht", "token", "create", "tl", "--data", "instance").stdout.strip()
    photo = jpeg()
    sha = hashlib.sha256(photo).hexdigest()
    with serving(tmp_path, "woontoezicht", "--data", "instance", health="/healthz") as url:
        auth = {"Authorization": f"Bearer {token}"}
        put = requests.put(f"{url}/api/v1/attachments/{sha}", data=photo, timeout=10, headers={
            **auth, "Content-Range": f"bytes 0-{len(photo) - 1}/{len(photo)}",
            "Content-Type": "application/octet-stream"})
        assert put.status_code == 200, put.text
        got = requests.get(f"{url}/api/v1/attachments/{sha}", headers=auth, timeout=10)
    assert got.status_code == 200, got.text
    assert got.content == photo
    assert (tmp_path / "instance" / "woontoezicht.db").exists()


def test_the_tablet_serves_its_photo_from_a_relative_data_folder(tmp_path: Path) -> None:
    photo = jpeg()
    with serving(tmp_path, "woontoezicht-veld", "--data", "veld", "--sync-every", "0", health="/") as url:
        page = requests.get(url + "/", timeout=10).text
        secret = re.search(r'<meta name="local-secret" content="([^"]+)">', page)
        assert secret is not None, page[:500]
        headers = {"X-Local-Secret": secret.group(1)}
        added = requests.post(f"{url}/local/photos", files={"photo": ("foto.jpg", photo, "image/jpeg")},
                              headers=headers, timeout=10)
        assert added.status_code == 201, added.text
        got = requests.get(f"{url}/local/photos/{added.json()['sha256']}", headers=headers, timeout=10)
    assert got.status_code == 200, got.text
    assert got.content == photo
    assert (tmp_path / "veld" / "veld.db").exists()


def names(listing: str) -> list[str]:
    """Return the user names of `woontoezicht user list`."""
    return [line.split("\t")[0] for line in listing.splitlines()]


def test_server_data_is_taken_before_or_after_the_subcommand(tmp_path: Path) -> None:
    before, after = tmp_path / "voor", tmp_path / "na"
    runner = CliRunner()
    first = runner.invoke(server_main, ["--data", str(before), "user", "add", "anna", "--role", "handhaver",
                                        "--password-stdin"], input="lang-genoeg-ww\n")
    assert first.exit_code == 0, first.output
    second = runner.invoke(server_main, ["user", "add", "bert", "--role", "handhaver", "--password-stdin",
                                         "--data", str(after)], input="lang-genoeg-ww\n")
    assert second.exit_code == 0, second.output
    assert names(runner.invoke(server_main, ["user", "list", "--data", str(before)]).output) == ["anna"]
    assert names(runner.invoke(server_main, ["--data", str(after), "user", "list"]).output) == ["bert"]
    both = runner.invoke(server_main, ["--data", str(before), "user", "list", "--data", str(after)])
    assert names(both.output) == ["bert"], "the subcommand's --data wins"


def test_tablet_data_is_taken_before_or_after_the_subcommand(tmp_path: Path) -> None:
    before, after = tmp_path / "voor", tmp_path / "na"
    runner = CliRunner()
    assert runner.invoke(veld_main, ["--data", str(before), "status", "--json"]).exit_code == 0
    assert (before / "veld.db").exists() and not after.exists()
    assert runner.invoke(veld_main, ["status", "--json", "--data", str(after)]).exit_code == 0
    assert (after / "veld.db").exists()
    group, sub = tmp_path / "groep", tmp_path / "sub"
    both = runner.invoke(veld_main, ["--data", str(group), "status", "--json", "--data", str(sub)])
    assert json.loads(both.output)["enrolled"] is False
    assert (sub / "veld.db").exists() and not group.exists(), "the subcommand's --data wins"
