"""Taken (beheerder): the scheduled jobs with their runs, a run queued for the scheduler, a file put in an inbox.

A button queues a run (server.jobs.runs.queue_run); the scheduler process takes it within a tick. No job
ever runs inside a web request (DESIGN.md Scheduled jobs). An uploaded BAG or BRP file is checked at its
header with the imports' own checks (columns, separators, and for the BRP no columns about persons) before
anything is written, then written whole under a temporary name and linked into DATA/inbox/<kind>/ under a
name no other file has: nothing is ever overwritten.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import uuid
from pathlib import Path
from typing import IO, Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response

from reports.fmt import getal
from schemas.base import BaseSchema, Str, max_length, one_of
from server.audit import audit
from server.bag_rows import BAG_COLUMNS
from server.brp_import import LAYOUTS, personal_columns
from server.db import get_db, rows
from server.import_csv import NOT_UTF8, Columns, FileRefused, header_names
from server.inbox import waiting
from server.jobs import TIMEZONE
from server.jobs.commands import describe, job_status
from server.jobs.registry import JOBS
from server.jobs.runs import OUTCOMES, TRIGGERS, queue_run, queued, runs_of
from server.web import bp
from server.web.access import page, signed_in
from server.web.forms import parse

INBOXES = {"bag": ("BAG-adressen (NLExtract adres-full)", "import-bag"),
           "brp": ("BRP-aantallen per adres", "import-brp")}
HEADER_BYTES = 64 * 1024  # a header row longer than this is no header of ours
FORM_MARGIN = 64 * 1024  # the form's other fields and the multipart boundaries around the file
CHUNK = 1024 * 1024
# What the jobs count, in words (keys of Outcome.counts).
COUNT_WORDS = {"rows": "regels", "new": "nieuw", "changed": "gewijzigd", "unchanged": "ongewijzigd",
               "skipped": "overgeslagen", "gone": "verdwenen uit de BAG", "back": "terug in de BAG",
               "unmatched": "zonder bekend adres", "older": "ouder dan bekend", "zeroed": "op 0 gezet",
               "lock_ms": "ms schrijfslot", "bad_rows": "foute regels", "written": "gemaakt", "kept": "bestond al",
               "inspections": "inspecties", "residents": "bewoners", "brp_gap": "verschil met de BRP",
               "addresses_with_gap": "adressen met verschil", "gap": "verschil",
               "without_brp_count": "zonder BRP-aantal", "ready_for_besluit": "gereed voor besluit",
               "hercontroles_planned": "hercontroles gepland", "flags_raised": "signaleringen nieuw",
               "flags_cleared": "signaleringen opgelost", "flags_open": "signaleringen open", "cases": "zaken",
               "files": "bestanden", "bytes": "bytes", "removed": "verwijderd", "due": "te vernietigen",
               "waiting": "wachtend", "unjudged": "niet beoordeeld"}


class QueueForm(BaseSchema):
    """The button that queues a job."""

    taak = Str(required=True, validate=one_of(tuple(JOBS)))
    csrf_token = Str()


class UploadForm(BaseSchema):
    """Which inbox an uploaded file goes to (the file itself is checked apart: it is no text field)."""

    soort = Str(required=True, validate=one_of(tuple(INBOXES)))
    csrf_token = Str(validate=max_length(200))


class Refused(Exception):
    """An uploaded file that does not go into the inbox: the Dutch message at the field, and the status."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def counts_text(counts: dict[str, Any]) -> str:
    """Return a run's counts in words: '40 regels, 2 nieuw, 38 ongewijzigd'."""
    return ", ".join(f"{getal(v)} {COUNT_WORDS.get(k, k.replace('_', ' '))}" for k, v in counts.items())


def _limit() -> int:
    return int(current_app.config["INBOX_UPLOAD_MAX_BYTES"])


def _megabytes(size: int) -> str:
    return f"{getal(round(size / 1_000_000, 1))} MB" if size >= 1_000_000 else f"{getal(size)} bytes"


