"""The tablet's local server over real HTTP (`woontoezicht-veld serve`): only the app's own page may use it.

A web page elsewhere can make the tablet's browser send requests to 127.0.0.1 (a text/plain form post needs
no preflight), and a DNS-rebinding page can read the answers; each gets 403 and changes nothing.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from field_client.tablet_store import DB_NAME
from tests.conftest import example
from tests.tablet_ui import LocalServer as Serve
from tests.test_attachments import jpeg


@pytest.fixture(scope="module")
def tablet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    t = Serve(tmp_path_factory.mktemp("veld"))
    yield t
    t.close()


@pytest.fixture
def draft(tablet: Serve) -> dict[str, Any]:
    """A draft inspection at an address added on site, as the app made them."""
    address = {**example("compliant.json")["address"]}
    address.pop("id", None)
    made = tablet.local("POST", "/local/addresses", json=address)
    if made.status_code == 409:  # made by an earlier test
        address_id = made.json()["existing"]["id"]
    else:
        assert made.status_code == 201, made.text
        address_id = made.json()["id"]
    created = tablet.local("POST", "/local/inspections", json={"address_id": address_id})
    assert created.status_code == 201, created.text
    saved = tablet.local("PUT", f"/local/inspections/{created.json()['id']}", json={"notes": "Eigen notitie."})
    assert saved.status_code == 200
    data: dict[str, Any] = tablet.local("GET", f"/local/inspections/{created.json()['id']}").json()["inspection"]
    return data


def unchanged(tablet: Serve, draft: dict[str, Any], outbox_before: int) -> None:
    now = tablet.local("GET", f"/local/inspections/{draft['id']}").json()["inspection"]
    assert now == draft
    assert tablet.local("GET", "/local/state").json()["outbox"] == outbox_before


def outbox(tablet: Serve) -> int:
    return int(tablet.local("GET", "/local/state").json()["outbox"])


def attack(tablet: Serve, draft: dict[str, Any], **kwargs: Any) -> list[requests.Response]:
    """Try to read and overwrite the draft, submit it and start another, each with these request options."""
    body = '{"notes": "Overschreven."}'
    path = f"/local/inspections/{draft['id']}"
    calls = [("GET", path, None), ("PUT", path, body), ("POST", f"{path}/submit", body),
             ("POST", "/local/inspections", f'{{"address_id": "{draft["address_id"]}"}}'), ("GET", "/local/sync", None)]
    headers = kwargs.pop("headers", {})
    return [requests.request(method, tablet.url + url, data=data, timeout=10,
                             headers={"Content-Type": "application/json", **headers}, **kwargs)
            for method, url, data in calls]


def test_a_request_naming_a_foreign_host_gets_403_and_changes_nothing(tablet: Serve, draft: dict[str, Any]) -> None:
    before = outbox(tablet)
    secret = tablet.secret()
    for host in (f"evil.example:{tablet.port}", "evil.example", f"127.0.0.1:{tablet.port + 1}",
                 f"localhost.evil.example:{tablet.port}"):
        for response in attack(tablet, draft, headers={"Host": host, "X-Local-Secret": secret}):
            assert response.status_code == 403, (host, response.request.method, response.request.url)
            assert "alleen bereikbaar via 127.0.0.1" in response.json()["message"]
        page = requests.get(tablet.url + "/", headers={"Host": host}, timeout=10)
        assert page.status_code == 403 and secret not in page.text, "a rebinding page cannot read the secret"
    unchanged(tablet, draft, before)


def test_a_cross_origin_request_gets_403_and_changes_nothing(tablet: Serve, draft: dict[str, Any]) -> None:
    before = outbox(tablet)
    for origin in ("https://evil.example", "null", f"http://localhost:{tablet.port}",
                   f"http://127.0.0.1:{tablet.port + 1}"):
        for response in attack(tablet, draft, headers={"Origin": origin, "X-Local-Secret": tablet.secret()}):
            assert response.status_code == 403, origin
            assert "andere website" in response.json()["message"]
    unchanged(tablet, draft, before)


def test_a_text_plain_post_without_the_secret_gets_403_and_changes_nothing(tablet: Serve,
                                                                          draft: dict[str, Any]) -> None:
    before = outbox(tablet)
    for response in attack(tablet, draft, headers={"Content-Type": "text/plain"}):
        assert response.status_code == 403
        assert "komt niet van de tablet-app" in response.json()["message"]
    for response in attack(tablet, draft, headers={"X-Local-Secret": "geraden"}):
        assert response.status_code == 403
    for path in ("/local/state", "/local/assignments", "/local/addresses?q=a", "/local/register?q=a", "/local/sync"):
        assert requests.get(tablet.url + path, timeout=10).status_code == 403, path
    unchanged(tablet, draft, before)


def test_the_app_page_carries_the_secret_and_its_own_host_and_origin_pass(tablet: Serve,
                                                                         draft: dict[str, Any]) -> None:
    secret = tablet.secret()
    for host in (f"127.0.0.1:{tablet.port}", f"localhost:{tablet.port}"):
        page = requests.get(tablet.url + "/", headers={"Host": host}, timeout=10)
        assert page.status_code == 200
        assert re.search(r'<meta name="local-secret" content="([^"]+)">', page.text).group(1) == secret  # type: ignore[union-attr]
        saved = requests.put(tablet.url + f"/local/inspections/{draft['id']}", json={"notes": "Van de app."},
                             headers={"Host": host, "Origin": f"http://{host}", "X-Local-Secret": secret}, timeout=10)
        assert saved.status_code == 200


def test_a_photo_is_shown_with_the_secret_in_its_url_and_refused_without(tablet: Serve) -> None:
    content = jpeg(21, size=200)
    sha = tablet.local("POST", "/local/photos", files={"photo": ("a.jpg", content, "image/jpeg")}).json()["sha256"]
    assert requests.get(f"{tablet.url}/local/photos/{sha}?secret={tablet.secret()}", timeout=10).content == content
    assert requests.get(f"{tablet.url}/local/photos/{sha}", timeout=10).status_code == 403
    assert requests.get(f"{tablet.url}/local/photos/{sha}?secret=fout", timeout=10).status_code == 403
    assert tablet.local("GET", f"/local/state?secret={tablet.secret()}", headers={"X-Local-Secret": ""}
                        ).status_code == 403, "the query parameter is for photos only"


def test_the_secret_is_made_once_per_data_folder_and_kept_in_its_store(tmp_path: Path) -> None:
    first = Serve(tmp_path / "a")
    try:
        secret = first.secret()
        assert len(secret) >= 32
    finally:
        first.close()
    again = Serve(tmp_path / "a")
    other = Serve(tmp_path / "b")
    try:
        assert again.secret() == secret and other.secret() != secret
        assert secret in requests.get(again.url + "/", timeout=10).text
    finally:
        again.close()
        other.close()
    assert stat.S_IMODE(os.stat(tmp_path / "a" / DB_NAME).st_mode) == 0o600
