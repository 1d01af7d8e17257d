"""Who learns that a photo exists and who may have it: its uploaders, and readers of their inspections."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from flask import Flask

from server.db import get_db, rows
from tests.conftest import Api, new_address
from tests.sync_fixtures import Device, inspection_at, put
from tests.test_attachments import head, jpeg, upload


@pytest.fixture
def device(api: Api, app: Flask) -> Device:
    return Device(api, app, "handhaver")


@pytest.fixture
def other(api: Api, app: Flask) -> Device:
    """A tablet of the second handhaver."""
    return Device(api, app, "handhaver2")


@pytest.fixture
def photo(device: Device) -> tuple[bytes, str]:
    """A photo the first handhaver's tablet uploaded."""
    body = jpeg(31)
    sha = hashlib.sha256(body).hexdigest()
    assert upload(device, sha, body, 0, len(body)).json["complete"] is True
    return body, sha


def missing(device: Device, *hashes: str) -> list[str]:
    reply = device.api.post("/api/v1/attachments/missing", as_=None, headers=device.headers,
                            json={"sha256": list(hashes)})
    assert reply.status_code == 200
    return list(reply.json["missing"])


def get(device: Device, sha: str) -> Any:
    return device.api.call("GET", f"/api/v1/attachments/{sha}", as_=None, headers=device.headers)


def address_of(api: Api, user: str | None) -> dict[str, Any]:
    """Create an address, assigned to the user when given (so it is in his scope)."""
    address = new_address()
    api.post("/api/v1/addresses", json=address)
    if user:
        api.post("/api/v1/assignments", json={"address_id": address["id"], "week": "2026-W48",
                                              "inspector_id": api.users[user]["id"]})
    return address


def test_missing_and_head_tell_nothing_about_photos_the_caller_did_not_upload(api: Api, device: Device,
                                                                              other: Device,
                                                                              photo: tuple[bytes, str]) -> None:
    body, sha = photo
    assert missing(other, sha) == [sha]
    assert head(other, sha) == (0, False)
    assert missing(device, sha) == []
    assert head(device, sha) == (len(body), True)
    by_token = api.post("/api/v1/attachments/missing", as_="handhaver", json={"sha256": [sha]})
    assert by_token.json == {"missing": []}  # the same user without his tablet


def test_uploading_bytes_the_server_already_has_makes_a_second_owner(device: Device, other: Device,
                                                                     photo: tuple[bytes, str]) -> None:
    body, sha = photo
    assert get(other, sha).status_code == 404
    assert upload(other, sha, body, 0, len(body)).json == {"offset": len(body), "complete": True}
    assert missing(other, sha) == []
    assert head(other, sha) == (len(body), True)
    response = get(other, sha)
    assert response.status_code == 200 and response.get_data() == body
    response.close()


def test_naming_a_photo_one_did_not_upload_grants_nothing(api: Api, device: Device, other: Device,
                                                          photo: tuple[bytes, str]) -> None:
    _, sha = photo
    theirs = address_of(api, "handhaver")
    assert device.push(put("inspection", inspection_at(theirs["id"], photos=[{"sha256": sha}]))).status_code == 200
    mine = address_of(api, "handhaver2")
    draft = inspection_at(mine["id"], status="draft", finished_at=None, photos=[{"sha256": sha}])
    result = other.push(put("inspection", draft)).json["results"][0]
    assert result["status"] == "applied"
    assert get(other, sha).status_code == 404
    assert api.get(f"/api/v1/attachments/{sha}", as_="handhaver2").status_code == 404
    response = api.get(f"/api/v1/attachments/{sha}")  # the teamleider reads the uploader's inspection
    assert response.status_code == 200
    response.close()


def test_whoever_may_read_the_uploaders_inspection_may_have_its_photo(api: Api, device: Device, other: Device,
                                                                      photo: tuple[bytes, str]) -> None:
    _, sha = photo
    address = address_of(api, "handhaver2")  # the second handhaver's assignment: he reads its inspections
    device.push(put("inspection", inspection_at(address["id"], photos=[{"sha256": sha}])))
    response = get(other, sha)
    assert response.status_code == 200
    response.close()


