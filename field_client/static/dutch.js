/* Woontoezicht veld: everything the handhaver reads in Dutch: times in Europe/Amsterdam, dates,
   counts with the right plural, postcodes with their space, storeys and languages by name. */
"use strict";

const TIME_ZONE = "Europe/Amsterdam";
const DATE_FORMAT = new Intl.DateTimeFormat("nl-NL", { day: "numeric", month: "long", year: "numeric", timeZone: TIME_ZONE });
const CLOCK_FORMAT = new Intl.DateTimeFormat("nl-NL", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: TIME_ZONE });
// A calendar date ("2026-12-01") has no zone: read and write it as the same day everywhere.
const DAY_FORMAT = new Intl.DateTimeFormat("nl-NL", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const NUMBER_FORMAT = new Intl.NumberFormat("nl-NL", { maximumFractionDigits: 2 });

/** A moment (ISO 8601 with zone) as "1 december 2026 14:05", Dutch local time. */
function dutchMoment(iso) {
  if (!iso) return "";
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? String(iso) : `${DATE_FORMAT.format(moment)} ${CLOCK_FORMAT.format(moment)}`;
}

/** A calendar date, or the Dutch date of a moment, as "1 december 2026". */
function dutchDate(value) {
  if (!value) return "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return DAY_FORMAT.format(new Date(`${value}T00:00:00Z`));
  const moment = new Date(value);
  return Number.isNaN(moment.getTime()) ? String(value) : DATE_FORMAT.format(moment);
}

/** An ISO week ("2026-W48") as "week 48 van 2026". */
function dutchWeek(week) {
  const m = /^(\d{4})-W(\d{2})$/.exec(week || "");
  return m ? `week ${Number(m[2])} van ${m[1]}` : String(week || "");
}

/** A count with its noun: plural(1, "zaak", "zaken") is "1 zaak", plural(2, ...) "2 zaken". */
function plural(n, one, many) { return `${n} ${n === 1 ? one : many}`; }

function dutchNumber(n) { return n === null || n === undefined ? "onbekend" : NUMBER_FORMAT.format(n); }

/** A postcode as people write it: "1431ZT" is "1431 ZT" (stored values keep no space). */
function postcodeShown(postcode) {
  const text = String(postcode || "").replace(/\s+/g, "").toUpperCase();
  return /^\d{4}[A-Z]{2}$/.test(text) ? `${text.slice(0, 4)} ${text.slice(4)}` : text;
}

/** A storey by name: 0 is "begane grond", 1 "1e verdieping", -1 "kelder". */
function storeyName(storey) {
  if (storey === null || storey === undefined) return "verdieping onbekend";
  if (storey === 0) return "begane grond";
  if (storey > 0) return `${storey}e verdieping`;
  return storey === -1 ? "kelder" : `${-storey}e kelderverdieping`;
}

function capital(text) { return text ? text[0].toUpperCase() + text.slice(1) : text; }

/* Languages labour migrants in the Netherlands speak, most heard first; the wire keeps ISO 639-1 codes. */
const LANGUAGES = [["pl", "Pools"], ["ro", "Roemeens"], ["bg", "Bulgaars"], ["lt", "Litouws"], ["lv", "Lets"],
  ["hu", "Hongaars"], ["sk", "Slowaaks"], ["cs", "Tsjechisch"], ["pt", "Portugees"], ["es", "Spaans"],
  ["uk", "Oekraïens"], ["ru", "Russisch"], ["hr", "Kroatisch"], ["sl", "Sloveens"], ["et", "Estisch"],
  ["el", "Grieks"], ["it", "Italiaans"], ["fr", "Frans"], ["de", "Duits"], ["en", "Engels"], ["tr", "Turks"],
  ["ar", "Arabisch"], ["sr", "Servisch"], ["sq", "Albanees"], ["mk", "Macedonisch"], ["be", "Wit-Russisch"],
  ["nl", "Nederlands"]];
const LANGUAGE_NAMES = Object.fromEntries(LANGUAGES);

const OTHER_LANGUAGES = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["nl"], { type: "language", fallback: "none" }) : null;

/** A language by its Dutch name; a code not in the list by the browser's Dutch name for it. */
function languageName(code) {
  if (LANGUAGE_NAMES[code]) return LANGUAGE_NAMES[code];
  let name = null;
  try { name = OTHER_LANGUAGES?.of(code); } catch { name = null; }
  return name ? capital(name) : `Taalcode ${code}`;
}
