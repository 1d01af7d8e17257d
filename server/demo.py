"""Demo data: synthetic but realistic Aalsmeer addresses, users, assignments and inspections.

Every name, company and number here is made up; no real resident data.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from schemas import address_schema, assignment_schema, inspection_schema
from schemas.cli_locale import counted
from schemas.party import party_schema
from server import store
from server.auth import add_user, create_api_token, create_enrol_code, find_user, list_api_tokens, set_password
from server.db import rows
from server.evaluation import app_norm_sets, evaluate_and_store
from server.officials import set_profile
from server.parties import addressee, create_party, employer_role, get_party, link
from server.rapport import draft as draft_rapport

DEMO_USERS = [("teamleider", "teamleider"), ("handhaver1", "handhaver"), ("handhaver2", "handhaver"),
              ("beheerder", "beheerder")]

STREETS = {
    "woonkern": [("Zijdstraat", "1431"), ("Ophelialaan", "1431"), ("Stationsweg", "1431"), ("Clematisstraat", "1431"),
                 ("Hortensialaan", "1431"), ("Sportlaan", "1431"), ("Dorpsstraat", "1431"),
                 ("Kanaalstraat", "1431"), ("Zwarteweg", "1431"), ("Spoorlaan", "1431")],
    "lint": [("Uiterweg", "1431"), ("Aalsmeerderweg", "1431"), ("Oosteinderweg", "1432"), ("Hornweg", "1432"),
             ("Machineweg", "1432")],
    "bedrijventerrein": [("Legmeerdijk", "1432"), ("Japanlaan", "1432"), ("Lakenblekerstraat", "1431"),
                         ("Turfstekerstraat", "1431")],
    "grootschalig": [("Thailandlaan", "1432"), ("Zwarteweg", "1431")],
}
# How many demo addresses of each location type (40 in all).
MIX = {"woonkern": 20, "lint": 10, "bedrijventerrein": 6, "grootschalig": 4}
# Made-up parties: the KvK numbers start with 0000 and the postal addresses are in a Voorbeeldweg.
LANDLORDS: list[dict[str, Any]] = [
    {"kind": "rechtspersoon", "name": "Voorbeeld Vastgoed B.V.", "kvk": "00003581",
     "postal_address": {"straat": "Voorbeeldweg", "huisnummer": 1, "postcode": "1431ZZ", "woonplaats": "Aalsmeer"},
     "email": "post@voorbeeldvastgoed.invalid"},
    {"kind": "rechtspersoon", "name": "Polderwoningen Beheer B.V.", "kvk": "00003582",
     "postal_address": {"straat": "Voorbeeldweg", "huisnummer": 2, "huisletter": "B", "postcode": "1431ZZ",
                        "woonplaats": "Aalsmeer"}},
    {"kind": "rechtspersoon", "name": "Bloemhof Verhuur B.V.", "kvk": "00003583",
     "postal_address": {"straat": "Voorbeeldlaan", "huisnummer": 30, "toevoeging": "2", "postcode": "1432ZZ",
                        "woonplaats": "Aalsmeer"}},
    {"kind": "natuurlijk_persoon", "name": "J. de Voorbeeld", "kvk": None,
     "postal_address": {"straat": "Voorbeeldstraße", "huisnummer": 4, "postcode": "40210", "woonplaats": "Düsseldorf",
                        "land": "Duitsland"}},
]
AGENCIES: list[dict[str, Any] | None] = [
    {"kind": "rechtspersoon", "name": "Flex Voorbeeld B.V.", "kvk": "00003584", "postal_address": None},
    {"kind": "rechtspersoon", "name": "Tuinbouw Uitzend B.V.", "kvk": "00003585", "postal_address": None},
    {"kind": "rechtspersoon", "name": "Kwekerij De Voorbeeldhoek B.V.", "kvk": "00003586", "postal_address": None},
    None,
]
# Made-up officials: names, functions, numbers and the aanwijzing are synthetic.
DEMO_PROFILES = {
    "teamleider": {"full_name": "Ingrid Verhoef", "function_title": "teamleider handhaving wonen",
                   "email": "i.verhoef@woontoezicht-demo.invalid", "phone": "0297 000 100"},
    "handhaver1": {"full_name": "Tom Brouwer", "function_title": "toezichthouder woonoverlast",
                   "email": "t.brouwer@woontoezicht-demo.invalid", "phone": "0297 000 101",
                   "aanwijzing": "Aanwijzingsbesluit toezichthouders Aalsmeer (demo) DEMO-2026-01",
                   "legitimation_no": "DEMO-0358-101"},
    "handhaver2": {"full_name": "Fatima el Amrani", "function_title": "toezichthouder woonoverlast",
                   "email": "f.elamrani@woontoezicht-demo.invalid", "phone": "0297 000 102",
                   "aanwijzing": "Aanwijzingsbesluit toezichthouders Aalsmeer (demo) DEMO-2026-01",
                   "legitimation_no": "DEMO-0358-102"},
    "beheerder": {"full_name": "Kees Hoogland", "function_title": "functioneel beheerder",
                  "email": "k.hoogland@woontoezicht-demo.invalid", "phone": "0297 000 103"},
}


def _postcode(rng: random.Random, prefix: str) -> str:
    while True:
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRTVWXZ") for _ in range(2))
        if letters not in ("SA", "SD", "SS"):
            return prefix + letters


def demo_addresses(rng: random.Random, parties: list[tuple[dict[str, Any], dict[str, Any] | None]] | None = None
                   ) -> list[dict[str, Any]]:
    """Return 40 synthetic Aalsmeer addresses over all four location types.

    Each address's landlord and agency (or None) are appended to `parties`, in the same order.
    """
    addresses = []
    for location_type, count in MIX.items():
        for i in range(count):
            street, prefix = STREETS[location_type][i % len(STREETS[location_type])]
            verified = rng.random() < 0.55
            area = {"woonkern": rng.randint(60, 140), "lint": rng.randint(80, 220),
                    "bedrijventerrein": rng.randint(120, 600), "grootschalig": rng.randint(800, 3000)}[location_type]
            landlord, agency = rng.choice(LANDLORDS), rng.choice(AGENCIES)
            if parties is not None:
                parties.append((landlord, agency))
            addresses.append(address_schema.dump(address_schema.load({
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "bag_id": f"0358200000{rng.randint(0, 999999):06d}",
                "postcode": _postcode(rng, prefix), "huisnummer": rng.randint(1, 250),
                "huisletter": rng.choice([None, None, None, "a", "b"]),
                "toevoeging": rng.choice([None, None, None, None, "1", "2"]),
                "straat": street, "woonplaats": "Aalsmeer", "gemeentecode": "0358",
                "location_type": location_type, "verified": verified, "floor_area_m2": area,
                "brp_registered": rng.randint(0, 6) if location_type != "grootschalig" else rng.randint(40, 120),
                "notes": None if verified else "Onbevestigd adres: signaal uit de wijk.",
            })))
    return addresses


def demo_inspection(rng: random.Random, address: dict[str, Any], inspector_id: str, started: dt.datetime,
                    assignment_id: str | None) -> dict[str, Any]:
    """Return a submitted inspection of an address: some compliant, some overcrowded."""
    crowded = rng.random() < 0.6
    bedrooms = rng.randint(2, 4)
    rooms: list[dict[str, Any]] = [
        {"id": "r1", "name": "Woonkamer", "kind": "living", "storey": 0, "area_m2": 24, "beds": 0, "occupants": 0},
        {"id": "r2", "name": "Keuken", "kind": "kitchen", "storey": 0, "area_m2": 8, "beds": 0, "occupants": 0}]
    for i in range(bedrooms):
        occupants = rng.randint(2, 4) if crowded else rng.randint(1, 2)
        rooms.append({"id": f"r{i + 3}", "name": f"Slaapkamer {i + 1}", "kind": "bedroom", "storey": 1,
                      "area_m2": round(rng.uniform(6, 14), 1), "beds": occupants, "occupants": occupants})
    total = sum(r["occupants"] for r in rooms)
    return inspection_schema.dump(inspection_schema.load({
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "address_id": address["id"],
        "assignment_id": assignment_id, "kind": "controle", "started_at": started.isoformat(),
        "finished_at": (started + dt.timedelta(minutes=50)).isoformat(), "status": "submitted",
        "access": "granted", "dwelling": {"floor_area_m2": address["floor_area_m2"], "storeys": 2, "lodging": False},
        "rooms": rooms, "occupants": {"present": total - rng.randint(0, 1), "reported": total,
                                      "languages": {"pl": max(total - 2, 0), "ro": min(total, 2)}},
        "facilities": {"toilets": 1, "showers": 1, "hobs": 4, "washing_machine": True,
                       "lockable_storage": not crowded},
        "fire_safety": {"storeys_with_smoke_detector": [0] if crowded else [0, 1], "fuel_appliance": True,
                        "co_detector": not crowded, "extinguisher_near_kitchen": True, "fire_blanket": not crowded,
                        "escape_route_clear": True, "electrical_overload": crowded and rng.random() < 0.5},
        "tenancy": {"lease_start": "2024-05-01", "lease_separate_from_employment": not crowded,
                    "info_card_present": not crowded},
        "notes": "Demo-inspectie (synthetische gegevens).",
    }))


def demo_logins(db: Database, reset: bool) -> dict[str, str]:
    """Give each missing demo user (every demo user, with reset) a random password; return those name -> password."""
    logins = {}
    for name, role in DEMO_USERS:
        user = find_user(db, name)
        if user is not None and not reset:
            continue
        password = secrets.token_urlsafe(9)
        if user is None:
            add_user(db, name, role, password)
        else:
            set_password(db, user["id"], password)
        logins[name] = password
    return logins


def load_demo(db: Database, norm_sets: list[dict[str, Any]], today: dt.date | None = None,
              config: dict[str, Any] | None = None) -> dict[str, str] | None:
    """Add the demo data unless addresses exist already; return the demo logins made, or None.

    With the app config, the worst past inspection also gets a case, assessed, with a
    concept rapport van bevindingen.
    """
    if rows(db, "SELECT 1 FROM addresses LIMIT 1"):
        return None
    today = today or dt.date.today()
    rng = random.Random(358)  # noqa: S311 - synthetic data, not secrets
    logins = demo_logins(db, reset=True)
    found = [find_user(db, name) for name in ("handhaver1", "handhaver2", "teamleider")]
    if None in found:
        raise RuntimeError("demo users missing")
    handhaver_1, handhaver_2, lead = (user for user in found if user is not None)
    handhavers = [handhaver_1, handhaver_2]
    for name, profile in DEMO_PROFILES.items():
        user = find_user(db, name)
        if user is not None:
            set_profile(db, user["id"], profile)
    roles: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    addresses = demo_addresses(rng, roles)
    for address, (landlord, agency) in zip(addresses, roles, strict=True):
        store.put(db, "address", address, actor=lead["id"])
        _demo_parties(db, address["id"], landlord, agency, lead["id"])
    year, week, _ = today.isocalendar()
    this_week = f"{year}-W{week:02d}"
    for i, address in enumerate(addresses[:12]):
        inspector = handhavers[i % 2]
        store.put(db, "assignment", assignment_schema.dump(assignment_schema.load({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "address_id": address["id"],
            "inspector_id": inspector["id"], "week": this_week, "kind": "hercontrole" if i % 5 == 4 else "controle",
            "instructions": "Tel slaapkamers, bedden en bewoners; controleer rookmelders per verdieping."})),
            actor=lead["id"])
    for i, address in enumerate(addresses[12:18]):
        inspector = handhavers[i % 2]
        past = today - dt.timedelta(weeks=3 + i)
        p_year, p_week, _ = past.isocalendar()
        assignment = store.put(db, "assignment", assignment_schema.dump(assignment_schema.load({
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "address_id": address["id"],
            "inspector_id": inspector["id"], "week": f"{p_year}-W{p_week:02d}", "kind": "controle",
            "status": "done"})), actor=lead["id"])
        started = dt.datetime.combine(past, dt.time(9 + i, 15), tzinfo=dt.UTC)
        inspection = demo_inspection(rng, address, inspector["id"], started, assignment["id"])
        inspection["inspector_id"] = inspector["id"]
        stored = store.put(db, "inspection", inspection, actor=inspector["id"])
        evaluate_and_store(db, stored, norm_sets)
        draft_rapport(db, stored)  # as a push of a submitted inspection does
    if config is not None:
        demo_case(db, config, lead, today)
        from server import demo_case as full_case
        landlord_known = [a for a in addresses[18:] if a["location_type"] == "woonkern"
                          and (addressee(db, a["id"], today) or {}).get("kind") == "rechtspersoon"]
        full_case.seed(db, config, landlord_known[0], lead, handhaver_1, today)
        # The week's import files, so that `jobs run import-bag` and `import-brp` have something to read.
        from server.demo_inbox import write_demo_inbox
        write_demo_inbox(db, Path(config["DATA"]), addresses, today)
    return logins


def _demo_parties(db: Database, address_id: str, landlord: dict[str, Any], agency: dict[str, Any] | None,
                  actor: str) -> None:
    """Link the demo landlord (verhuurder) and agency of an address, making each party once."""
    for party, role in ((landlord, "verhuurder"), (agency, None)):
        if party is None:
            continue
        party_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"woontoezicht-demo:{party['name']}"))
        if get_party(db, party_id) is None:
            create_party(db, party_schema.dump(party_schema.load({"id": party_id, **party})), actor)
        link(db, address_id, party_id, role or employer_role(party["name"]), None, None, actor)


def demo_case(db: Database, config: dict[str, Any], lead: dict[str, Any], today: dt.date) -> dict[str, Any] | None:
    """Open a case from the past inspection with the most violations, assess it, and draft its rapport."""
    from server.cases import assess, open_case
    worst = rows(db, "SELECT e.inspection_id, (SELECT count(*) FROM json_each(e.findings) f "
                     "WHERE json_extract(f.value, '$.impact') >= 1) AS n FROM evaluations e ORDER BY n DESC LIMIT 1")
    if not worst or not worst[0]["n"]:
        return None
    case = open_case(db, lead, inspection_id=worst[0]["inspection_id"], today=today)
    return assess(db, case["id"], lead, behaviour="B", behaviour_reason="Demo: eerder gewaarschuwd voor rookmelders.",
                  chosen=None, chosen_reason=None)


@dataclass
class DemoRun:
    """What `woontoezicht demo` found or made: logins, secrets minted (None: an earlier one still holds), counts."""

    fresh: bool
    logins: dict[str, str]
    token: str | None
    code: str | None
    code_hours: int
    counts: dict[str, int]
    rapport: dict[str, Any] | None


def prepare_demo(db: Database, config: dict[str, Any], reset_passwords: bool = False) -> DemoRun:
    """Add the demo data when the database has none; keep what exists, minting only what is missing."""
    added = load_demo(db, app_norm_sets(), config=config)
    logins = added if added is not None else demo_logins(db, reset=reset_passwords)
    lead, handhaver = find_user(db, "teamleider"), find_user(db, "handhaver1")
    assert lead is not None and handhaver is not None  # demo_logins made any that were missing
    has_token = any(t["user_name"] == lead["name"] and t["label"] == "demo" and not t["revoked_at"]
                    for t in list_api_tokens(db))
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    has_code = rows(db, "SELECT 1 FROM enrol_codes WHERE user_id = ? AND created_by = ? AND used_at IS NULL "
                        "AND expires_at > ?", [handhaver["id"], lead["id"], now])
    hours = config["ENROLL_CODE_HOURS"]
    counts = {t: rows(db, f"SELECT count(*) AS n FROM {t} WHERE deleted = 0")[0]["n"]  # noqa: S608
              for t in ("addresses", "assignments", "inspections", "cases")}
    # The rapport of the demo case's inspection (every submitted inspection has one), else the first.
    rapport = rows(db, "SELECT id, kenmerk, inspection_id FROM documents WHERE kind = 'rapport' AND case_id IS NULL "
                       "ORDER BY inspection_id IN (SELECT json_extract(data, '$.inspection_id') FROM cases) DESC, "
                       "kenmerk LIMIT 1")
    return DemoRun(fresh=added is not None, logins=logins,
                   token=None if has_token else create_api_token(db, lead["id"], "demo"),
                   code=None if has_code else create_enrol_code(db, handhaver["id"], lead["id"], hours),
                   code_hours=hours, counts=counts, rapport=rapport[0] if rapport else None)


def demo_lines(run: DemoRun, data: Path, url: str, here: str = "") -> list[str]:
    """Return what `woontoezicht demo` prints before serving, in Dutch; here is the --data to repeat in hints."""
    held = ", ".join(counted(run.counts[table], one, many) for table, one, many in (
        ("addresses", "adres", "adressen"), ("assignments", "opdracht", "opdrachten"),
        ("inspections", "inspectie", "inspecties"), ("cases", "zaak", "zaken")))
    lines = ["", "Woontoezicht demo" + (" (nieuwe demogegevens)" if run.fresh else " (bestaande gegevens)"),
             f"  {held} in {data}"]
    lines.append(f"  Kantoorpagina's: {url}/ (aanmelden met een login hieronder; de teamleider plant en maakt zaken "
                 "en brieven, de beheerder beheert gebruikers, tablets en taken, een handhaver ziet zijn week)")
    if run.logins:
        lines.append("  Logins (gebruiker / wachtwoord):")
        lines += [f"    {name:<12} {password}" for name, password in run.logins.items()]
    if not run.fresh and len(run.logins) < len(DEMO_USERS):
        lines.append("  De wachtwoorden van eerder blijven geldig" + (" voor de andere demogebruikers" if run.logins
                                                                      else "")
                     + f"; nieuwe: woontoezicht demo --reset-passwords{here}")
    if run.code:
        lines.append(f"  Koppelcode voor de tablet van handhaver1 ({run.code_hours} uur geldig): {run.code}")
    else:
        lines.append(f"  Koppelcode: een eerdere code voor handhaver1 is nog geldig; een nieuwe: "
                     f"woontoezicht device code handhaver1{here}")
    if run.token:
        lines.append(f"  API-token van teamleider: {run.token}")
    else:
        lines.append(f"  API-token: het demotoken van teamleider blijft geldig; een nieuw: "
                     f"woontoezicht token create teamleider{here}")
    token = run.token or "$TOKEN"  # double quotes below, so a shell fills in $TOKEN
    lines += ["  Probeer:", f'    curl -H "Authorization: Bearer {token}" {url}/api/v1/assignments',
              f"    curl {url}/api/v1/openapi.json"]
    if run.rapport:
        lines.append(f'    curl -H "Authorization: Bearer {token}" -o {run.rapport["kenmerk"]}.pdf '
                     f"{url}/api/v1/inspections/{run.rapport['inspection_id']}/rapport")
    return [*lines, ""]