def test_head_missing_and_refused_reads_are_audited(app: Flask, other: Device, photo: tuple[bytes, str]) -> None:
    _, sha = photo
    missing(other, sha)
    head(other, sha)
    get(other, sha)
    with app.app_context():
        logged = rows(get_db(), "SELECT action, record_id, detail FROM audit_log WHERE user_id = ? "
                                "AND entity = 'attachment' ORDER BY rowid", [other.user["id"]])
    assert [(r["action"], r["record_id"]) for r in logged] == [("missing", None), ("head", sha),
                                                               ("read_denied", sha)]
    assert '"missing":1' in logged[0]["detail"].replace(" ", "")


def test_photos_are_answered_private_and_never_sniffed(api: Api, device: Device, photo: tuple[bytes, str]) -> None:
    _, sha = photo
    response = get(device, sha)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_a_hash_with_a_trailing_newline_is_refused_everywhere(api: Api, device: Device,
                                                              photo: tuple[bytes, str]) -> None:
    body, sha = photo
    for method in ("HEAD", "GET", "PUT"):
        reply = device.api.call(method, f"/api/v1/attachments/{sha}%0A", as_=None, data=body,
                                headers={**device.headers, "Content-Range": f"bytes 0-{len(body) - 1}/{len(body)}"})
        assert reply.status_code == 400, method
    refused = device.api.post("/api/v1/attachments/missing", as_=None, headers=device.headers,
                              json={"sha256": [sha + "\n"]})
    assert refused.status_code == 422
    address = address_of(api, "handhaver")
    result = device.push(put("inspection", inspection_at(address["id"], photos=[{"sha256": sha + "\n"}])))
    assert result.json["results"][0]["status"] == "rejected"


def test_an_inspection_naming_a_photo_someone_else_uploaded_is_not_complete_until_its_own_upload(
        api: Api, device: Device, other: Device, photo: tuple[bytes, str]) -> None:
    body, sha = photo
    address = address_of(api, "handhaver2")
    inspection = inspection_at(address["id"], photos=[{"sha256": sha, "caption": "Gang", "room_id": None}])
    result = other.push(put("inspection", inspection)).json["results"][0]
    assert result["status"] == "applied" and result["attachments_complete"] is False
    pulled = [c for c in other.pull_all() if c["entity"] == "inspection" and c["id"] == inspection["id"]]
    assert pulled[0]["data"]["attachments_complete"] is False
    assert upload(other, sha, body, 0, len(body)).json["complete"] is True
    fresh = Device(api, other.api.client.application, "handhaver2")  # pulls everything anew
    pulled = [c for c in fresh.pull_all() if c["entity"] == "inspection" and c["id"] == inspection["id"]]
    assert pulled and pulled[0]["data"]["attachments_complete"] is True


def test_naming_someone_elses_photo_does_not_draw_it_into_ones_rapport(api: Api, device: Device, other: Device,
                                                                       photo: tuple[bytes, str]) -> None:
    from tests.documents_world import pdf_images
    _, sha = photo
    address = address_of(api, "handhaver2")
    inspection = inspection_at(address["id"], photos=[{"sha256": sha, "caption": "Niet de mijne", "room_id": None}])
    assert other.push(put("inspection", inspection)).json["results"][0]["status"] == "applied"
    rapport = api.get(f"/api/v1/inspections/{inspection['id']}/rapport", as_="handhaver2")
    assert rapport.status_code == 200
    assert pdf_images(rapport.data) == 0, "the other handhaver's photo is not in his rapport"
    rapport.close()
    with api.client.application.app_context():
        from server.db import get_db
        from server.officials import set_profile
        set_profile(get_db(), api.users["handhaver2"]["id"], {"full_name": "Chris Bakker"})
    signed = api.post(f"/api/v1/inspections/{inspection['id']}/rapport/sign", as_="handhaver2", json={})
    assert signed.status_code == 409 and "foto" in signed.json["message"], "it waits for his own upload"
