"""Uploads that go wrong: stopped after the last chunk, content that does not decode, too many pixels,
a full disk; partials per owner, their quota and their expiry."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from flask import Flask
from reportlab.pdfgen import canvas

from server.attachments import expire_partials, final_path
from server.db import get_db
from tests.conftest import Api
from tests.sync_fixtures import Device
from tests.test_attachments import head, jpeg, partials, upload


@pytest.fixture
def device(api: Api, app: Flask) -> Device:
    return Device(api, app, "handhaver")


@pytest.fixture
def other(api: Api, app: Flask) -> Device:
    """A tablet of the second handhaver."""
    return Device(api, app, "handhaver2")


def sha_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def png(width: int, height: int, rows: int | None = None) -> bytes:
    """Return a grey PNG of this size, all black: tiny on disk, huge once decoded.

    With `rows`, only that many rows of image data follow the header (a file that claims more
    than it holds), so a header of any size costs nothing to make.
    """
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer = zlib.compressobj(9)
    line = b"\x00" * (width + 1)  # filter byte, then one byte per pixel
    idat = b"".join(packer.compress(line) for _ in range(height if rows is None else rows)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def block_keeping(app: Flask, sha: str) -> Path:
    """Put a file where the photo's folder goes: keeping the upload then fails once all its bytes are on disk,
    as when the server stops right after the last chunk."""
    blocker = final_path(Path(app.config["DATA"]), sha).parent
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_bytes(b"")
    return blocker


# --- 1. an upload stopped after its last chunk ------------------------------------------------


def test_an_upload_stopped_after_its_last_chunk_completes_on_the_next_head(device: Device, app: Flask) -> None:
    photo = jpeg(11)
    sha = sha_of(photo)
    blocker = block_keeping(app, sha)
    assert upload(device, sha, photo, 0, len(photo)).status_code == 500
    blocker.unlink()
    assert head(device, sha) == (len(photo), True)
    assert final_path(Path(app.config["DATA"]), sha).read_bytes() == photo
    assert partials(app, sha) == []


def test_an_upload_stopped_after_its_last_chunk_completes_on_the_next_put(device: Device, app: Flask) -> None:
    photo = jpeg(12)
    sha = sha_of(photo)
    blocker = block_keeping(app, sha)
    half = len(photo) // 2
    upload(device, sha, photo[:half], 0, len(photo))
    assert upload(device, sha, photo[half:], half, len(photo)).status_code == 500
    blocker.unlink()
    again = upload(device, sha, photo[half:], half, len(photo))  # the tablet sends its last chunk once more
    assert again.status_code == 200 and again.json == {"offset": len(photo), "complete": True}
    assert final_path(Path(app.config["DATA"]), sha).read_bytes() == photo


# --- 2. what the bytes must be ------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40,  # JPEG magic, then garbage
    jpeg(13, size=400)[:3000],  # a real photo cut off
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,  # PNG magic, then garbage
], ids=["jpeg-magic-then-garbage", "truncated-jpeg", "png-magic-then-garbage"])
def test_an_image_that_does_not_decode_whole_is_refused_and_dropped(device: Device, app: Flask,
                                                                     body: bytes) -> None:
    sha = sha_of(body)
    reply = upload(device, sha, body, 0, len(body))
    assert reply.status_code == 422 and reply.json["error"] == "unreadable"
    assert "niet bewaard" in reply.json["message"]
    assert partials(app, sha) == [] and not final_path(Path(app.config["DATA"]), sha).exists()
    assert head(device, sha) == (0, False)


def test_an_image_over_the_pixel_limit_is_refused_before_it_is_decoded(device: Device, app: Flask) -> None:
    huge = png(9000, 9000)  # 81 megapixel in well under 100 KB
    assert len(huge) < 100_000
    reply = upload(device, sha_of(huge), huge, 0, len(huge))
    assert reply.status_code == 422 and reply.json["error"] == "too_many_pixels"
    assert "9000 x 9000" in reply.json["message"] and "40 megapixel" in reply.json["message"]
    assert partials(app, sha_of(huge)) == []


def test_pillows_own_bomb_check_never_fires_whatever_the_setting(device: Device, app: Flask) -> None:
    # 400 megapixel: past Pillow's threshold, whose warning the suite turns into an error.
    app.config["ATTACHMENT_MAX_PIXELS"] = 10**12
    bomb = png(20000, 20000, rows=10)
    reply = upload(device, sha_of(bomb), bomb, 0, len(bomb))
    assert reply.status_code == 422 and reply.json["error"] == "too_many_pixels"


def test_the_pixel_limit_is_a_setting(device: Device, app: Flask) -> None:
    app.config["ATTACHMENT_MAX_PIXELS"] = 5000
    big, small = jpeg(14, size=100), jpeg(15, size=60)
    assert upload(device, sha_of(big), big, 0, len(big)).status_code == 422
    assert upload(device, sha_of(small), small, 0, len(small)).json["complete"] is True


def test_a_pdf_is_kept_only_with_its_start_and_its_end(device: Device) -> None:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Machtiging tot binnentreden")
    page.save()
    whole = out.getvalue()
    assert upload(device, sha_of(whole), whole, 0, len(whole)).json["complete"] is True
    cut = whole[:-40]
    reply = upload(device, sha_of(cut), cut, 0, len(cut))
    assert reply.status_code == 422 and "%%EOF" in reply.json["message"]


# --- 6. a full disk -------------------------------------------------------------------------------


def test_a_full_disk_answers_507_and_the_upload_resumes_afterwards(device: Device, app: Flask) -> None:
    photo = jpeg(16, size=500)
    sha = sha_of(photo)
    half = len(photo) // 2
    upload(device, sha, photo[:half], 0, len(photo))
    [part] = partials(app, sha)
    kept = part.with_name("kept")
    part.rename(kept)
    part.symlink_to("/dev/full")  # every write there fails with ENOSPC, as on a full disk
    reply = upload(device, sha, photo[half:], half, len(photo))
    assert reply.status_code == 507 and reply.json["message"] == (
        "De schijf van de server is vol; probeer het later opnieuw. Er is niets verloren gegaan.")
    part.unlink()
    kept.rename(part)  # space again
    assert head(device, sha) == (half, False)
    assert upload(device, sha, photo[half:], half, len(photo)).json == {"offset": len(photo), "complete": True}
    assert final_path(Path(app.config["DATA"]), sha).read_bytes() == photo


# --- 3. partials have an owner, a quota and an expiry ---------------------------------------------


def test_another_caller_sending_the_same_hash_gets_a_partial_of_his_own(api: Api, device: Device,
                                                                       other: Device, app: Flask) -> None:
    photo = jpeg(17, size=500)
    sha = sha_of(photo)
    half, third = len(photo) // 2, len(photo) // 3
    upload(device, sha, photo[:half], 0, len(photo))
    assert head(other, sha) == (0, False)
    appended = upload(other, sha, photo[half:], half, len(photo))  # onto someone else's partial: no
    assert appended.status_code == 409 and appended.json["offset"] == 0
    token_head = api.call("HEAD", f"/api/v1/attachments/{sha}", as_="handhaver")  # same user, no device
    assert token_head.headers["Upload-Offset"] == "0"
    assert upload(other, sha, photo[:third], 0, len(photo)).json == {"offset": third, "complete": False}
    assert len(partials(app, sha)) == 2
    assert upload(device, sha, photo[half:], half, len(photo)).json["complete"] is True
    assert head(other, sha) == (third, False)  # the first upload's end is not his
    assert upload(other, sha, photo[third:], third, len(photo)).json["complete"] is True
    assert final_path(Path(app.config["DATA"]), sha).read_bytes() == photo


def test_partials_over_the_quota_of_a_device_are_refused_with_413(device: Device, other: Device,
                                                                  app: Flask) -> None:
    first, second = jpeg(18, size=400), jpeg(19, size=400)
    app.config["ATTACHMENT_PARTIAL_QUOTA_BYTES"] = len(first) + len(second) // 2
    upload(device, sha_of(first), first[:100], 0, len(first))
    refused = upload(device, sha_of(second), second[:100], 0, len(second))
    assert refused.status_code == 413 and refused.json["error"] == "partial_quota"
    assert "onvoltooide uploads" in refused.json["message"]
    assert upload(other, sha_of(second), second[:100], 0, len(second)).status_code == 200  # his own quota
    upload(device, sha_of(first), first[100:], 100, len(first))  # done: no longer a partial
    assert upload(device, sha_of(second), second[:100], 0, len(second)).status_code == 200


def test_an_idle_partial_expires_at_the_next_upload_call(device: Device, other: Device, app: Flask) -> None:
    photo, later = jpeg(20, size=400), jpeg(21)
    upload(device, sha_of(photo), photo[:500], 0, len(photo))
    app.config["ATTACHMENT_PARTIAL_HOURS"] = 0  # every partial idle for more than no time at all
    upload(other, sha_of(later), later[:100], 0, len(later))
    assert partials(app, sha_of(photo)) == []
    assert head(device, sha_of(photo)) == (0, False)


def test_the_expiry_job_removes_partials_idle_too_long_and_files_nobody_knows(device: Device,
                                                                             app: Flask) -> None:
    photo = jpeg(22, size=400)
    sha = sha_of(photo)
    upload(device, sha, photo[:500], 0, len(photo))
    data = Path(app.config["DATA"])
    stray = data / "attachments" / "partial" / f"{'e' * 64}.part"  # the layout before partials had owners
    stray.write_bytes(b"half a photo")
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=30)).timestamp()
    os.utime(stray, (old, old))
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        assert expire_partials(get_db(), data, 24, now + dt.timedelta(hours=23)) == 0
        assert partials(app, sha) != []
        assert expire_partials(get_db(), data, 24, now + dt.timedelta(hours=25), strays=True) == 2
    assert partials(app, sha) == [] and not stray.exists()
    assert head(device, sha) == (0, False)
