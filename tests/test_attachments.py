"""Photos: missing-check, resumable chunked upload, hash/size/type checks, limits, download rights."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from tests.conftest import Api, new_address
from tests.sync_fixtures import Device, inspection_at, put


def jpeg(seed: int = 1, size: int = 300) -> bytes:
    """Return real JPEG bytes (noise, so it does not compress away)."""
    image = Image.effect_noise((size, size), 40 + seed)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def device(api: Api, app: Flask) -> Device:
    return Device(api, app, "handhaver")


def upload(device: Device, sha: str, body: bytes, first: int, total: int, **headers: str) -> Any:
    last = first + len(body) - 1
    return device.api.call("PUT", f"/api/v1/attachments/{sha}", as_=None, data=body,
                           headers={**device.headers, "Content-Range": f"bytes {first}-{last}/{total}", **headers})


def offset(device: Device, sha: str) -> int:
    return head(device, sha)[0]


def head(device: Device, sha: str) -> tuple[int, bool]:
    """Return (Upload-Offset, Upload-Complete) as the server tells this device."""
    reply = device.api.call("HEAD", f"/api/v1/attachments/{sha}", as_=None, headers=device.headers)
    assert reply.status_code == 200
    return int(reply.headers["Upload-Offset"]), reply.headers["Upload-Complete"] == "1"


def partials(app: Flask, sha: str) -> list[Path]:
    """Return the partial files of a hash on the server, whoever's they are."""
    return sorted((Path(app.config["DATA"]) / "attachments" / "partial").rglob(f"{sha}.part"))


def test_a_cut_upload_resumes_from_the_offset_and_verifies(device: Device, app: Flask) -> None:
    photo = jpeg()
    sha = hashlib.sha256(photo).hexdigest()
    missing = device.api.post("/api/v1/attachments/missing", as_=None, headers=device.headers,
                              json={"sha256": [sha, sha]}).json
    assert missing == {"missing": [sha]}
    half = len(photo) // 2
    first = upload(device, sha, photo[:half], 0, len(photo))
    assert first.json == {"offset": half, "complete": False}
    assert offset(device, sha) == half
    wrong_place = upload(device, sha, photo[10:half], 10, len(photo))
    assert wrong_place.status_code == 409 and wrong_place.json["offset"] == half
    done = upload(device, sha, photo[half:], half, len(photo))
    assert done.json == {"offset": len(photo), "complete": True}
    assert device.api.post("/api/v1/attachments/missing", as_=None, headers=device.headers,
                           json={"sha256": [sha]}).json == {"missing": []}
    stored = Path(app.config["DATA"]) / "attachments" / sha[:2] / sha
    assert stored.read_bytes() == photo
    again = upload(device, sha, photo, 0, len(photo))
    assert again.json["complete"] is True


def test_a_wrong_hash_is_refused_and_the_partial_data_dropped(device: Device, app: Flask) -> None:
    photo = jpeg(2)
    claimed = hashlib.sha256(b"iets anders").hexdigest()
    reply = upload(device, claimed, photo, 0, len(photo))
    assert reply.status_code == 422 and reply.json["error"] == "hash_mismatch"
    assert partials(app, claimed) == []
    assert offset(device, claimed) == 0


def test_only_allowed_types_are_kept(device: Device) -> None:
    text = b"dit is geen foto" * 10
    sha = hashlib.sha256(text).hexdigest()
    reply = upload(device, sha, text, 0, len(text))
    assert reply.status_code == 415
    png = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(png, "PNG")
    data = png.getvalue()
    assert upload(device, hashlib.sha256(data).hexdigest(), data, 0, len(data)).json["complete"] is True


def test_over_the_size_limit_is_refused(api: Api, app: Flask, device: Device) -> None:
    app.config["ATTACHMENT_MAX_BYTES"] = 1000
    photo = jpeg(3)
    reply = upload(device, hashlib.sha256(photo).hexdigest(), photo[:500], 0, len(photo))
    assert reply.status_code == 413


@pytest.mark.parametrize(("sha", "content_range", "status"), [
    ("ABC", "bytes 0-9/10", 400),
    ("a" * 64, None, 400),
    ("a" * 64, "bytes 5-2/10", 400),
    ("a" * 64, "bytes 0-9/5", 400),
    ("a" * 64, "items 0-9/10", 400),
    ("a" * 64, "bytes 0-19/30", 400),  # body shorter than the range says
])
def test_bad_uploads_get_a_clear_4xx(device: Device, sha: str, content_range: str | None, status: int) -> None:
    headers = {**device.headers}
    if content_range:
        headers["Content-Range"] = content_range
    reply = device.api.call("PUT", f"/api/v1/attachments/{sha}", as_=None, data=b"x" * 10, headers=headers)
    assert reply.status_code == status
    assert reply.json["message"]


def test_bad_missing_requests_get_422(device: Device) -> None:
    for body in ({"sha256": ["xyz"]}, {"sha256": "a" * 64}, {}):
        assert device.api.post("/api/v1/attachments/missing", as_=None, headers=device.headers,
                               json=body).status_code == 422


def test_inspection_naming_a_missing_photo_is_accepted_and_completes_later(api: Api, app: Flask,
                                                                          device: Device) -> None:
    address = new_address()
    api.post("/api/v1/addresses", json=address)
    photo = jpeg(4)
    sha = hashlib.sha256(photo).hexdigest()
    inspection = inspection_at(address["id"], photos=[{"sha256": sha, "caption": "Trap", "room_id": None}])
    result = device.push(put("inspection", inspection)).json["results"][0]
    assert (result["status"], result["attachments_complete"]) == ("applied", False)
    upload(device, sha, photo, 0, len(photo))
    api.post("/api/v1/assignments", json={"address_id": address["id"], "week": "2026-W48",
                                          "inspector_id": api.users["handhaver"]["id"]})
    pulled = [c for c in device.pull_all() if c["entity"] == "inspection"]
    assert pulled[0]["data"]["attachments_complete"] is True


def test_photos_are_readable_only_by_those_who_may_read_the_inspection(api: Api, app: Flask,
                                                                       device: Device) -> None:
    address = new_address()
    api.post("/api/v1/addresses", json=address)
    photo = jpeg(5)
    sha = hashlib.sha256(photo).hexdigest()
    upload(device, sha, photo, 0, len(photo))
    device.push(put("inspection", inspection_at(address["id"], photos=[{"sha256": sha}])))
    response = api.get(f"/api/v1/attachments/{sha}")
    assert response.get_data() == photo
    assert response.mimetype == "image/jpeg"
    response.close()
    assert api.get(f"/api/v1/attachments/{sha}", as_="handhaver2").status_code == 404
    assert api.get(f"/api/v1/attachments/{'0' * 64}").status_code == 404
