"""The demo's enforcement case runs from the rapport to the besluit and a Wgv boete, every letter complete."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask

from server import create_app
from server.db import get_db
from server.demo import load_demo
from server.documents import Settings, approved_pdf, get_document
from server.evaluation import app_norm_sets
from tests.documents_world import pdf_text, render_png

KINDS = ["voornemen_lod", "waarschuwing", "besluit_lod", "voornemen_boete", "invordering", "besluit_boete",
         "publicatie", "dossier"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = create_app({"DATA": str(tmp_path_factory.mktemp("demo") / "data"), "TESTING": True})
    with app.app_context():
        load_demo(get_db(), app_norm_sets(), config=app.config)
    return app


def test_every_letter_of_the_demo_case_was_approved_and_sent_on_its_own_date(demo: Flask) -> None:
    with demo.app_context():
        db = get_db()
        number = db.execute("SELECT number FROM cases WHERE status = 'afgesloten'").fetchone()[0]
        docs = [dict(r) for r in db.query("SELECT * FROM documents WHERE kenmerk LIKE ? ORDER BY created_at",
                                          [f"{number}-%"])]
        assert [d["kind"] for d in docs] == KINDS
        for d in docs:
            assert d["status"] == "approved" and d["sha256"], d["kind"]
            assert d["approved_at"][:10] <= d["letter_date"], "a letter is dated on or after its approval"
            if d["kind"] != "dossier":
                assert d["sent_on"] == d["letter_date"] and d["dispatch_method"] == "aangetekend"
                assert d["dispatch_reference"].startswith("RR")
        case = json.loads(db.execute("SELECT data FROM cases WHERE number = ?", [number]).fetchone()[0])
        assert case["result"] == "bestuurlijke_boete"
        assert {t: v["state"] for t, v in case["tracks"].items()} == {"lod": "afgerond", "wgv": "afgerond"}
        states = {x["code"]: x["states"] for x in case["lasten"]}
        assert states["ROOKMELDER"]["lod"] == "hersteld" and states["VLUCHTWEG"]["lod"] == "betaald"
        assert states["HUURCONTRACT"]["wgv"] == "betaald"


def test_every_term_the_demo_letters_state_has_passed_honestly(demo: Flask) -> None:
    today = dt.date.today()
    with demo.app_context():
        db = get_db()
        for row in db.query("SELECT data FROM documents WHERE case_id IS NOT NULL AND kind != 'dossier'"):
            gathered = json.loads(row["data"])["gathered"]
            ends = [t["end"] for t in gathered["terms"].values() if isinstance(t, dict) and "end" in t]
            ends += [x[k]["end"] for x in gathered["lasten"] for k in ("term", "herstel", "due") if x.get(k)]
            assert ends and all(dt.date.fromisoformat(e) < today for e in ends), ends


@pytest.mark.parametrize("kind", KINDS)
def test_each_demo_letter_reads_complete_from_its_pdf(demo: Flask, kind: str) -> None:
    with demo.app_context():
        db = get_db()
        row = db.execute("SELECT id FROM documents WHERE kind = ? AND case_id IS NOT NULL ORDER BY created_at DESC",
                         [kind]).fetchone()
        pdf = approved_pdf(Settings(demo.config), get_document(db, row[0]))
    text = pdf_text(pdf)
    render_png(pdf, f"demo-{kind}", pages=3)
    if kind == "dossier":
        assert "Dossier handhavingszaak" in text and "Rechtsgevolg" in text and "Zienswijze" in text
        return
    assert "namens het college van burgemeester en wethouders van Aalsmeer" in text
    assert "Behandeld door" in text and "1431 ZZ AALSMEER" in text
    assert ("artikel 5:37" in text) if kind == "invordering" else ("Overtreden voorschrift" in text)
    assert "CONCEPT" not in text
    if kind.startswith("besluit") or kind in ("invordering", "publicatie"):
        assert "Bezwaar" in text and "voorlopige voorziening" in text
