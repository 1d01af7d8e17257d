"""One row of an NLExtract `adres-full` CSV turned into the address fields the BAG owns, or why it cannot be.

Pure functions of text (no database): the import checks every row with them in its streaming
pass, and the merge rules (what the BAG may overwrite in a stored address) live here too.
"""

from __future__ import annotations

import math
import re
from typing import Any

from schemas.address import (
    BAG_PATTERNS,
    GEMEENTECODE_RE,
    HUISLETTER_RE,
    TOEVOEGING_RE,
    normalise_postcode,
    postcode_error,
)
from server.import_csv import Columns

BAG_COLUMNS = Columns(
    required=("openbareruimte", "huisnummer", "huisletter", "huisnummertoevoeging", "postcode", "woonplaats",
              "gemeente", "nummeraanduiding", "verblijfsobjectgebruiksdoel", "oppervlakteadresseerbaarobject",
              "object_id", "object_type", "nevenadres", "pandid", "pandbouwjaar", "x", "y"),
    aliases=(("oppervlakteverblijfsobject", "oppervlakteadresseerbaarobject"),),
    layout="de NLExtract-indeling adres-full (openbareruimte;huisnummer;huisletter;huisnummertoevoeging;postcode;"
           "woonplaats;gemeente;provincie;nummeraanduiding;verblijfsobjectgebruiksdoel;"
           "oppervlakteadresseerbaarobject;verblijfsobjectstatus;object_id;object_type;nevenadres;pandid;pandstatus;"
           "pandbouwjaar;x;y;lon;lat)")

OBJECT_TYPES = {"vbo": "verblijfsobject", "verblijfsobject": "verblijfsobject", "lig": "ligplaats",
                "ligplaats": "ligplaats", "sta": "standplaats", "standplaats": "standplaats"}
TRUE, FALSE = frozenset({"t", "true", "1", "ja", "j", "y", "yes"}), frozenset({"f", "false", "0", "nee", "n", "no"})
# The address fields an import of the BAG writes; everything else of an address stays as it is.
BAG_FIELDS = ("bag_id", "postcode", "huisnummer", "huisletter", "toevoeging", "straat", "woonplaats", "gemeentecode",
              "gebruiksdoel", "bag_floor_area_m2", "bouwjaar", "pand_id", "object_type", "object_id", "nevenadres",
              "x", "y", "bag_gone_on")
MAX_TEXT = 80
MAX_FLOOR_AREA = 10000  # the address schema's floor_area_m2 stays below this; the BAG's own field goes higher
_DIGITS = re.compile(r"^[0-9]+$")


class GemeentenError(ValueError):
    """The setting that maps municipality names to gemeentecodes cannot be read."""


def gemeenten(setting: str) -> dict[str, str]:
    """Return municipality name (lower case) -> gemeentecode from 'Aalsmeer=0358,Amstelveen=0362'."""
    found: dict[str, str] = {}
    for part in setting.split(","):
        if not part.strip():
            continue
        name, _, code = part.partition("=")
        name, code = name.strip(), code.strip()
        if not name or not GEMEENTECODE_RE.match(code):
            raise GemeentenError(f"WOONTOEZICHT_BAG_GEMEENTEN: {part.strip()!r} is geen paar naam=gemeentecode "
                                 "(zoals Aalsmeer=0358).")
        found[name.lower()] = code
    if not found:
        raise GemeentenError("WOONTOEZICHT_BAG_GEMEENTEN is leeg: noem de gemeenten die u inleest, zoals "
                             "Aalsmeer=0358.")
    return found


def bag_id(raw: str, kind: str) -> tuple[str | None, str | None]:
    """Return a BAG id left-padded to 16 digits, or the Dutch reason it is none of this kind."""
    if not _DIGITS.match(raw) or len(raw) > 16:
        return None, f"{raw!r} is geen BAG-id (16 cijfers)"
    padded = raw.zfill(16)
    if not BAG_PATTERNS[kind].match(padded):
        return None, f"{raw!r} is geen {kind} (16 cijfers met {_kind_code(kind)} op plaats 5 en 6)"
    return padded, None


def _kind_code(kind: str) -> str:
    return BAG_PATTERNS[kind].pattern[9:11]


def _number(raw: str, what: str, errors: list[str], *, low: float, high: float,
            whole: bool = False) -> float | int | None:
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        errors.append(f"{what} {raw!r} is geen getal")
        return None
    if not math.isfinite(value) or (whole and not value.is_integer()):
        errors.append(f"{what} {raw!r} is geen geldig {'jaartal' if whole else 'getal'}")
        return None
    if not low <= value <= high:
        errors.append(f"{what} {raw!r} ligt niet tussen {low:g} en {high:g}")
        return None
    return int(value) if whole else value


