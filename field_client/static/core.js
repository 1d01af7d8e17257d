/* Woontoezicht veld: the app's building blocks. Plain JavaScript, no external resources; it talks
   only to the local client on 127.0.0.1, which stores everything in its own SQLite file and syncs. */
"use strict";

const KINDS = { controle: "Controle", hercontrole: "Hercontrole", melding: "Melding" };
const STATUS = { open: "Open", done: "Afgerond", no_access: "Geen toegang", cancelled: "Geannuleerd" };
const ROOM_KINDS = { bedroom: "Slaapkamer", living: "Woonkamer", kitchen: "Keuken", bathroom: "Badkamer",
  toilet: "Toilet", verkeersruimte: "Gang, trap of overloop", other: "Overig" };
const ACCESS = { granted: "Toegang", refused: "Geweigerd", nobody_home: "Niemand thuis" };
const LOCATION = { woonkern: "Woonkern", lint: "Lint", bedrijventerrein: "Bedrijventerrein", grootschalig: "Grootschalig" };
// The local server refuses every /local/ call without this tablet's secret, which only this page carries.
const SECRET = document.querySelector("meta[name='local-secret']").content;

const app = document.getElementById("app");
let state = { enrolled: false };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) node.append(c.nodeType ? c : String(c));
  return node;
}

/** Put children into a node the way el() does: arrays flattened, null and undefined left out. */
function fill(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

async function api(method, url, body, extra = {}) {
  const options = { method, headers: { "X-Local-Secret": SECRET }, ...extra };
  if (body instanceof FormData) options.body = body;
  else if (body !== undefined) { options.body = JSON.stringify(body); options.headers["Content-Type"] = "application/json"; }
  const response = await fetch(url, options);
  const data = response.headers.get("Content-Type")?.includes("json") ? await response.json() : null;
  if (!response.ok) throw Object.assign(new Error(data?.message || `Fout ${response.status}`), { data, status: response.status });
  return data;
}

/** The URL of a photo for an <img>, which cannot send the secret as a header. */
function photoUrl(sha256) { return `/local/photos/${sha256}?secret=${encodeURIComponent(SECRET)}`; }

function label(a) {
  if (!a) return "Onbekend adres";
  let n = `${a.huisnummer ?? ""}${a.huisletter || ""}`;
  if (a.toevoeging) n += `-${a.toevoeging}`;
  const place = [postcodeShown(a.postcode), a.woonplaats].filter(Boolean).join(" ");
  return [`${a.straat || ""} ${n}`.trim(), place].filter(Boolean).join(", ");
}

function message(text, kind = "") { return el("div", { class: `message ${kind}`, role: "status", text }); }

function get(obj, path) { return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj); }
function set(obj, path, value) {
  const keys = path.split("."); let o = obj;
  for (const k of keys.slice(0, -1)) { if (o[k] == null) o[k] = {}; o = o[k]; }
  o[keys[keys.length - 1]] = value;
}

function errorList(errors, prefix = "") {
  if (!errors) return null;
  const items = [];
  const walk = (e, p) => { if (Array.isArray(e) && e.every((x) => typeof x === "string")) items.push(`${p}: ${e.join(" ")}`);
    else if (e && typeof e === "object") for (const [k, v] of Object.entries(e)) walk(v, p ? `${p}.${k}` : k); };
  walk(errors, prefix);
  return el("ul", { class: "errors" }, items.map((t) => el("li", { text: t })));
}

async function refreshState() {
  state = await api("GET", "/local/state");
  const net = document.getElementById("net");
  net.textContent = state.last_sync_ok === false ? "Wacht op netwerk"
    : (state.outbox ? `${plural(state.outbox, "wijziging", "wijzigingen")} te verzenden` : "Bijgewerkt");
  net.className = state.last_sync_ok === false ? "offline" : "";
  document.getElementById("who").textContent = state.user ? state.user.name : "";
}

function nav(active) {
  for (const a of document.querySelectorAll("header nav a")) a.classList.toggle("active", a.dataset.page === active);
  document.getElementById("header-extra").replaceChildren(); // the inspection form puts its findings bar here
}
