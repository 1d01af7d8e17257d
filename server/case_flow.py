"""The lifecycle of a handhavingszaak: its tracks, its lasten and the steps between them, in one table.

Pure data and functions: server/cases.py and the office pages call `check_step` and refuse what it
refuses. A case is `open` until it is closed (`afgesloten`, with a result). It has up to two
tracks, each its own state machine:

- `lod`, the last onder dwangsom, for the lasten whose rule has a voorschrift (a binding rule):
  voornemen -> zienswijze_ontvangen | gereed_voor_besluit (the zienswijze term ended) -> besluit ->
  afgerond (every last is done) | ingetrokken.
- `wgv`, for violations of the Wet goed verhuurderschap only (regime wgv or wgv_vergunning):
  waarschuwing -> hercontrole (after the warning's hersteltermijn) -> voornemen_boete ->
  zienswijze_ontvangen (optional) -> besluit_boete -> publicatie -> afgerond | ingetrokken.

Every last (one per violated rule code) moves on its own: in the lod track open -> hersteld |
verbeurd -> invordering -> betaald, ingetrokken at any point; in the wgv track open -> hersteld |
nog_aanwezig (a hercontrole after the term found it again) -> beboet -> betaald. So a fire-safety
last due in two weeks is checked in two weeks, not with the eight-week ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.settings import config_file

CASE_STATES = {"open": "Open", "afgesloten": "Afgesloten"}
TRACKS = {"lod": "Last onder dwangsom", "wgv": "Wet goed verhuurderschap: waarschuwing en bestuurlijke boete"}
TRACK_STATES: dict[str, dict[str, str]] = {
    "lod": {
        "geen": "Nog geen stap gezet",
        "voornemen": "Voornemen verzonden; de zienswijzetermijn loopt",
        "zienswijze_ontvangen": "Zienswijze ontvangen; gereed voor het besluit",
        "gereed_voor_besluit": "Zienswijzetermijn verstreken zonder zienswijze; gereed voor het besluit",
        "besluit": "Last onder dwangsom opgelegd; de begunstigingstermijnen lopen",
        "afgerond": "Afgerond",
        "ingetrokken": "Ingetrokken",
    },
    "wgv": {
        "geen": "Nog geen stap gezet",
        "waarschuwing": "Waarschuwing verzonden; de hersteltermijn loopt",
        "hercontrole": "Hercontrole na de hersteltermijn",
        "voornemen_boete": "Voornemen bestuurlijke boete verzonden; de zienswijzetermijn loopt",
        "zienswijze_ontvangen": "Zienswijze op het boetevoornemen ontvangen",
        "besluit_boete": "Bestuurlijke boete opgelegd",
        "publicatie": "Besluit tot openbaarmaking verzonden",
        "afgerond": "Afgerond",
        "ingetrokken": "Ingetrokken",
    },
}
LAST_STATES: dict[str, dict[str, str]] = {
    "lod": {"open": "Open", "hersteld": "Hersteld", "verbeurd": "Dwangsom verbeurd", "invordering": "Invordering",
            "betaald": "Verbeurde dwangsom betaald", "ingetrokken": "Ingetrokken",
            "niet_opgenomen": "Niet in de last opgenomen"},
    "wgv": {"open": "Open", "hersteld": "Hersteld", "nog_aanwezig": "Bij de hercontrole nog aanwezig",
            "beboet": "Bestuurlijke boete opgelegd", "betaald": "Boete betaald", "ingetrokken": "Ingetrokken",
            "niet_opgenomen": "Niet gewaarschuwd"},
}
FINAL_TRACK = ("afgerond", "ingetrokken")
FINAL_LAST = ("hersteld", "betaald", "ingetrokken", "niet_opgenomen")
ACTIVE_TRACK = tuple(s for s in TRACK_STATES["lod"] if s not in ("geen", *FINAL_TRACK))


@dataclass(frozen=True)
class Step:
    """One step: on a track (or one of its lasten, `per_last`), from which states to which, its label and letter."""

    track: str
    sources: tuple[str, ...]
    target: str
    label: str
    per_last: bool = False
    letter: str | None = None  # the step happens when an approved letter of this kind is sent


STEPS: dict[str, Step] = {
    # The lod track.
    "voornemen_verzonden": Step("lod", ("geen",), "voornemen", "Voornemen last onder dwangsom verzonden",
                                letter="voornemen_lod"),
    "zienswijze_ontvangen": Step("lod", ("voornemen", "gereed_voor_besluit"), "zienswijze_ontvangen",
                                 "Zienswijze op het voornemen ontvangen"),
    "zienswijzetermijn_verstreken": Step("lod", ("voornemen",), "gereed_voor_besluit",
                                         "Zienswijzetermijn verstreken zonder zienswijze"),
    "besluit_verzonden": Step("lod", ("voornemen", "zienswijze_ontvangen", "gereed_voor_besluit"), "besluit",
                              "Besluit last onder dwangsom verzonden", letter="besluit_lod"),
    "lod_ingetrokken": Step("lod", ACTIVE_TRACK, "ingetrokken", "Last onder dwangsom ingetrokken"),
    # Its lasten, each on its own after the besluit.
    "hercontrole_gepland": Step("lod", ("open", "verbeurd"), "", "Hercontrole gepland", per_last=True),
    "hersteld": Step("lod", ("open", "verbeurd"), "hersteld", "Last uitgevoerd: hersteld", per_last=True),
    "verbeurd": Step("lod", ("open",), "verbeurd", "Dwangsom verbeurd: de last is niet op tijd uitgevoerd",
                     per_last=True),
    "invordering_verzonden": Step("lod", ("verbeurd",), "invordering", "Invorderingsbeschikking verzonden",
                                  per_last=True, letter="invordering"),
    "dwangsom_betaald": Step("lod", ("invordering",), "betaald", "Verbeurde dwangsom betaald", per_last=True),
    "last_ingetrokken": Step("lod", ("open", "verbeurd", "invordering"), "ingetrokken", "Last ingetrokken",
                             per_last=True),
    # The wgv track.
    "waarschuwing_verzonden": Step("wgv", ("geen",), "waarschuwing", "Waarschuwing verzonden (Wgv)",
                                   letter="waarschuwing"),
    "wgv_hercontrole_gepland": Step("wgv", ("waarschuwing", "hercontrole"), "hercontrole",
                                    "Hercontrole na de hersteltermijn gepland"),
    "boete_voornemen_verzonden": Step("wgv", ("hercontrole",), "voornemen_boete",
                                      "Voornemen bestuurlijke boete verzonden", letter="voornemen_boete"),
    "boete_zienswijze_ontvangen": Step("wgv", ("voornemen_boete",), "zienswijze_ontvangen",
                                       "Zienswijze op het boetevoornemen ontvangen"),
    "boete_besluit_verzonden": Step("wgv", ("voornemen_boete", "zienswijze_ontvangen"), "besluit_boete",
                                    "Besluit bestuurlijke boete verzonden", letter="besluit_boete"),
    "publicatie_verzonden": Step("wgv", ("besluit_boete",), "publicatie", "Besluit tot openbaarmaking verzonden",
                                 letter="publicatie"),
    "boete_betaald": Step("wgv", ("besluit_boete", "publicatie"), "afgerond", "Bestuurlijke boete betaald"),
    "wgv_ingetrokken": Step("wgv", ("waarschuwing", "hercontrole", "voornemen_boete", "zienswijze_ontvangen",
                                    "besluit_boete", "publicatie"), "ingetrokken", "Wgv-traject ingetrokken"),
    # A wgv violation at the hercontrole: found again (a new finding) or gone.
    "wgv_hersteld": Step("wgv", ("open", "nog_aanwezig"), "hersteld", "Overtreding beëindigd (hercontrole)",
                         per_last=True),
    "wgv_nog_aanwezig": Step("wgv", ("open",), "nog_aanwezig", "Overtreding bij de hercontrole nog aanwezig",
                             per_last=True),
}
# Steps on the case as a whole.
CASE_STEPS = {"afgesloten": "Zaak afgesloten", "ingetrokken": "Zaak ingetrokken"}

LETTER_STEP = {step.letter: name for name, step in STEPS.items() if step.letter}
LETTERS = tuple(LETTER_STEP)


class IllegalStep(Exception):
    """The step is not allowed in the case's current state (the message says why, in Dutch)."""


