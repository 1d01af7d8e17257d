"""Whether the way a toezichthouder entered a dwelling is a doubtful basis, for the jurist.

A woning is entered with the consent of its resident, asked beforehand and evident (Awbi
art. 1), or with a machtiging tot binnentreden; Awb 5:15 gives a toezichthouder no power to
enter a woning without the resident's consent, and a landlord cannot consent for a let
dwelling. The toezichthouder shows his legitimation (Awb 5:12) and states the purpose
(Awbi art. 1). The rapport prints what this module finds; it judges nothing else.
"""

from __future__ import annotations

from typing import Any

LANDLORD_ROLES = ("verhuurder", "beheerder")


def entry_doubts(inspection: dict[str, Any]) -> list[str]:
    """Return, in Dutch, why the basis of entering is doubtful; empty when it is not (or nobody entered)."""
    if inspection.get("access") != "granted":
        return []
    entry = inspection.get("entry") or {}
    present = {p.get("role") for p in inspection.get("present") or []}
    doubts = []
    if not entry.get("consent_by") and not entry.get("machtiging"):
        if present & set(LANDLORD_ROLES) and "bewoner" not in present:
            doubts.append("Alleen de verhuurder of beheerder was aanwezig en er is geen machtiging: een verhuurder "
                          "kan geen toestemming geven om een verhuurde woning binnen te treden.")
        else:
            doubts.append("Niet vastgelegd dat een bewoner toestemming gaf, en er is geen machtiging tot "
                          "binnentreden.")
    if entry.get("legitimation_shown") is not True:
        doubts.append("Legitimatie niet getoond (Awb 5:12)." if entry.get("legitimation_shown") is False
                      else "Niet vastgelegd dat de legitimatie is getoond (Awb 5:12).")
    if entry.get("purpose_stated") is not True:
        doubts.append("Doel van het binnentreden niet meegedeeld (Awbi art. 1)." if entry.get("purpose_stated") is False
                      else "Niet vastgelegd dat het doel van het binnentreden is meegedeeld (Awbi art. 1).")
    return doubts


def entry_doubtful(inspection: dict[str, Any]) -> bool:
    """Return whether the basis of entering is doubtful (see entry_doubts for why)."""
    return bool(entry_doubts(inspection))