def _who(ids: set[str]) -> dict[str, str]:
    found = {"cli": "de opdrachtregel"}
    if ids:
        marks = ",".join("?" * len(ids))
        found.update({r["id"]: r["full_name"] or r["name"] for r in rows(
            get_db(), f"SELECT id, name, full_name FROM users WHERE id IN ({marks})", sorted(ids))})  # noqa: S608
    return found


def _jobs_page(errors: dict[str, str] | None = None, values: dict[str, str] | None = None, status: int = 200
               ) -> tuple[str, int]:
    db = get_db()
    jobs = job_status(current_app._get_current_object())  # type: ignore[attr-defined]  # what `jobs list` shows
    for job in jobs:
        job["runs"] = runs_of(db, job["name"], limit=5)
    waiting_runs = queued(db)
    data = Path(current_app.config["DATA"])
    inboxes = {kind: [p.name for p in waiting(data / "inbox" / kind)] for kind in INBOXES}
    who = _who({r["requested_by"] for j in jobs for r in j["runs"] if r["requested_by"]}
               | {q["requested_by"] for q in waiting_runs if q["requested_by"]})
    return render_template("jobs.html", jobs=jobs, queued=waiting_runs, inboxes=inboxes, kinds=INBOXES,
                           outcomes=OUTCOMES, triggers=TRIGGERS, who=who, counts_text=counts_text,
                           titles={s.name: s.title for s in JOBS.values()}, errors=errors or {},
                           values=values or {}, limit_text=_megabytes(_limit())), status


@bp.get("/taken")
@page("beheerder")
def jobs() -> tuple[str, int]:
    """Show every job: its schedule, its last runs, the queue, the inboxes and the upload form."""
    return _jobs_page()


@bp.get("/taken/<name>")
@page("beheerder")
def jobs_detail(name: str) -> str:
    """Show the last 50 runs of one job."""
    spec = JOBS.get(name)
    if spec is None:
        abort(404)
    runs = runs_of(get_db(), name, limit=50)
    who = _who({r["requested_by"] for r in runs if r["requested_by"]})
    return render_template("jobs_detail.html", spec=spec, runs=runs, outcomes=OUTCOMES, triggers=TRIGGERS, who=who,
                           counts_text=counts_text, schedule=describe(spec.schedule_in(current_app.config)))


@bp.post("/taken/uitvoeren")
@page("beheerder")
def jobs_queue() -> Response | tuple[str, int]:
    """Queue a run of a job for the scheduler (it runs within a minute, never in this request)."""
    data, errors = parse(QueueForm(), request.form, {"taak": "text", "csrf_token": "raw"})
    if data is None:
        return _jobs_page({"taak": errors.get("taak", "Kies een taak.")}, status=422)
    user = signed_in()
    assert user is not None
    db = get_db()
    entry = queue_run(db, data["taak"], user["id"], dt.datetime.now(TIMEZONE))
    audit(db, "queue", "job", data["taak"], {"queue_id": entry})
    flash(f"{JOBS[data['taak']].title} staat in de wachtrij; de planner voert de taak binnen een minuut uit. "
          "Vernieuw deze pagina om de uitkomst te zien.", "ok")
    return redirect(url_for("web.jobs"), 303)


