"""Collect the content of a document from plain data: `collect(kind, data) -> document`.

The server gathers the data (it owns the database and computes the legal terms); this
module only words it, in Dutch, into the block structure `reports.render` draws. The
result is JSON-ready, so a concept can be stored and rendered again unchanged.

`data` holds:

- `kenmerk`, `letter_date` (ISO), `handler` {`name`, `title`}, `letterhead` {`name`,
  `address` [lines], `logo`}, `bijlagen` [titles], `toelichting` (free text or None);
- `case` (the stored case: `number`, `violations`, `assessment`, `impact`, `opened_on`,
  `melding`, `status`, `terms`), `address` (the stored address); `addressee` {`name`, `lines`
  (the window-envelope address block), `kind`, `kvk`, `party_id`} or None; `parties` [{`role`,
  `name`}] at the address on the letter date;
- `inspections`: [{`inspection`, `evaluation` {`findings`, `not_assessed`, `residents`,
  `norm_set`}, `inspector`, `norm_set` (the full set, for its parameters) or None}];
- `remedies` {code: text}; `terms` {`zienswijze`, `bezwaar`, `begunstigingstermijn`
  {code: term}, `herstel` {code: term}}, each term {`start`, `nominal_end`, `end`,
  `moved_because`}; `dwangsom` {`amount`, `per` ("week" or "overtreding"), `max`};
  `boete` {`amount`, `max`}; `boete_publication` (bool);
- `previous` {kind: {`kenmerk`, `letter_date`, `sent_on`}} for the letters before this one;
  `zienswijze_ontvangen` (ISO date or None);
- for a dossier: `timeline` [{`at`, `label`, `user_name`, `document`}], `documents`
  [{`kenmerk`, `title`, `letter_date`, `status`, `sent_on`, `sha256`}].
"""

from __future__ import annotations

from typing import Any, Callable

from reports import boete_letters, letter_parts, letters
from reports.dossier import dossier
from reports.rapport import TITLES as RAPPORT_TITLES
from reports.rapport import rapport
from reports.words import address_line

TITLES = {
    **RAPPORT_TITLES,
    "waarschuwing": "Waarschuwing",
    "voornemen_lod": "Voornemen last onder dwangsom",
    "besluit_lod": "Besluit last onder dwangsom",
    "invordering": "Besluit tot invordering van een verbeurde dwangsom",
    "voornemen_boete": "Voornemen bestuurlijke boete",
    "besluit_boete": "Besluit bestuurlijke boete",
    "publicatie": "Besluit tot openbaarmaking van een bestuurlijke boete",
    "dossier": "Dossier",
}

letter_parts.TITLES.update(TITLES)

BUILDERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "rapport": rapport, "waarschuwing": letters.waarschuwing, "voornemen_lod": letters.voornemen_lod,
    "besluit_lod": letters.besluit_lod, "invordering": letters.invordering,
    "voornemen_boete": boete_letters.voornemen_boete, "besluit_boete": boete_letters.besluit_boete,
    "publicatie": boete_letters.publicatie, "dossier": dossier,
}


def collect(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Return the content of a document of a kind from the data the server gathered."""
    if kind not in BUILDERS:
        raise ValueError(f"unknown document kind {kind!r}")
    return BUILDERS[kind](data)


__all__ = ["BUILDERS", "TITLES", "address_line", "collect"]