def track_state(case: dict[str, Any], track: str) -> str:
    """Return a track's state ("geen" when it never started)."""
    return str(((case.get("tracks") or {}).get(track) or {}).get("state") or "geen")


def lasten_of(case: dict[str, Any], track: str) -> list[dict[str, Any]]:
    """Return the lasten that take part in a track (a wgv-track last has a wgv regime)."""
    return [last for last in case.get("lasten") or [] if track in last.get("tracks", ())]


def last_state(last: dict[str, Any], track: str) -> str:
    """Return a last's state in a track."""
    return str((last.get("states") or {}).get(track) or "open")


def check_step(case: dict[str, Any], name: str, code: str | None = None) -> Step:
    """Return the step when the case allows it now (for a last, `code` names it); else raise IllegalStep."""
    if case.get("status") != "open":
        raise IllegalStep("De zaak is afgesloten; er kan geen stap meer worden gezet.")
    step = STEPS.get(name)
    if step is None:
        raise IllegalStep(f"Onbekende stap: {name}.")
    state = track_state(case, step.track)
    if step.per_last:
        if step.track == "lod" and state != "besluit" and name != "last_ingetrokken":
            raise IllegalStep(f"'{step.label}' kan pas nadat de last onder dwangsom is opgelegd "
                              f"({TRACK_STATES['lod'][state]}).")
        if step.track == "wgv" and state not in ("hercontrole", "voornemen_boete", "zienswijze_ontvangen"):
            raise IllegalStep(f"'{step.label}' hoort bij de hercontrole na de waarschuwing "
                              f"({TRACK_STATES['wgv'][state]}).")
        last = next((x for x in lasten_of(case, step.track) if x["code"] == code), None)
        if last is None:
            raise IllegalStep(f"Deze zaak heeft geen last {code or '(geen code gegeven)'} in dit traject.")
        current = last_state(last, step.track)
        if current not in step.sources:
            raise IllegalStep(f"'{step.label}' kan niet bij een last in de toestand "
                              f"'{LAST_STATES[step.track][current]}'.")
        return step
    if state not in step.sources:
        raise IllegalStep(f"'{step.label}' kan niet nu het traject '{TRACKS[step.track]}' in de toestand "
                          f"'{TRACK_STATES[step.track][state]}' is.")
    if not lasten_of(case, step.track):
        raise IllegalStep(f"Deze zaak heeft geen overtredingen voor het traject '{TRACKS[step.track]}'.")
    return step