@bp.url_value_preprocessor
def _bound_upload(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # Runs before the CSRF check reads the form: an upload may be larger than the API's JSON limit, up to its
    # own; one larger than that is answered at the field without reading the body at all.
    if endpoint != "web.jobs_upload":
        return
    allowed = _limit() + FORM_MARGIN
    request.max_content_length = allowed
    length = request.content_length
    user = signed_in()
    if length is not None and length > allowed and user is not None and user["role"] == "beheerder":
        text, status = _jobs_page({"bestand": f"Het bestand is groter dan {_megabytes(_limit())}; niets opgeslagen."},
                                  {"soort": request.args.get("soort", "")}, 413)
        abort(current_app.make_response((text, status)))


@bp.post("/taken/inbox")
@page("beheerder")
def jobs_upload() -> Response | tuple[str, int]:
    """Put an uploaded BAG or BRP CSV into its inbox, checked first; the import job reads it."""
    data, errors = parse(UploadForm(), request.form, {"soort": "text", "csrf_token": "raw"})
    values = {"soort": request.form.get("soort", "")}
    if data is None:
        return _jobs_page(errors, values, 422)
    kind = data["soort"]
    try:
        target = store_upload(request.files.get("bestand"), kind)
    except Refused as err:
        return _jobs_page({"bestand": err.message}, values, err.status)
    db = get_db()
    audit(db, "upload", "inbox", f"{kind}/{target.name}", {"bytes": target.stat().st_size})
    title = JOBS[INBOXES[kind][1]].title
    flash(f"{target.name} staat in inbox/{kind}/. De taak ‘{title}’ leest het bij haar volgende run; zet haar "
          "hieronder in de wachtrij om het nu te doen.", "ok")
    return redirect(url_for("web.jobs") + f"#taak-{INBOXES[kind][1]}", 303)


def store_upload(upload: FileStorage | None, kind: str) -> Path:
    """Check an uploaded CSV and link it into DATA/inbox/<kind>/ under a free name; return where it went."""
    if upload is None or not upload.filename:
        raise Refused("Kies een bestand; niets opgeslagen.")
    name = secure_filename(upload.filename)
    if not name.lower().endswith(".csv") or name.startswith("."):
        raise Refused("Kies een CSV-bestand: de naam eindigt op .csv. Niets opgeslagen.")
    stream: IO[bytes] = upload.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise Refused("Het bestand is leeg; niets opgeslagen.")
    if size > _limit():
        raise Refused(f"Het bestand is groter dan {_megabytes(_limit())}; niets opgeslagen.", 413)
    check_header(stream.read(HEADER_BYTES), kind)
    stream.seek(0)
    inbox = Path(current_app.config["DATA"]) / "inbox" / kind
    inbox.mkdir(mode=0o700, parents=True, exist_ok=True)
    return _link_free(_write_part(stream, inbox, name), inbox, name)


def check_header(head: bytes, kind: str) -> list[str]:
    """Return the column names of a file's header row, or raise Refused with what the import would refuse."""
    if b"\x00" in head:
        raise Refused("Dit is geen CSV-bestand (het bevat binaire gegevens); niets opgeslagen.")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    lines = [line for line in head.split(b"\n")]
    complete = lines[:-1] if len(head) == HEADER_BYTES else lines
    first = next((line for line in complete if line.strip()), None)
    if first is None:
        raise Refused("Geen kopregel gevonden: is dit een CSV-bestand met puntkomma's (;)? Niets opgeslagen.")
    try:
        text = first.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        raise Refused(f"De kopregel is {NOT_UTF8}. Niets opgeslagen.") from None
    raw = next(csv.reader([text], delimiter=";"))
    try:
        names = header_names(raw, BAG_COLUMNS if kind == "bag" else Columns(required=()))
    except FileRefused as err:
        raise Refused(f"{err} Niets opgeslagen.") from None
    if kind == "brp":
        personal = personal_columns(names)
        if personal:  # the BRP import's own check: only counts per address may enter the product
            raise Refused(f"Het bestand bevat persoonsgegevens ({', '.join(personal)}). Woontoezicht leest alleen "
                          f"aantallen per adres: maak een selectie met alleen de kolommen {LAYOUTS}. Niets opgeslagen.")
    return names


def _write_part(stream: IO[bytes], inbox: Path, name: str) -> Path:
    """Write the upload whole under a hidden temporary name in the inbox (the jobs read *.csv only), synced."""
    part = inbox / f".{name}.{uuid.uuid4().hex}.part"
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return part


def _link_free(part: Path, inbox: Path, name: str) -> Path:
    """Give the written file its name, or the name with -2, -3, ... when one is taken: never overwrite."""
    stem, suffix = os.path.splitext(name)
    try:
        for n in range(1, 1000):
            target = inbox / (name if n == 1 else f"{stem}-{n}{suffix}")
            try:
                os.link(part, target)  # fails when the name exists, where a rename would replace it
            except FileExistsError:
                continue
            return target
        raise Refused("Er staan al te veel bestanden met deze naam in de inbox; niets opgeslagen.", 409)
    finally:
        part.unlink(missing_ok=True)
