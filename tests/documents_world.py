"""Helpers for document tests: a photo in the attachment store, PDF text, the case data tables."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from pathlib import Path
from typing import Any

from flask import Flask
from pypdf import PdfReader

from server.attachments import final_path
from tests.test_api_bad_input import snapshot

RENDERS = Path(__file__).resolve().parent.parent / "artifacts" / "documents"


LANDLORD: dict[str, Any] = {"kind": "rechtspersoon", "name": "Voorbeeld Verhuur B.V.", "kvk": "00000358",
            "postal_address": {"straat": "Voorbeeldweg", "huisnummer": 12, "huisletter": "a", "toevoeging": None,
                               "postcode": "1431 zz", "woonplaats": "Aalsmeer"}}


def give_landlord(api: Any, address_id: str, **changes: Any) -> dict[str, Any]:
    """Record the verhuurder of an address as a party with a (made-up) postal address; return the party."""
    party = api.post("/api/v1/parties", json={**LANDLORD, **changes})
    assert party.status_code == 201, party.json
    linked = api.post(f"/api/v1/addresses/{address_id}/parties", json={"party_id": party.json["id"],
                                                                      "role": "verhuurder"})
    assert linked.status_code == 201, linked.json
    return dict(party.json)


def put_photo(app: Flask, content: bytes, owner_id: str | None = None) -> str:
    """Keep a photo in the server's attachment store as a finished upload would; return its SHA-256.

    With owner_id, that user uploaded it (only an inspector's own uploads go into his rapport).
    """
    sha256 = hashlib.sha256(content).hexdigest()
    target = final_path(Path(app.config["DATA"]), sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    if owner_id:
        from server.db import get_db
        with app.app_context():
            db = get_db()
            db.execute("INSERT OR IGNORE INTO attachments (sha256, size, content_type, created_at, user_id) VALUES "
                       "(?, ?, 'image/jpeg', '2026-11-18T10:00:00+00:00', ?)", [sha256, len(content), owner_id])
            db.execute("INSERT OR IGNORE INTO attachment_owners (sha256, user_id, created_at) VALUES (?, ?, "
                       "'2026-11-18T10:00:00+00:00')", [sha256, owner_id])
            db.conn.commit()
    return sha256


def pdf_text(pdf: bytes) -> str:
    """Return the text of every page, whitespace (non-breaking included) folded to single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def pdf_pages(pdf: bytes) -> int:
    """Return the number of pages."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def pdf_images(pdf: bytes) -> int:
    """Return how many images the pages show."""
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def render_png(pdf: bytes, name: str, pages: int = 2) -> list[Path]:
    """Render the first pages to PNG with pdftoppm into artifacts/documents/; return the files."""
    RENDERS.mkdir(parents=True, exist_ok=True)
    source = RENDERS / f"{name}.pdf"
    source.write_bytes(pdf)
    for old in RENDERS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", str(pages), str(source), str(RENDERS / name)],
                   check=True, capture_output=True)
    return sorted(RENDERS.glob(f"{name}-*.png"))


def case_tables(app: Flask) -> dict[str, Any]:
    """Return every row of the case tables, to prove a refused request changed nothing."""
    return snapshot(app, ("cases", "case_events", "documents", "history", "assignments"))
