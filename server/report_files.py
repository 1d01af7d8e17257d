"""Report files in the data folder: `DATA/reports/`, private like the data folder, written whole or not at all."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

REPORTS = "reports"


def reports_folder(data: Path) -> Path:
    """Return DATA/reports, made (0700) when missing, as private as the data folder."""
    folder = Path(data) / REPORTS
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        with contextlib.suppress(PermissionError):  # not ours to change: the data folder still guards it
            os.chmod(folder, 0o700)
    return folder


def write_atomic(path: Path, content: bytes) -> None:
    """Write a file whole under a temporary name beside it (0600), then rename it into place."""
    part = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(part, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
