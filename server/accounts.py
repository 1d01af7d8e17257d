"""The beheerder's rules for accounts: a new user with a temporary password, disable and enable, change
of role, a password reset; never leaving the office without an active beheerder.

Passwords are made here and shown once; the user chooses his own at his first sign-in (server.auth
add_user and set_password with temporary=True, which also ends his sessions).
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlite_utils import Database

from schemas.base import BaseSchema, Str, matches, one_of
from server.auth import NAME_RE, ROLES, add_user, set_password
from server.db import rows, write
from server.errors import Conflict, NotFound
from server.officials import ProfileSchema, public_user
from server.store import now

# Typed from a screen or a note: no 0/O, 1/l/I.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 - an alphabet
ROLE_LABELS = {"handhaver": "handhaver (toezichthouder)", "teamleider": "teamleider", "beheerder": "beheerder"}


class NewUserSchema(ProfileSchema):
    """A user the beheerder adds: login name, role and the official's fields."""

    name = Str(required=True, validate=matches(NAME_RE.pattern, "Een gebruikersnaam is 2 tot 64 letters, cijfers, "
                                                                "punt, - of _, en begint met een letter of cijfer."))
    role = Str(required=True, validate=one_of(ROLES))


class RoleSchema(BaseSchema):
    """A new role for a user."""

    role = Str(required=True, validate=one_of(ROLES))


new_user_schema = NewUserSchema()
role_schema = RoleSchema()


def temporary_password() -> str:
    """Return a new temporary password: three groups of four, easy to read out and type."""
    raw = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def create(db: Database, values: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Add a user from NewUserSchema's values with a temporary password; return (user, password)."""
    password = temporary_password()
    profile = {k: v for k, v in values.items() if k not in ("name", "role")}
    user = add_user(db, values["name"], values["role"], password, profile, temporary=True)
    return public_user(user), password


def _user(db: Database, user_id: str) -> dict[str, Any]:
    found = rows(db, "SELECT * FROM users WHERE id = ?", [user_id])
    if not found:
        raise NotFound("Gebruiker niet gevonden.")
    return found[0]


def _last_beheerder(db: Database, user: dict[str, Any]) -> bool:
    """Return whether this user is the only active beheerder."""
    if user["role"] != "beheerder" or user["disabled_at"]:
        return False
    others = rows(db, "SELECT 1 FROM users WHERE role = 'beheerder' AND disabled_at IS NULL AND id != ? LIMIT 1",
                  [user["id"]])
    return not others


def set_disabled(db: Database, user_id: str, disabled: bool, by: str) -> dict[str, Any]:
    """Disable a user (his sessions, API tokens and tablets stop working) or enable him again; return him.

    Nobody disables himself, and the last active beheerder stays (Conflict).
    """
    with write(db):
        user = _user(db, user_id)
        if disabled and not user["disabled_at"]:
            if user_id == by:
                raise Conflict("U kunt uzelf niet uitschakelen.")
            if _last_beheerder(db, user):
                raise Conflict("Dit is de laatste actieve beheerder; wijs eerst een andere beheerder aan.")
            db.execute("UPDATE users SET disabled_at = ? WHERE id = ?", [now(), user_id])
        elif not disabled and user["disabled_at"]:
            db.execute("UPDATE users SET disabled_at = NULL WHERE id = ?", [user_id])
        return public_user(_user(db, user_id))


def set_role(db: Database, user_id: str, role: str, by: str) -> dict[str, Any]:
    """Give a user another role; return him. The last active beheerder keeps his role (Conflict)."""
    if role not in ROLES:
        raise Conflict(f"Onbekende rol {role!r}.")
    with write(db):
        user = _user(db, user_id)
        if user["role"] == role:
            return public_user(user)
        if _last_beheerder(db, user):
            raise Conflict("Dit is de laatste actieve beheerder; wijs eerst een andere beheerder aan."
                           if user_id != by else
                           "U bent de laatste actieve beheerder; wijs eerst een andere beheerder aan.")
        db.execute("UPDATE users SET role = ? WHERE id = ?", [role, user_id])
        return public_user(_user(db, user_id))


def reset_password(db: Database, user_id: str) -> str:
    """Give a user a new temporary password (ending his sessions); return it, to show once."""
    _user(db, user_id)
    password = temporary_password()
    set_password(db, user_id, password, temporary=True)
    return password
