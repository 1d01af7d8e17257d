"""Tablets for the beheerder: the list, what each reported of its unsynced work, and revoking one with care.

A revoked tablet wipes its local data at its next connection, queued changes too. So revoking one that
reported unsynced work (or never reported whether it has any: an older app) is refused unless the
beheerder gives that work up (force) or lets the tablet keep its data (keep_data). The CLI's
`device revoke` and the office's Tablets page both go through `revoke`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from reports.fmt import tijdstip
from server.auth import revoke_device
from server.db import rows, write


class UnknownDevice(LookupError):
    """No tablet has this id."""


class UnsyncedWork(Exception):
    """The tablet reported unsynced work, or never reported: revoking it would wipe that work."""

    def __init__(self, device: dict[str, Any]) -> None:
        self.device = device
        self.pending: int | None = device["outbox_size"]
        if self.pending is None:
            text = (f"Tablet {device['id']} ({device['label']}) heeft nooit gemeld of er nog niet-verzonden werk op "
                    "staat (een oudere versie van de app). Intrekken kan dat werk wissen.")
        else:
            text = f"Tablet {device['id']} ({device['label']}) meldde {outbox_text(device)}. Intrekken wist dat werk."
        super().__init__(text)


@dataclass
class Revoked:
    """What revoking did: the device as it was, whether it was revoked before, the work it reported."""

    device: dict[str, Any]
    already: bool
    pending: int


def outbox_text(device: dict[str, Any]) -> str:
    """Return what a tablet last reported of its unsynced work, in Dutch."""
    size = device.get("outbox_size")
    if size is None:
        return "niet-verzonden werk onbekend"
    if size == 0:
        return "niets te verzenden"
    text = f"{size} {'wijziging' if size == 1 else 'wijzigingen'} niet verzonden"
    if device.get("outbox_oldest_at"):
        text += f" (oudste van {tijdstip(device['outbox_oldest_at'])})"
    return text + (f", gemeld {tijdstip(device['outbox_reported_at'])}" if device.get("outbox_reported_at") else "")


def unsynced(device: dict[str, Any]) -> bool:
    """Return whether revoking this tablet may wipe work it has not sent (reported, or never reported)."""
    return device["outbox_size"] is None or device["outbox_size"] > 0


def get_device(db: Database, device_id: str) -> dict[str, Any] | None:
    """Return one device with its user's login and full name, or None."""
    found = rows(db, "SELECT d.*, u.name AS user_name, u.full_name AS user_full_name FROM devices d "
                     "JOIN users u ON u.id = d.user_id WHERE d.id = ?", [device_id])
    return found[0] if found else None


def devices_page(db: Database, *, after: tuple[str, str] | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Return devices newest first, after (created_at, id) of the previous page, with their user's names."""
    where, params = ("WHERE (d.created_at, d.id) < (?, ?)", [after[0], after[1]]) if after else ("", [])
    return rows(db, "SELECT d.*, u.name AS user_name, u.full_name AS user_full_name FROM devices d "  # noqa: S608
                    f"JOIN users u ON u.id = d.user_id {where} ORDER BY d.created_at DESC, d.id DESC LIMIT ?",
                [*params, limit])


def revoke(db: Database, device_id: str, *, force: bool = False, keep_data: bool = False) -> Revoked:
    """Revoke a tablet; refuse (UnsyncedWork) when it may hold unsynced work, unless force or keep_data.

    A tablet revoked before stays as it was revoked (already=True). UnknownDevice for an unknown id.
    """
    with write(db):  # what the tablet reported and the revocation in one transaction: no pull in between
        found = rows(db, "SELECT * FROM devices WHERE id = ?", [device_id])
        if not found:
            raise UnknownDevice(device_id)
        device = found[0]
        if device["revoked_at"]:
            return Revoked(device, True, device["outbox_size"] or 0)
        if unsynced(device) and not (force or keep_data):
            raise UnsyncedWork(device)
        revoke_device(db, device_id, keep_data=keep_data)
    return Revoked(device, False, device["outbox_size"] or 0)
