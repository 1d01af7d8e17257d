"""What letters and rapporten print of an official: full name, function, how to reach him, and for a
toezichthouder the besluit that appoints him (aanwijzing, Awb 5:11) and his legitimation number.

Login names are for signing in; letters and reports show full names (DESIGN.md user).
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError
from sqlite_utils import Database

from schemas.base import BaseSchema, Str, matches, max_length
from schemas.errors import flatten_messages
from schemas.party import EMAIL_MESSAGE, EMAIL_RE
from server.db import rows, write

PROFILE_FIELDS = ("full_name", "function_title", "email", "phone", "aanwijzing", "legitimation_no")
# Never answered: the password hash stays in the database.
PUBLIC_FIELDS = ("id", "name", "role", *PROFILE_FIELDS, "created_at", "disabled_at")
PHONE_RE = r"^\+?[0-9][0-9 ()-]{5,28}[0-9]$"


def _text(n: int, **kwargs: Any) -> Str:
    return Str(allow_none=True, validate=[max_length(n), matches(r"\S", "Mag niet leeg zijn.")], **kwargs)


class ProfileSchema(BaseSchema):
    """The fields of an official a beheerder sets; each may be null (not known yet)."""

    full_name = _text(200, metadata={"description": "Volledige naam zoals brieven hem tonen."})
    function_title = _text(200, metadata={"description": "Functie, zoals toezichthouder woonoverlast."})
    email = Str(allow_none=True, validate=[max_length(254), matches(EMAIL_RE.pattern, EMAIL_MESSAGE)])
    phone = Str(allow_none=True, validate=matches(PHONE_RE, "Een telefoonnummer is 7 tot 30 tekens: cijfers, "
                                                            "spaties, -, ( ) en een + vooraan."))
    aanwijzing = _text(300, metadata={"description": "Kenmerk van het aanwijzingsbesluit als toezichthouder "
                                                     "(Awb 5:11)."})
    legitimation_no = _text(50, metadata={"description": "Nummer van het legitimatiebewijs (Awb 5:12)."})


profile_schema = ProfileSchema()


class ProfileError(ValueError):
    """A profile value is not valid; the message is one Dutch line per field."""

    def __init__(self, messages: Any) -> None:
        super().__init__("; ".join(flatten_messages(messages)))
        self.messages = messages


def check_profile(values: dict[str, Any]) -> dict[str, Any]:
    """Return the profile values validated; raise ProfileError with Dutch field messages."""
    try:
        loaded: dict[str, Any] = profile_schema.load(values)
    except ValidationError as err:
        raise ProfileError(err.messages) from None
    return loaded


def public_user(row: dict[str, Any]) -> dict[str, Any]:
    """Return what the API may answer of a user: never the password hash."""
    return {key: row.get(key) for key in PUBLIC_FIELDS}


def list_users(db: Database, *, after: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    """Return users by id, as public_user answers them."""
    found = rows(db, "SELECT * FROM users WHERE id > ? ORDER BY id LIMIT ?", [after or "", limit])
    return [public_user(r) for r in found]


def set_profile(db: Database, user_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
    """Change some profile fields of a user; return the public user, None when unknown."""
    values = check_profile(changes)
    with write(db):
        if not rows(db, "SELECT 1 FROM users WHERE id = ?", [user_id]):
            return None
        if values:
            assignments = ", ".join(f"{key} = ?" for key in values)  # keys from the schema's fields only
            db.execute(f"UPDATE users SET {assignments} WHERE id = ?", [*values.values(), user_id])  # noqa: S608
        found = rows(db, "SELECT * FROM users WHERE id = ?", [user_id])
    return public_user(found[0])
