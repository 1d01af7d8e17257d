"""The application factory."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify
from flask.json.provider import DefaultJSONProvider

from schemas import jsontext
from server import api, db, errors, web
from server.evaluation import app_norm_sets, install_norm_sets, load_app_norm_sets
from server.http import gzip_response
from server.legal_basis import load_app_register
from server.migrations import migrate
from server.settings import read_settings


class JsonProvider(DefaultJSONProvider):
    """Flask's JSON answers, compact and unsorted, written by orjson (the same values, faster)."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Return obj as JSON text; orjson for the compact answers, Flask's json for anything else."""
        if kwargs == {"separators": (",", ":")}:  # how response() writes when not debugging
            return jsontext.dumps(obj, default=self.default)
        return super().dumps(obj, **kwargs)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, database (migrated), norm sets, error handling and routes."""
    app = Flask(__name__)
    app.config.from_mapping(read_settings())
    if test_config:
        app.config.update(test_config)
    data = Path(app.config["DATA"]).resolve()  # relative folders too: send_file reads against the package
    app.config["DATA"] = str(data)
    data.mkdir(mode=0o700, parents=True, exist_ok=True)  # the database, photos and letters: no one else's
    _private(data)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_REQUEST_BYTES"]
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or _stored_secret(data)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_NAME"] = "woontoezicht_kantoor"  # cookies ignore ports: not the tablet app's
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=app.config["SESSION_HOURS"])  # idle time
    app.json = JsonProvider(app)

    load_app_norm_sets(app)
    load_app_register(app)
    db.init_app(app)
    errors.init_app(app)
    api.init_app(app)
    web.init_app(app)
    app.after_request(gzip_response)
    with app.app_context():
        prepare_database()

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"status": "ok"})

    return app


def prepare_database() -> list[str]:
    """Apply pending migrations and store new norm set versions; return the migrations applied."""
    database = db.get_db()
    applied = migrate(database)
    install_norm_sets(database, app_norm_sets())
    return applied


def _private(data: Path) -> None:
    """Make an existing data folder and its database its owner's only (older releases made them readable)."""
    for path, mode in ((data, 0o700), *((data / f"woontoezicht.db{end}", 0o600) for end in ("", "-wal", "-shm"))):
        try:
            if path.exists() and path.stat().st_mode & 0o077:
                os.chmod(path, mode)
        except PermissionError:  # not ours to change: leave it, the folder still guards it
            continue


def _stored_secret(data: Path) -> str:
    """Return the session secret kept in the data folder, made on first use."""
    path = data / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    return path.read_text().strip()
