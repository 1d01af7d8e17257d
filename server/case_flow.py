"""The lifecycle of a handhavingszaak as an explicit state machine, and the LHS matrix.

Pure data and functions: the store and the API call `next_state` and refuse
what it refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.settings import config_file

STATES = {
    "open": "Geopend",
    "waarschuwing": "Waarschuwing verzonden",
    "voornemen": "Voornemen last onder dwangsom verzonden (zienswijzetermijn)",
    "besluit": "Last onder dwangsom opgelegd (begunstigingstermijn)",
    "hercontrole": "Hercontrole gepland",
    "verbeurd": "Dwangsom verbeurd",
    "invordering": "Invordering",
    "gesloten": "Gesloten",
}
OPEN_STATES = tuple(s for s in STATES if s != "gesloten")


@dataclass(frozen=True)
class Transition:
    """One step: from which states, to which state (None: stays), and its Dutch label."""

    sources: tuple[str, ...]
    target: str | None
    label: str


TRANSITIONS: dict[str, Transition] = {
    "waarschuwing_verzonden": Transition(("open",), "waarschuwing", "Waarschuwing verzonden"),
    "voornemen_verzonden": Transition(("open", "waarschuwing", "hercontrole"), "voornemen",
                                      "Voornemen last onder dwangsom verzonden"),
    "zienswijze_ontvangen": Transition(("voornemen",), None, "Zienswijze ontvangen"),
    "besluit_verzonden": Transition(("voornemen",), "besluit", "Besluit last onder dwangsom verzonden"),
    "boete_voornemen_verzonden": Transition(("open", "waarschuwing", "besluit", "hercontrole"), None,
                                            "Voornemen bestuurlijke boete verzonden"),
    "hercontrole_gepland": Transition(("waarschuwing", "besluit"), "hercontrole", "Hercontrole gepland"),
    "hersteld": Transition(("waarschuwing", "hercontrole"), "gesloten", "Gesloten: overtredingen hersteld"),
    "verbeurd": Transition(("hercontrole",), "verbeurd", "Dwangsom verbeurd: niet hersteld na de begunstigingstermijn"),
    "invordering_gestart": Transition(("verbeurd",), "invordering", "Invordering gestart"),
    "betaald": Transition(("invordering",), "gesloten", "Gesloten: verbeurde dwangsom betaald"),
    "ingetrokken": Transition(OPEN_STATES, "gesloten", "Gesloten: zaak ingetrokken"),
}

# Sending an approved letter of this kind takes this step.
DOCUMENT_STEP = {
    "waarschuwing": "waarschuwing_verzonden",
    "voornemen_lod": "voornemen_verzonden",
    "besluit_lod": "besluit_verzonden",
    "voornemen_boete": "boete_voornemen_verzonden",
}


class IllegalTransition(Exception):
    """The step is not allowed from the case's current state."""


def next_state(state: str, action: str) -> str:
    """Return the state after an action; raise IllegalTransition when not allowed."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise IllegalTransition(f"Onbekende stap: {action}.")
    if state not in transition.sources:
        allowed = ", ".join(a for a, t in TRANSITIONS.items() if state in t.sources) or "geen"
        raise IllegalTransition(f"'{transition.label}' kan niet in de toestand '{STATES[state]}'. "
                                f"Mogelijke stappen: {allowed}.")
    return transition.target or state


def allowed_actions(state: str) -> list[str]:
    """Return the actions allowed in a state."""
    return [a for a, t in TRANSITIONS.items() if state in t.sources]


def can_make_document(state: str, kind: str) -> bool:
    """Return whether a concept letter of this kind may be made in this state."""
    step = DOCUMENT_STEP.get(kind)
    return step is None or state in TRANSITIONS[step].sources


def load_matrix(path: str | None = None) -> dict[str, Any]:
    """Return the LHS matrix: the shipped default, or the file at path."""
    matrix = config_file(path, "lhs_matrix.json")
    for impact in ("1", "2", "3", "4"):
        for behaviour in "ABCD":
            if matrix["matrix"][impact][behaviour] not in matrix["interventions"]:
                raise ValueError(f"LHS-matrix: onbekende interventie in cel {impact}{behaviour}.")
    return matrix


def impact_of(violations: list[dict[str, Any]]) -> int:
    """Return the impact class of a case: the most serious violation (at least 1)."""
    return max([int(v["impact"]) for v in violations] + [1])


def suggest(matrix: dict[str, Any], impact: int, behaviour: str) -> str:
    """Return the intervention the matrix suggests for impact 1-4 and behaviour A-D."""
    return str(matrix["matrix"][str(impact)][behaviour])
