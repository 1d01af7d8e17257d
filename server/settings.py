"""Every server setting, declared once: name, default and help text.

Each is read from the environment as WOONTOEZICHT_<NAME>; the README lists
them all and a test checks that it does.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Mapping


def _bool(raw: str) -> bool:
    if raw.lower() in ("1", "true", "ja", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "nee", "no", "off"):
        return False
    raise ValueError(raw)


def _list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default, help text and how to parse it."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        """Return the environment variable that sets it."""
        return f"WOONTOEZICHT_{self.name}"


SETTINGS: list[Setting] = [
    Setting("DATA", "./instance", "Map met de database, foto's en documenten."),
    Setting("NORM_SETS", "", "Extra map met normensets (JSON) naast de meegeleverde; leeg voor geen."),
    Setting("SECRET_KEY", "", "Geheim voor sessiecookies; leeg: een willekeurig geheim, bewaard in de datamap.", str),
    Setting("MAX_REQUEST_BYTES", 16 * 1024 * 1024, "Grootste JSON-verzoek in bytes (groter: 413).", int),
    Setting("ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024, "Grootste foto of bijlage in bytes.", int),
    Setting("ATTACHMENT_TYPES", ["image/jpeg", "image/png", "application/pdf"],
            "Toegestane soorten bijlagen, kommagescheiden.", _list),
    Setting("ATTACHMENT_MAX_PIXELS", 40_000_000, "Grootste foto in pixels (breedte x hoogte, uit de kop van het "
            "bestand, vóór het decoderen); ten hoogste 89 miljoen, de grens van Pillow.", int),
    Setting("ATTACHMENT_PARTIAL_QUOTA_BYTES", 200 * 1000 * 1000, "Zoveel bytes mogen de onvoltooide uploads van één "
            "apparaat (of één gebruiker zonder apparaat) samen beslaan; meer: 413.", int),
    Setting("ATTACHMENT_PARTIAL_HOURS", 24, "Een onvoltooide upload die zoveel uur niets ontving, wordt verwijderd.",
            int),
    Setting("ENROLL_CODE_HOURS", 24, "Geldigheid van een koppelcode voor een tablet, in uren.", int),
    Setting("BUSY_TIMEOUT_MS", 10000, "Hoe lang SQLite op een schrijfslot wacht, in milliseconden.", int),
    Setting("THREADS", 8, "Aantal threads van de webserver (waitress).", int),
    Setting("LHS_MATRIX", "", "JSON-bestand met de LHS-interventiematrix; leeg: de meegeleverde standaard."),
    Setting("TERMS", "", "JSON-bestand met de termijnen (zienswijze, bezwaar, begunstiging per overtreding); leeg: de "
            "meegeleverde standaard."),
    Setting("ATW_DAYS", "", "JSON-bestand met de dagen die bij koninklijk besluit met een algemeen erkende feestdag "
            "zijn gelijkgesteld (Algemene termijnenwet, artikel 3, derde lid), per besluit met de jaren, de bron en of "
            "het besluit zelf is gelezen; leeg: de meegeleverde lijst."),
    Setting("LETTERS", "", "JSON-bestand met herstelmaatregelen per overtreding, dwangsom en boetemaximum; leeg: de "
            "meegeleverde standaard."),
    Setting("LEGAL_BASIS", "", "JSON-bestand met het register van grondslagen (per regelcode gedateerde ingangen met "
            "regime en voorschriften); leeg: het meegeleverde register."),
    Setting("LETTERHEAD_NAME", "Gemeente Aalsmeer", "Naam van de gemeente in het briefhoofd."),
    Setting("LETTERHEAD_ADDRESS", ["Raadhuisplein 1", "1431 EH Aalsmeer"],
            "Adresregels in het briefhoofd, kommagescheiden.", _list),
    Setting("LETTER_MANDATE", "Mandaatbesluit van het college van burgemeester en wethouders van Aalsmeer",
            "Het mandaat waarop een teamleider brieven namens het college ondertekent (naam en datum van het besluit); "
            "staat onder de ondertekening."),
    Setting("COLLEGE_POSTAL_ADDRESS", [], "Postadres van het college voor bezwaarschriften en zienswijzen, regels "
            "kommagescheiden; leeg: het adres in het briefhoofd.", _list),
    Setting("COLLEGE_DIGITAL_ADDRESS", "het digitale loket op www.aalsmeer.nl",
            "Waar een bezwaarschrift of zienswijze digitaal kan worden ingediend (webadres of e-mailadres)."),
    Setting("COURT_NAME", "de rechtbank Amsterdam", "De rechtbank waarvan de voorzieningenrechter een voorlopige "
            "voorziening treft (voor Aalsmeer: het arrondissement Amsterdam)."),
    Setting("LETTERHEAD_LOGO", "", "PNG- of JPEG-bestand met het logo voor het briefhoofd; leeg: geen logo."),
    Setting("TRUST_PROXY", False, "Vertrouw X-Forwarded-For voor het IP-adres in de auditlog (achter een proxy).",
            _bool),
    Setting("SCOPE_DONE_DAYS", 90, "Zoveel dagen na een afgeronde opdracht houdt de handhaver toegang tot de gegevens "
            "van dat adres (en houdt zijn tablet ze).", int),
    Setting("AUTH_FREE_FAILURES", 20, "Zoveel mislukte aanmeldingen, onbekende tokens of koppelcodes per clientadres "
            "mogen zonder vertraging; daarna groeit de wachttijd (429).", int),
    Setting("AUTH_FREE_FAILURES_NAME", 5, "Zoveel mislukte aanmeldingen per gebruikersnaam of koppelcode mogen zonder "
            "vertraging; daarna groeit de wachttijd (nooit een blokkade).", int),
    Setting("PUBLIC_URL", "", "Het adres waarop tablets de server bereiken (https://...), voor de QR-code van een "
            "koppelcode; leeg: het adres dat de browser van de beheerder gebruikte."),
    Setting("SESSION_HOURS", 8, "Na zoveel uur zonder verzoek is een sessie op de kantoorpagina's verlopen en meldt "
            "de gebruiker zich opnieuw aan.", int),
    Setting("CONNECTION_LIMIT", 500, "Hoeveel verbindingen de webserver (waitress) tegelijk openhoudt (ten hoogste "
            "de helft van het aantal open bestanden dat het systeem het proces toestaat).", int),
    Setting("CHANNEL_TIMEOUT", 30, "Na zoveel seconden zonder verkeer sluit de webserver een verbinding.", int),
    # Scheduled jobs (server.jobs): each job's schedule, and how runs are locked and retried.
    Setting("SCHEDULE_IMPORT_BAG", "0 2 * * mon", "Wanneer de taak import-bag draait (crontab: minuut uur dag maand "
            "weekdag, tijdzone Europe/Amsterdam)."),
    Setting("SCHEDULE_IMPORT_BRP", "30 2 * * mon", "Wanneer de taak import-brp draait (crontab)."),
    Setting("SCHEDULE_BRP_SIGNALS", "0 3 * * mon", "Wanneer de taak brp-signals draait (crontab)."),
    Setting("SCHEDULE_DEADLINES", "0 6 * * *", "Wanneer de taak deadlines draait (crontab)."),
    Setting("SCHEDULE_WEEKLY_REPORT", "0 7 * * mon", "Wanneer de taak weekly-report draait (crontab)."),
    Setting("SCHEDULE_BACKUP", "0 1 * * *", "Wanneer de taak backup draait (crontab)."),
    Setting("SCHEDULE_RETENTION", "0 4 1 * *", "Wanneer de taak retention draait (crontab)."),
    Setting("JOB_LEASE_SECONDS", 300, "Zolang geldt het slot van een lopende taak zonder teken van leven; een "
            "planner die stopte, houdt een taak daarna niet langer vast.", int),
    Setting("JOB_RETRY_MINUTES", 60, "Na zoveel minuten probeert de planner een mislukte taak van dezelfde periode "
            "opnieuw.", int),
    Setting("JOB_ATTEMPTS", 3, "Zo vaak probeert de planner een taak per periode voordat hij wacht op de volgende "
            "periode (of een handmatige run).", int),
    Setting("SCHEDULER_TICK_SECONDS", 60, "Zo vaak (in seconden) kijkt de planner of er een taak achterloopt of door "
            "de kantoorpagina's in de wachtrij is gezet.", int),
    # --- settings of import bag / import brp (server.bag_import, server.brp_import) ---
    Setting("BAG_GEMEENTEN", "Aalsmeer=0358", "De gemeenten waarvan import bag de adressen inleest, als paren "
            "naam=gemeentecode, kommagescheiden (de kolom gemeente van het bestand is een naam); regels van andere "
            "gemeenten worden overgeslagen en geteld."),
    Setting("BAG_INBOX_FULL", True, "Of een BAG-bestand in inbox/bag/ het volledige uittreksel van zijn gemeenten is "
            "(het wekelijkse gemeentelijke NLExtract-bestand): dan markeert de taak import-bag adressen die er niet "
            "meer in staan als verdwenen uit de BAG (zoals import bag --full).", _bool),
    Setting("BRP_INBOX_FULL", False, "Of een BRP-bestand in inbox/brp/ een volledige selectie van de gemeente is: dan "
            "zet de taak import-brp het aantal ingeschrevenen van adressen die er niet in staan op 0 (zoals import "
            "brp --full).", _bool),
    # --- settings of figures, the weekly report and signals (server.figures, server.weekly, server.signals) ---
    Setting("GEMEENTEFONDS_EUR", 325, "Geschatte uitkering uit het Gemeentefonds per extra inschrijving in de BRP, in "
            "euro (de voortgangsbrief: EUR 325.000 voor 1.000 inschrijvingen); vermenigvuldigd met het verschil.", int),
    Setting("REGISTRATION_COST_EUR", 210, "Geschatte kosten per extra inschrijving in de BRP, in euro (de "
            "voortgangsbrief: EUR 210.000 voor 1.000 inschrijvingen).", int),
    # --- settings of backup and retention (server.backup, server.retention) ---
    Setting("BACKUP_KEEP", 14, "Zoveel reservekopieën (de nieuwste) blijven in de map van de reservekopieën; oudere "
            "worden verwijderd.", int),
    Setting("BACKUP_MAX_DAYS", 30, "Een reservekopie die ouder is dan zoveel dagen wordt altijd verwijderd, zodat "
            "vernietigde gegevens ook uit de reservekopieën verdwijnen; korter dan de kortste bewaartermijn (1 jaar).",
            int),
    Setting("RETENTION", "", "JSON-bestand met de bewaartermijnen per resultaat van een zaak (categorie van de "
            "Selectielijst, termijn in jaren, bron, geverifieerd); leeg: het meegeleverde bestand."),
    # --- settings of the office's dashboard and Taken page (server.web.home, server.web.jobs_pages) ---
    Setting("DASHBOARD_STALE_DAYS", 7, "Het overzicht noemt een tablet die zoveel dagen niet synchroniseerde (of "
            "nog niet-verzonden werk meldde).", int),
    Setting("DASHBOARD_FIGURES_MINUTES", 15, "Zo vaak (in minuten) berekent de planner de cijfers van het overzicht "
            "opnieuw; het overzicht toont de laatst berekende met het tijdstip.", int),
    Setting("INBOX_UPLOAD_MAX_BYTES", 100 * 1000 * 1000, "Grootste BAG- of BRP-bestand in bytes dat de pagina Taken "
            "in de inbox zet.", int),
]


def config_file(path: str | None, shipped: str) -> dict[str, Any]:
    """Return a JSON configuration: the file at path (a setting), or the shipped server/config/<shipped>."""
    if path:
        text = Path(path).read_text(encoding="utf-8")
    else:
        text = resources.files("server").joinpath(f"config/{shipped}").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


class SettingError(ValueError):
    """A setting in the environment has a value that cannot be parsed."""


def data_folder(environ: Mapping[str, str] | None = None) -> Path:
    """Return the data folder, WOONTOEZICHT_DATA or its default, as an absolute path."""
    environ = os.environ if environ is None else environ
    default = next(s.default for s in SETTINGS if s.name == "DATA")
    # Absolute once, here: Flask's send_file (and anything else that is handed the path)
    # would resolve a relative one against the package, not the working directory.
    return Path(environ.get("WOONTOEZICHT_DATA") or default).resolve()


def read_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return every setting, from the environment where set, else its default (DATA as an absolute path)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            values[setting.name] = setting.default
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError:
            raise SettingError(f"{setting.env} heeft een ongeldige waarde: {raw!r}.") from None
    values["DATA"] = str(data_folder(environ))
    return values