def check_row(fields: dict[str, str], codes: dict[str, str]) -> tuple[dict[str, Any] | None, list[str], str | None]:
    """Return (the BAG's address fields, errors, None), or (None, [], gemeente) for a row of another municipality."""
    code = codes.get(fields["gemeente"].lower())
    if code is None:
        return None, [], fields["gemeente"] or "(leeg)"
    errors: list[str] = []
    number_id, why = bag_id(fields["nummeraanduiding"], "nummeraanduiding")
    if why:
        errors.append(f"nummeraanduiding {why}")
    postcode = normalise_postcode(fields["postcode"])
    bad_postcode = postcode_error(postcode) if postcode else "Postcode ontbreekt."
    if bad_postcode:
        errors.append(f"postcode {fields['postcode']!r}: {bad_postcode}")
    huisnummer = None
    if not _DIGITS.match(fields["huisnummer"]) or not 1 <= int(fields["huisnummer"]) <= 99999:
        errors.append(f"huisnummer {fields['huisnummer']!r} is geen getal van 1 tot 99999")
    else:
        huisnummer = int(fields["huisnummer"])
    letter, toevoeging = fields["huisletter"] or None, fields["huisnummertoevoeging"] or None
    if letter and not HUISLETTER_RE.match(letter):
        errors.append(f"huisletter {letter!r} is geen enkele letter")
    if toevoeging and not TOEVOEGING_RE.match(toevoeging):
        errors.append(f"huisnummertoevoeging {toevoeging!r} is geen 1 tot 4 letters of cijfers")
    straat = fields["openbareruimte"]
    if len(straat) > MAX_TEXT:
        straat = fields.get("verkorteopenbareruimte") or straat
    if not straat or len(straat) > MAX_TEXT:
        errors.append("openbareruimte ontbreekt" if not straat else f"openbareruimte is langer dan {MAX_TEXT} tekens")
    woonplaats = fields["woonplaats"]
    if not woonplaats or len(woonplaats) > MAX_TEXT:
        errors.append("woonplaats ontbreekt" if not woonplaats else f"woonplaats is langer dan {MAX_TEXT} tekens")
    object_type = OBJECT_TYPES.get(fields["object_type"].lower())
    object_id = None
    if object_type is None:
        errors.append(f"object_type {fields['object_type']!r} is geen VBO, LIG of STA")
    else:
        object_id, why = bag_id(fields["object_id"], object_type)
        if why:
            errors.append(f"object_id {why}")
    pand_id = None
    if fields["pandid"]:
        pand_id, why = bag_id(fields["pandid"], "pand")
        if why:
            errors.append(f"pandid {why}")
    nevenadres = None
    if fields["nevenadres"]:
        flag = fields["nevenadres"].lower()
        if flag not in TRUE | FALSE:
            errors.append(f"nevenadres {fields['nevenadres']!r} is geen t of f")
        nevenadres = flag in TRUE
    area = _number(fields["oppervlakteadresseerbaarobject"], "oppervlakte", errors, low=0, high=999999)
    bouwjaar = _number(fields["pandbouwjaar"], "pandbouwjaar", errors, low=1000, high=9999, whole=True)
    x = _number(fields["x"], "x", errors, low=-7000, high=300000)
    y = _number(fields["y"], "y", errors, low=289000, high=629000)
    doelen = [d.strip() for d in fields["verblijfsobjectgebruiksdoel"].split(",") if d.strip()]
    if any(len(d) > 40 for d in doelen):
        errors.append("verblijfsobjectgebruiksdoel is te lang")
    if errors:
        return None, errors, None
    return {"bag_id": number_id, "postcode": postcode, "huisnummer": huisnummer,
            "huisletter": letter.upper() if letter else None, "toevoeging": toevoeging.upper() if toevoeging else None,
            "straat": straat, "woonplaats": woonplaats, "gemeentecode": code, "gebruiksdoel": doelen or None,
            "bag_floor_area_m2": float(area) if area else None,  # 0: not registered (a ligplaats, a standplaats)
            "bouwjaar": bouwjaar, "pand_id": pand_id, "object_type": object_type, "object_id": object_id,
            "nevenadres": nevenadres, "x": x, "y": y, "bag_gone_on": None}, [], None


def floor_area(current: dict[str, Any], bag_area: float | None) -> tuple[float | None, str | None]:
    """Return the address's floor_area_m2 and floor_area_source once the BAG registers `bag_area`.

    A measured (gemeten) or stated (opgave) area is never replaced. The BAG fills an empty area
    and keeps its own (source bag) up to date. An area whose source was never recorded (entered
    before sources were kept) is not replaced either, since it may have been measured; when it
    equals the BAG's, it is the BAG's, and is marked so.
    """
    value, source = current.get("floor_area_m2"), current.get("floor_area_source")
    usable = bag_area if bag_area is not None and 0 < bag_area < MAX_FLOOR_AREA else None
    if source in ("gemeten", "opgave"):
        return value, source
    if source == "bag" or value is None:
        return usable, "bag" if usable is not None else None
    return value, "bag" if usable is not None and value == usable else source


def merged(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Return the address (without its meta fields) as it is after the BAG's fields of a row are applied."""
    record = {**current, **patch}
    record["floor_area_m2"], record["floor_area_source"] = floor_area(current, patch["bag_floor_area_m2"])
    return record


def unchanged(current: dict[str, Any], record: dict[str, Any]) -> bool:
    """Return whether applying the BAG changes nothing (a field an older record lacks counts as null)."""
    return all(current.get(k) == v for k, v in record.items())


def label(address: dict[str, Any]) -> str:
    """Return an address as one line: 'Zijdstraat 12A-2, 1431AB Aalsmeer'."""
    number = f"{address.get('huisnummer')}{address.get('huisletter') or ''}"
    if address.get("toevoeging"):
        number += f"-{address['toevoeging']}"
    return f"{address.get('straat')} {number}, {address.get('postcode')} {address.get('woonplaats')}"
