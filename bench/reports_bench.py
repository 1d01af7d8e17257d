"""Report benchmark: collect + render of a rapport van bevindingen with 10 photos and of a dossier of 20
documents, against a bare reportlab page drawn in the same run as the baseline.

Photos are camera-sized JPEGs (4000x3000, noise over gradients, about 3 MB each) kept where and as
the server keeps them (DATA/attachments/<xx>/<sha256>), and documents find them through the
server's own `documents.Settings.image_path`, as the office does: the same bench therefore runs on
a checkout from before print copies existed, for comparison. Prints the first rapport (which makes
the print copies, where the server has them) and then the median and the slowest of several runs,
the PDF size, and the ratio to the baseline.

    python bench/reports_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import statistics
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from reports import collect, render
from schemas import address_schema, inspection_schema, shipped_norm_sets
from schemas.judge import judge
from server.documents import Settings

LETTERHEAD = {"name": "Gemeente Aalsmeer", "address": ["Raadhuisplein 1", "1431 EH Aalsmeer"], "logo": None}


def photos(data: Path, count: int) -> list[str]:
    """Write camera-like JPEGs where the server keeps photos; return their SHA-256s."""
    hashes = []
    width, height = 4000, 3000
    for i in range(count):
        noise = Image.effect_noise((width, height), 18)  # sensor noise: what keeps camera JPEGs big
        across = Image.linear_gradient("L").resize((width, height)).rotate(90 * (i % 4))
        around = Image.radial_gradient("L").resize((width, height))
        channels = (across, around, Image.blend(across, around, 0.5))
        image = Image.merge("RGB", [Image.blend(c, noise, 0.35) for c in channels])
        out = io.BytesIO()
        image.save(out, "JPEG", quality=90)
        sha = hashlib.sha256(out.getvalue()).hexdigest()
        target = data / "attachments" / sha[:2] / sha
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(out.getvalue())
        hashes.append(sha)
    return hashes


def inspection_item(photo_hashes: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    raw = json.loads(resources.files("schemas").joinpath("examples/overbewoond.json").read_text(encoding="utf-8"))
    address = address_schema.dump(address_schema.load(raw["address"]))
    inspection = inspection_schema.dump(inspection_schema.load(raw["inspection"]))
    inspection["photos"] = [{"sha256": sha, "caption": f"Foto van de situatie {i + 1}", "room_id": "r5" if i % 2
                             else None} for i, sha in enumerate(photo_hashes)]
    norm_set, evaluation = judge(inspection, address, shipped_norm_sets())
    item = {"inspection": inspection, "inspector": "handhaver", "norm_set": norm_set,
            "evaluation": {"norm_set": {"id": norm_set["id"], "version": norm_set["version"]},
                           "residents": evaluation.residents, **evaluation.as_dict()}}
    return address, item


def data_for(kind: str, address: dict[str, Any], items: list[dict[str, Any]], documents: int = 0) -> dict[str, Any]:
    violations = [f for f in items[0]["evaluation"]["findings"] if f["impact"] >= 1]
    case = {"id": "c1", "number": "HH-2026-0042", "address_id": address["id"], "status": "besluit", "violations":
            violations, "opened_on": "2026-11-19", "melding": None, "terms": {"begunstigingstermijn_end": "2027-01-14"},
            "impact": {"class": 4, "override_reason": None},
            "assessment": {"behaviour": "B", "behaviour_label": "onverschillig",
                           "behaviour_reason": "Eerder gewaarschuwd.", "suggested_label": "Last onder dwangsom",
                           "chosen_label": "Last onder dwangsom"}}
    docs = [{"kenmerk": f"HH-2026-0042-{i + 1:02d}", "title": "Brief", "letter_date": "2026-11-20",
             "status": "approved", "sent_on": "2026-11-20", "sha256": hashlib.sha256(str(i).encode()).hexdigest()}
            for i in range(documents)]
    timeline = [{"at": "2026-11-20T10:00:00+00:00", "label": f"Stap {i + 1}", "user_name": "teamleider",
                 "document": d["kenmerk"]} for i, d in enumerate(docs * 2)]
    return {"kenmerk": "HH-2026-0042-01", "letter_date": "2026-11-20", "handler": {"name": "teamleider"},
            "letterhead": LETTERHEAD, "case": case, "address": address, "inspections": items, "remedies": {},
            "terms": {}, "documents": docs, "timeline": timeline, "status_label": "Last onder dwangsom opgelegd"}


def bare_page() -> bytes:
    """The baseline: one reportlab page with a line of text."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.drawString(72, 720, "Gemeente Aalsmeer")
    page.showPage()
    page.save()
    return out.getvalue()


def timed(name: str, make: Callable[[], bytes], runs: int, baseline: float | None) -> float:
    times, size = [], 0
    make()  # warm up: fonts and imports
    for _ in range(runs):
        start = time.perf_counter()
        size = len(make())
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    ratio = f", {median / baseline:,.0f}x the bare page" if baseline else ""
    print(f"{name:<44} median {median * 1000:8.1f} ms  slowest {max(times) * 1000:8.1f} ms  "
          f"{size / 1024:8.0f} KiB{ratio}")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        hashes = photos(data, 10)
        sizes = [(data / "attachments" / sha[:2] / sha).stat().st_size for sha in hashes]
        image_path = Settings({"DATA": str(data)}).image_path

        address, item = inspection_item(hashes)
        second = copy.deepcopy(item)
        second["inspection"]["photos"] = second["inspection"]["photos"][:3]
        rapport_data = data_for("rapport", address, [item])
        dossier_data = data_for("dossier", address, [item, second], documents=20)
        print(f"reports benchmark, {args.runs} runs each (collect + render, 10 photos 4000x3000 JPEG, "
              f"{sum(sizes) / 1e6:.1f} MB together)")
        start = time.perf_counter()
        first = render(collect("rapport", rapport_data), image_path)
        print(f"{'first rapport (makes any print copies)':<44} {(time.perf_counter() - start) * 1000:8.1f} ms  "
              f"{len(first) / 1024:8.0f} KiB")
        baseline = timed("bare reportlab page (baseline)", bare_page, args.runs, None)
        rapport = timed("rapport van bevindingen, 10 photos", lambda: render(collect("rapport", rapport_data),
                                                                               image_path), args.runs, baseline)
        dossier = timed("dossier, 20 documents, 2 inspection reports",
                        lambda: render(collect("dossier", dossier_data), image_path), args.runs, baseline)
        print(f"targets: rapport < 500 ms: {'met' if rapport < 0.5 else 'MISSED'}; "
              f"dossier < 2000 ms: {'met' if dossier < 2.0 else 'MISSED'}")

if __name__ == "__main__":
    main()
