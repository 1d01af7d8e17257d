"""Photos in documents: scaled to print size once, turned upright, and a broken file drawn as a placeholder."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from PIL import Image
from pypdf import PdfReader

from server.db import get_db
from server.officials import set_profile
from server.print_photos import print_path
from tests.conftest import Api, example
from tests.documents_world import pdf_text, put_photo
from tests.test_api_assignments_inspections import store_inspection


def camera_photo(width: int, height: int, orientation: int | None = None) -> bytes:
    """Return a JPEG as a camera makes it: noise over a gradient, optionally with an EXIF orientation."""
    noise = Image.effect_noise((width, height), 24)
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def rapport_pdf(api: Api, app: Flask, photos: list[str]) -> tuple[bytes, str]:
    """Store an inspection naming these photos; return its concept rapport's PDF and the rapport's URL."""
    raw = example("overbewoond.json")
    raw["inspection"]["photos"] = [{"sha256": sha, "caption": f"Foto {i + 1}", "room_id": None}
                                   for i, sha in enumerate(photos)]
    api.post("/api/v1/addresses", json=raw["address"])
    store_inspection(app, raw["inspection"], api.users["handhaver"]["id"])
    url = f"/api/v1/inspections/{raw['inspection']['id']}/rapport"
    response = api.get(url)
    assert response.status_code == 200, response.data[:300]
    body: bytes = response.data
    response.close()
    return body, url


def image_sizes(pdf: bytes) -> list[tuple[int, int]]:
    """Return the pixel size of every image the pages show."""
    sizes = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            assert image.image is not None
            sizes.append(image.image.size)
    return sizes


def test_a_camera_photo_goes_into_the_rapport_at_print_size_made_once(api: Api, app: Flask) -> None:
    original = camera_photo(3200, 2400)
    sha = put_photo(app, original, api.users["handhaver"]["id"])
    body, url = rapport_pdf(api, app, [sha])
    assert image_sizes(body) == [(1600, 1200)]
    assert len(body) < len(original) / 2
    copy = print_path(Path(app.config["DATA"]), sha)
    made = copy.stat().st_mtime_ns
    again = api.get(url)
    assert again.data == body  # the same copy, so the same document
    again.close()
    assert copy.stat().st_mtime_ns == made


def test_a_photo_is_turned_upright_by_its_exif_orientation(api: Api, app: Flask) -> None:
    sideways = camera_photo(400, 300, orientation=6)  # the camera was held upright: rotate 90 degrees
    body, _ = rapport_pdf(api, app, [put_photo(app, sideways, api.users["handhaver"]["id"])])
    assert image_sizes(body) == [(300, 400)]


def test_a_stored_photo_that_no_longer_decodes_is_a_marked_placeholder(api: Api, app: Flask) -> None:
    good = put_photo(app, camera_photo(400, 300), api.users["handhaver"]["id"])
    broken = put_photo(app, b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40, api.users["handhaver"]["id"])
    body, url = rapport_pdf(api, app, [good, broken])
    assert f"[Foto {broken} kan niet worden weergegeven]" in pdf_text(body)
    assert len(image_sizes(body)) == 1
    with app.app_context():
        set_profile(get_db(), api.users["handhaver"]["id"], {"full_name": "Jan de Vries"})
    signed = api.post(f"{url}/sign", as_="handhaver")
    assert signed.status_code == 200, signed.json