def allowed_steps(case: dict[str, Any]) -> list[dict[str, Any]]:
    """Return every step the case allows now (those that follow from a letter included), for buttons."""
    out = []
    for name, step in STEPS.items():
        codes = [last["code"] for last in lasten_of(case, step.track)] if step.per_last else [None]
        for code in codes:
            try:
                check_step(case, name, code)
            except IllegalStep:
                continue
            out.append({"action": name, "track": step.track, "code": code, "label": step.label,
                        "letter": step.letter})
    if case.get("status") == "open" and all_final(case):
        out.append({"action": "afgesloten", "track": None, "code": None, "label": CASE_STEPS["afgesloten"],
                    "letter": None})
    if case.get("status") == "open":
        out.append({"action": "ingetrokken", "track": None, "code": None, "label": CASE_STEPS["ingetrokken"],
                    "letter": None})
    return out


def all_final(case: dict[str, Any]) -> bool:
    """Return whether every last is done in one of its tracks and every started track is done (may be closed).

    A last nobody acted on keeps the case open: dropping it is `ingetrokken`, with a reason.
    """
    done = ("hersteld", "betaald", "ingetrokken")
    if any(not any(s in done for s in (last.get("states") or {}).values()) for last in case.get("lasten") or []):
        return False
    for track in TRACKS:
        state = track_state(case, track)
        if state == "geen":
            continue
        if state not in FINAL_TRACK and not (track == "lod" and state == "besluit" and all(
                last_state(last, "lod") in FINAL_LAST for last in lasten_of(case, "lod"))):
            return False
    return True


def can_make_letter(case: dict[str, Any], kind: str) -> str | None:
    """Return why a concept letter of this kind cannot be made now (Dutch), or None when it can."""
    name = LETTER_STEP.get(kind)
    if name is None:
        return None
    step = STEPS[name]
    codes = [last["code"] for last in lasten_of(case, step.track)] if step.per_last else [None]
    reasons = []
    for code in codes:
        try:
            check_step(case, name, code)
        except IllegalStep as err:
            reasons.append(str(err))
        else:
            return None
    return reasons[0] if reasons else f"Deze zaak heeft geen overtredingen voor het traject '{TRACKS[step.track]}'."


# --- the LHS matrix -------------------------------------------------------------------------------

def load_matrix(path: str | None = None) -> dict[str, Any]:
    """Return the LHS matrix: the shipped default, or the file at path."""
    matrix = config_file(path, "lhs_matrix.json")
    for impact in ("1", "2", "3", "4"):
        for behaviour in "ABCD":
            if matrix["matrix"][impact][behaviour] not in matrix["interventions"]:
                raise ValueError(f"LHS-matrix: onbekende interventie in cel {impact}{behaviour}.")
    return matrix


def impact_of(violations: list[dict[str, Any]]) -> int:
    """Return the impact class of a set of violations: the most serious one (at least 1)."""
    return max([int(v["impact"]) for v in violations] + [1])


def suggest(matrix: dict[str, Any], impact: int, behaviour: str) -> str:
    """Return the intervention the matrix suggests for impact 1-4 and behaviour A-D."""
    return str(matrix["matrix"][str(impact)][behaviour])
