/* Woontoezicht veld: the tablet app. Plain JavaScript, no external resources, talks only to the
   local client on 127.0.0.1, which stores everything in its own SQLite file and syncs. */
"use strict";

const KINDS = { controle: "Controle", hercontrole: "Hercontrole", melding: "Melding" };
const STATUS = { open: "Open", done: "Afgerond", no_access: "Geen toegang", cancelled: "Geannuleerd" };
const ROOM_KINDS = { bedroom: "Slaapkamer", living: "Woonkamer", kitchen: "Keuken", bathroom: "Badkamer",
  toilet: "Toilet", other: "Overig" };
const ACCESS = { granted: "Toegang", refused: "Geweigerd", nobody_home: "Niemand thuis" };
const LOCATION = { woonkern: "Woonkern", lint: "Lint", bedrijventerrein: "Bedrijventerrein", grootschalig: "Grootschalig" };

const app = document.getElementById("app");
let state = { enrolled: false };
let saveTimer = null;
let current = null; // the inspection being edited

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c.nodeType ? c : String(c));
  return node;
}

async function api(method, url, body) {
  const options = { method, headers: {} };
  if (body instanceof FormData) options.body = body;
  else if (body !== undefined) { options.body = JSON.stringify(body); options.headers["Content-Type"] = "application/json"; }
  const response = await fetch(url, options);
  const data = response.headers.get("Content-Type")?.includes("json") ? await response.json() : null;
  if (!response.ok) throw Object.assign(new Error(data?.message || `Fout ${response.status}`), { data, status: response.status });
  return data;
}

function label(a) {
  if (!a) return "Onbekend adres";
  let n = `${a.huisnummer}${a.huisletter || ""}`;
  if (a.toevoeging) n += `-${a.toevoeging}`;
  return `${a.straat} ${n}, ${a.postcode} ${a.woonplaats}`;
}

function message(text, kind = "") { return el("div", { class: `message ${kind}`, role: "status", text }); }

function get(obj, path) { return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj); }
function set(obj, path, value) {
  const keys = path.split("."); let o = obj;
  for (const k of keys.slice(0, -1)) { if (o[k] == null) o[k] = {}; o = o[k]; }
  o[keys[keys.length - 1]] = value;
}

async function refreshState() {
  state = await api("GET", "/local/state");
  const net = document.getElementById("net");
  net.textContent = state.last_sync_ok === false ? "Wacht op netwerk" : (state.outbox ? `${state.outbox} te verzenden` : "Bijgewerkt");
  net.className = state.last_sync_ok === false ? "offline" : "";
  document.getElementById("who").textContent = state.user ? state.user.name : "";
}

function nav(active) {
  for (const a of document.querySelectorAll("header nav a")) a.classList.toggle("active", a.dataset.page === active);
}

/* --- screens ------------------------------------------------------------------------------ */

function enrolScreen() {
  nav("");
  const form = el("form", { class: "card", id: "enrol-form" },
    el("h2", { text: "Tablet koppelen" }),
    el("p", { text: "Vul het serveradres en de eenmalige koppelcode van uw teamleider in." }),
    el("label", { for: "server", text: "Serveradres" }),
    el("input", { id: "server", name: "server", type: "url", required: true, placeholder: "het adres dat uw teamleider gaf" }),
    el("label", { for: "code", text: "Koppelcode" }),
    el("input", { id: "code", name: "code", required: true, autocomplete: "off", placeholder: "ABCD-EFGH-JKLM" }),
    el("p", {}, el("button", { type: "submit", id: "enrol" }, "Koppelen")));
  const out = el("div");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    out.replaceChildren(message("Bezig met koppelen..."));
    try {
      await api("POST", "/local/enroll", { url: form.server.value, code: form.code.value });
      await refreshState(); location.hash = "#/vandaag";
    } catch (err) { out.replaceChildren(message(err.message, "error")); }
  });
  app.replaceChildren(out, form);
}

async function todayScreen() {
  nav("vandaag");
  const data = await api("GET", "/local/assignments");
  const list = el("div", { id: "assignments" });
  if (!data.items.length) list.append(el("p", { class: "muted", text: "Geen opdrachten deze week. Synchroniseer om nieuwe op te halen." }));
  for (const item of data.items) {
    list.append(el("div", { class: "card link assignment", "data-id": item.id, onclick: () => { location.hash = `#/adres/${item.address_id}`; } },
      el("div", { class: "row" }, el("strong", { text: label(item.address) })),
      el("div", { class: "row" },
        el("span", { class: "tag", text: KINDS[item.kind] || item.kind }),
        el("span", { class: `tag ${item.status === "open" ? "warn" : "ok"}`, text: STATUS[item.status] || item.status }),
        el("span", { class: `tag ${item.sync_state === "synced" ? "ok" : "warn"}`, text: item.sync_state === "synced" ? "Gesynchroniseerd" : "Wacht op verzending" }),
        item.week ? el("span", { class: "muted", text: `week ${item.week}` }) : null,
        item.due ? el("span", { class: "muted", text: `uiterlijk ${item.due}` }) : null),
      item.instructions ? el("p", { class: "muted", text: item.instructions }) : null));
  }
  const search = el("input", { id: "search", type: "search", placeholder: "Zoek op straat, postcode of huisnummer" });
  const results = el("div", { id: "search-results" });
  search.addEventListener("input", async () => {
    if (search.value.trim().length < 2) { results.replaceChildren(); return; }
    const found = await api("GET", `/local/addresses?q=${encodeURIComponent(search.value.trim())}`);
    results.replaceChildren(...found.items.map((a) => el("div", { class: "card link", onclick: () => { location.hash = `#/adres/${a.id}`; } }, label(a))),
      el("p", {}, el("button", { class: "secondary", onclick: () => { location.hash = "#/nieuw-adres"; } }, "Adres niet gevonden: ter plekke toevoegen")));
  });
  app.replaceChildren(el("h2", { text: "Vandaag" }), list, el("h3", { text: "Adres zoeken" }), search, results);
}

function newAddressScreen() {
  nav("vandaag");
  const fields = [["straat", "Straat", "text"], ["huisnummer", "Huisnummer", "number"], ["huisletter", "Huisletter", "text"],
    ["toevoeging", "Toevoeging", "text"], ["postcode", "Postcode", "text"], ["woonplaats", "Woonplaats", "text"]];
  const form = el("form", { class: "card", id: "address-form" }, el("h2", { text: "Nieuw adres ter plekke" }),
    el("div", { class: "grid" }, fields.map(([name, text, type]) => el("div", {}, el("label", { for: `a-${name}`, text }),
      el("input", { id: `a-${name}`, name, type, value: name === "woonplaats" ? "Aalsmeer" : null })))),
    el("label", { for: "a-location_type", text: "Soort locatie" }),
    el("select", { id: "a-location_type", name: "location_type" }, el("option", { value: "", text: "Onbekend" }),
      Object.entries(LOCATION).map(([v, t]) => el("option", { value: v, text: t }))),
    el("p", {}, el("button", { type: "submit" }, "Adres opslaan")));
  const out = el("div");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {}; for (const [name] of fields) body[name] = form[name].value.trim() || null;
    body.huisnummer = body.huisnummer ? Number(body.huisnummer) : null;
    body.location_type = form.location_type.value || null; body.gemeentecode = "0358";
    try { const a = await api("POST", "/local/addresses", body); location.hash = `#/adres/${a.id}`; }
    catch (err) { out.replaceChildren(message(err.message, "error"), errorList(err.data?.errors)); }
  });
  app.replaceChildren(out, form);
}

function errorList(errors, prefix = "") {
  if (!errors) return null;
  const items = [];
  const walk = (e, p) => { if (Array.isArray(e) && e.every((x) => typeof x === "string")) items.push(`${p}: ${e.join(" ")}`);
    else if (e && typeof e === "object") for (const [k, v] of Object.entries(e)) walk(v, p ? `${p}.${k}` : k); };
  walk(errors, prefix);
  return el("ul", { class: "errors" }, items.map((t) => el("li", { text: t })));
}

function findingList(findings, notAssessed, problem) {
  const box = el("div", { id: "findings" });
  if (problem) box.append(el("p", { class: "muted", id: "evaluation-note", text: problem }));
  box.append(el("h3", { text: `Bevindingen (${findings.length})` }));
  if (!findings.length) box.append(el("p", { class: "muted", text: "Geen bevindingen." }));
  for (const f of findings) {
    box.append(el("div", { class: `finding ${f.impact === 0 ? "signal" : ""}`, "data-code": f.code },
      el("strong", { text: f.code }), " ", el("span", { text: f.title }), el("div", { text: f.description }),
      el("div", { class: "muted", text: f.legal_basis })));
  }
  if (notAssessed && notAssessed.length) {
    box.append(el("h3", { text: `Nog niet beoordeeld (${notAssessed.length})` }));
    for (const n of notAssessed) box.append(el("div", { class: "notassessed", "data-code": n.code }, el("strong", { text: n.code }), " ", n.reason));
  }
  return box;
}

async function addressScreen(id) {
  nav("vandaag");
  const data = await api("GET", `/local/addresses/${id}`);
  const a = data.address;
  const start = async (assignment) => {
    const created = await api("POST", "/local/inspections", { address_id: a.id, assignment_id: assignment?.id || null, kind: assignment?.kind || "controle" });
    location.hash = `#/inspectie/${created.id}`;
  };
  const parts = [el("h2", { id: "address-title", text: label(a) }),
    el("div", { class: "card" },
      el("div", { class: "row" }, el("span", { class: `tag ${a.verified ? "ok" : "warn"}`, text: a.verified ? "Geverifieerd" : "Niet geverifieerd" }),
        a.location_type ? el("span", { class: "tag", text: LOCATION[a.location_type] }) : null),
      el("p", {}, `Gebruiksoppervlakte: ${a.floor_area_m2 ?? "onbekend"} m² · BRP-inschrijvingen: ${a.brp_registered ?? "onbekend"}`),
      a.landlord ? el("p", { text: `Verhuurder: ${a.landlord}` }) : null,
      a.employer_or_agency ? el("p", { text: `Werkgever/bureau: ${a.employer_or_agency}` }) : null,
      a.notes ? el("p", { class: "muted", text: a.notes }) : null)];
  for (const assignment of data.assignments.filter((x) => x.status === "open")) {
    parts.push(el("p", {}, el("button", { id: "start-inspection", onclick: () => start(assignment) }, `Start ${KINDS[assignment.kind].toLowerCase()}`)));
  }
  if (!data.assignments.some((x) => x.status === "open")) parts.push(el("p", {}, el("button", { class: "secondary", id: "start-inspection", onclick: () => start(null) }, "Nieuwe inspectie")));
  if (data.cases.length) {
    parts.push(el("h3", { text: "Lopende zaak" }));
    for (const c of data.cases) parts.push(el("div", { class: "card" }, el("strong", { text: `${c.number}: ${c.status_label}` }),
      el("ul", {}, c.violations.map((v) => el("li", { text: `${v.code}: ${v.title}` }))),
      c.begunstigingstermijn_end ? el("p", { text: `Begunstigingstermijn tot en met ${c.begunstigingstermijn_end}` }) : null));
  }
  parts.push(el("h3", { text: "Eerdere inspecties" }));
  if (!data.inspections.length) parts.push(el("p", { class: "muted", text: "Nog geen inspecties." }));
  for (const i of data.inspections) {
    parts.push(el("div", { class: "card link", onclick: () => { location.hash = `#/inspectie/${i.id}`; } },
      el("div", { class: "row" }, el("strong", { text: (i.started_at || "").slice(0, 10) }),
        el("span", { class: "tag", text: i.status === "submitted" ? "Ingediend" : "Concept" }),
        i.access ? el("span", { class: "tag", text: ACCESS[i.access] }) : null),
      el("div", { text: i.findings.length ? i.findings.map((f) => f.code).join(", ") : "Geen bevindingen" })));
  }
  app.replaceChildren(...parts);
}

/* --- the inspection form ------------------------------------------------------------------ */

function numberInput(path, text, attrs = {}) {
  const value = get(current, path);
  const input = el("input", { id: `f-${path.replace(/\./g, "-")}`, type: "number", inputmode: "decimal", step: "any", min: 0,
    value: value ?? null, "data-path": path, ...attrs });
  input.addEventListener("input", () => { set(current, path, input.value === "" ? null : Number(input.value)); scheduleSave(); });
  return el("div", {}, el("label", { for: input.id, text }), input);
}

function textInput(path, text, multiline = false) {
  const input = el(multiline ? "textarea" : "input", { id: `f-${path.replace(/\./g, "-")}`, "data-path": path });
  input.value = get(current, path) ?? "";
  input.addEventListener("input", () => { set(current, path, input.value === "" ? null : input.value); scheduleSave(); });
  return el("div", {}, el("label", { for: input.id, text }), input);
}

function yesNo(path, text) {
  const group = el("div", { class: "tri", role: "group", "aria-label": text, "data-path": path });
  const options = [[true, "Ja"], [false, "Nee"], [null, "Niet gecontroleerd"]];
  const paint = () => { for (const b of group.children) b.classList.toggle("on", JSON.stringify(get(current, path) ?? null) === b.dataset.value); };
  for (const [value, word] of options) {
    group.append(el("button", { type: "button", "data-value": JSON.stringify(value), onclick: () => { set(current, path, value); paint(); scheduleSave(); } }, word));
  }
  paint();
  return el("div", {}, el("label", { text }), group);
}

function choice(path, text, options) {
  const select = el("select", { id: `f-${path.replace(/\./g, "-")}`, "data-path": path },
    el("option", { value: "", text: "Niet ingevuld" }), Object.entries(options).map(([v, t]) => el("option", { value: v, text: t })));
  select.value = get(current, path) ?? "";
  select.addEventListener("change", () => { set(current, path, select.value || null); scheduleSave(); });
  return el("div", {}, el("label", { for: select.id, text }), select);
}

function roomEditor(room, index) {
  const bind = (key, input, numeric) => {
    input.addEventListener("input", () => { room[key] = input.value === "" ? null : (numeric ? Number(input.value) : input.value); scheduleSave(); });
    return input;
  };
  const kind = el("select", { "data-room-field": "kind" }, Object.entries(ROOM_KINDS).map(([v, t]) => el("option", { value: v, text: t })));
  kind.value = room.kind;
  kind.addEventListener("change", () => { room.kind = kind.value; scheduleSave(); });
  const num = (key, text) => el("div", {}, el("label", { text }), bind(key, el("input", { type: "number", min: 0, step: "any", inputmode: "decimal", value: room[key] ?? null, "data-room-field": key }), true));
  return el("div", { class: "room", "data-room": room.id },
    el("div", { class: "grid" },
      el("div", {}, el("label", { text: "Naam" }), bind("name", el("input", { value: room.name ?? null, "data-room-field": "name" }), false)),
      el("div", {}, el("label", { text: "Soort" }), kind),
      num("storey", "Verdieping (0 = begane grond)"), num("area_m2", "Oppervlakte (m²)"), num("beds", "Bedden"), num("occupants", "Bewoners")),
    el("p", {}, el("button", { type: "button", class: "secondary", onclick: () => { current.rooms.splice(index, 1); renderForm(); scheduleSave(); } }, "Kamer verwijderen")));
}

function languagesEditor() {
  const langs = current.occupants.languages;
  const box = el("div", { id: "languages" });
  for (const [code, count] of Object.entries(langs)) {
    box.append(el("div", { class: "row" }, el("span", { class: "tag", text: code }), el("span", { text: `${count} persoon/personen` }),
      el("button", { type: "button", class: "secondary", onclick: () => { delete langs[code]; renderForm(); scheduleSave(); } }, "Verwijderen")));
  }
  const code = el("input", { id: "lang-code", maxlength: 2, placeholder: "taalcode, bv. pl" });
  const count = el("input", { id: "lang-count", type: "number", min: 1, value: 1 });
  box.append(el("div", { class: "row" }, code, count, el("button", { type: "button", class: "secondary", onclick: () => {
    const c = code.value.trim().toLowerCase(); if (!/^[a-z]{2}$/.test(c)) return;
    langs[c] = Number(count.value) || 1; renderForm(); scheduleSave(); } }, "Taal toevoegen")));
  return box;
}

function smokeEditor() {
  const storeys = new Set(current.rooms.map((r) => r.storey).filter((s) => s !== null && s !== undefined));
  for (let s = 0; s < (current.dwelling.storeys || 0); s++) storeys.add(s);
  const checked = current.fire_safety.storeys_with_smoke_detector;
  const box = el("div", { id: "smoke", class: "row" });
  for (const s of [...storeys].sort((x, y) => x - y)) {
    const input = el("input", { type: "checkbox", id: `smoke-${s}`, style: "width:32px;min-height:32px", checked: checked?.includes(s) });
    input.addEventListener("change", () => {
      const now = new Set(current.fire_safety.storeys_with_smoke_detector || []);
      if (input.checked) now.add(s); else now.delete(s);
      current.fire_safety.storeys_with_smoke_detector = [...now].sort((x, y) => x - y); scheduleSave(); renderForm();
    });
    box.append(el("label", { for: input.id, class: "row" }, input, `Verdieping ${s}`));
  }
  box.append(el("button", { type: "button", class: "secondary", onclick: () => { current.fire_safety.storeys_with_smoke_detector = null; renderForm(); scheduleSave(); } },
    checked === null || checked === undefined ? "Niet gecontroleerd" : "Wissen (niet gecontroleerd)"));
  return box;
}

function photosEditor() {
  const box = el("div", {});
  const list = el("div", { class: "photos", id: "photo-list" });
  current.photos.forEach((p, i) => {
    const caption = el("input", { value: p.caption ?? null, placeholder: "Onderschrift", "data-photo-caption": i });
    caption.addEventListener("input", () => { p.caption = caption.value || null; scheduleSave(); });
    const room = el("select", {}, el("option", { value: "", text: "Geen kamer" }), current.rooms.map((r) => el("option", { value: r.id, text: r.name || ROOM_KINDS[r.kind] })));
    room.value = p.room_id ?? "";
    room.addEventListener("change", () => { p.room_id = room.value || null; scheduleSave(); });
    list.append(el("figure", {}, el("img", { src: `/local/photos/${p.sha256}`, alt: p.caption || "foto" }), caption, room));
  });
  const file = el("input", { type: "file", accept: "image/*", capture: "environment", id: "photo-input" });
  file.addEventListener("change", async () => {
    for (const f of file.files) {
      const form = new FormData(); form.append("photo", f);
      const saved = await api("POST", "/local/photos", form);
      current.photos.push({ sha256: saved.sha256, caption: null, room_id: null });
    }
    renderForm(); scheduleSave();
  });
  box.append(list, el("label", { for: "photo-input", text: "Foto maken of kiezen" }), file);
  return box;
}

function manualEditor() {
  const box = el("div", { id: "manual" });
  current.manual_findings.forEach((m, i) => box.append(el("div", { class: "card" }, el("strong", { text: m.code }), " ", m.description,
    el("button", { type: "button", class: "secondary", onclick: () => { current.manual_findings.splice(i, 1); renderForm(); scheduleSave(); } }, "Verwijderen"))));
  const code = el("input", { id: "manual-code", placeholder: "CODE, bv. VOCHT" });
  const text = el("input", { id: "manual-text", placeholder: "Omschrijving" });
  box.append(el("div", { class: "grid" }, code, text, el("button", { type: "button", class: "secondary", onclick: () => {
    if (!code.value.trim() || !text.value.trim()) return;
    current.manual_findings.push({ code: code.value.trim().toUpperCase(), description: text.value.trim(), room_id: null });
    renderForm(); scheduleSave(); } }, "Bevinding toevoegen")));
  return box;
}

let evaluation = { findings: [], not_assessed: [] };
let saveState = "";

function renderForm() {
  const ro = current.status === "submitted";
  const form = el("form", { id: "inspection-form", class: ro ? "readonly" : "", onsubmit: (e) => e.preventDefault() },
    el("h3", { text: "Toegang" }), choice("access", "Toegang tot de woning", ACCESS),
    el("h3", { text: "Woning" }), el("div", { class: "grid" }, numberInput("dwelling.floor_area_m2", "Gebruiksoppervlakte (m²)"),
      numberInput("dwelling.storeys", "Bouwlagen"), yesNo("dwelling.lodging", "Logiesgebouw")),
    el("h3", { text: `Kamers (${current.rooms.length})` }), el("div", { id: "rooms" }, current.rooms.map(roomEditor)),
    el("p", {}, el("button", { type: "button", id: "add-room", class: "secondary", onclick: () => {
      const n = current.rooms.length + 1; let id = `r${n}`; while (current.rooms.some((r) => r.id === id)) id += "x";
      current.rooms.push({ id, name: null, kind: "bedroom", storey: 0, area_m2: null, beds: null, occupants: null });
      renderForm(); scheduleSave(); } }, "Kamer toevoegen")),
    el("h3", { text: "Bewoners" }), el("div", { class: "grid" }, numberInput("occupants.present", "Aanwezig"), numberInput("occupants.reported", "Opgegeven")),
    el("label", { text: "Talen (aantal personen per taal)" }), languagesEditor(),
    el("h3", { text: "Voorzieningen" }), el("div", { class: "grid" }, numberInput("facilities.toilets", "Toiletten"),
      numberInput("facilities.showers", "Douches"), numberInput("facilities.hobs", "Kookpitten"),
      yesNo("facilities.washing_machine", "Wasmachine"), yesNo("facilities.lockable_storage", "Afsluitbare opbergruimte per persoon")),
    el("h3", { text: "Brandveiligheid" }), el("label", { text: "Verdiepingen met werkende rookmelder" }), smokeEditor(),
    el("div", { class: "grid" }, yesNo("fire_safety.fuel_appliance", "Verbrandingstoestel"), yesNo("fire_safety.co_detector", "Werkende CO-melder"),
      yesNo("fire_safety.extinguisher_near_kitchen", "Blusmiddel binnen 5 m van de kookplaats"), yesNo("fire_safety.fire_blanket", "Blusdeken"),
      yesNo("fire_safety.escape_route_clear", "Vluchtweg vrij"), yesNo("fire_safety.electrical_overload", "Overbelaste elektra")),
    el("h3", { text: "Huur" }), el("div", { class: "grid" },
      el("div", {}, el("label", { for: "f-lease", text: "Ingang huurovereenkomst" }), (() => { const i = el("input", { id: "f-lease", type: "date", value: current.tenancy.lease_start ?? null });
        i.addEventListener("input", () => { current.tenancy.lease_start = i.value || null; scheduleSave(); }); return i; })()),
      yesNo("tenancy.lease_separate_from_employment", "Huur los van arbeidscontract"), yesNo("tenancy.info_card_present", "Informatiekaart aanwezig")),
    el("h3", { text: "Eigen bevindingen" }), manualEditor(),
    el("h3", { text: "Foto's" }), photosEditor(),
    el("h3", { text: "Notities" }), textInput("notes", "Notities", true));
  const actions = el("div", { class: "row", id: "actions" });
  if (ro) {
    actions.append(el("span", { class: "tag ok", id: "submitted-tag", text: "Ingediend: alleen-lezen" }),
      el("button", { type: "button", id: "correct", class: "secondary", onclick: async () => {
        const created = await api("POST", "/local/inspections", { address_id: current.address_id, kind: current.kind, corrects: current.id });
        location.hash = `#/inspectie/${created.id}`; } }, "Correctie maken"));
  } else {
    actions.append(el("button", { type: "button", id: "submit", onclick: confirmSubmit }, "Indienen"), el("span", { id: "save-state", class: "muted", text: saveState }));
  }
  const side = el("aside", { class: "findings card" }, findingList(evaluation.findings, evaluation.not_assessed, evaluation.error));
  const title = el("h2", { text: `Inspectie ${label(current._address)}` });
  const corrects = current.corrects ? el("p", { class: "muted", text: `Correctie van inspectie ${current.corrects}` }) : null;
  const scrollY = window.scrollY;
  app.replaceChildren(...[title, corrects].filter(Boolean), el("div", { class: "layout" }, el("div", {}, form, actions), side), el("div", { id: "submit-errors" }));
  window.scrollTo(0, scrollY);
}

function scheduleSave() {
  if (current.status === "submitted") return;
  saveState = "Opslaan..."; const s = document.getElementById("save-state"); if (s) s.textContent = saveState;
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveDraft, 300);
}

async function saveDraft() {
  const { _address, ...draft } = current;
  try {
    const saved = await api("PUT", `/local/inspections/${current.id}`, draft);
    evaluation = saved.evaluation; saveState = "Concept opgeslagen";
    const side = document.querySelector("aside.findings");
    if (side) side.replaceChildren(findingList(evaluation.findings, evaluation.not_assessed, evaluation.error));
  } catch (err) { saveState = `Niet opgeslagen: ${err.message}`; }
  const s = document.getElementById("save-state"); if (s) s.textContent = saveState;
}

function confirmSubmit() {
  const dialog = el("dialog", { id: "confirm" }, el("h2", { text: "Inspectie indienen?" }),
    el("p", { text: "Na indienen kan de inspectie niet meer worden gewijzigd; alleen een correctie is dan nog mogelijk." }),
    el("div", { class: "row" }, el("button", { id: "confirm-yes", onclick: async () => {
      dialog.close(); dialog.remove(); clearTimeout(saveTimer); await saveDraft();
      try { await api("POST", `/local/inspections/${current.id}/submit`); await openInspection(current.id); await refreshState(); }
      catch (err) { document.getElementById("submit-errors").replaceChildren(message(err.message, "error"), errorList(err.data?.errors)); }
    } }, "Ja, indienen"), el("button", { class: "secondary", onclick: () => { dialog.close(); dialog.remove(); } }, "Terug")));
  document.body.append(dialog); dialog.showModal();
}

async function openInspection(id) {
  nav("vandaag");
  const data = await api("GET", `/local/inspections/${id}`);
  current = { ...data.inspection, _address: data.address };
  for (const k of ["dwelling", "occupants", "facilities", "fire_safety", "tenancy"]) current[k] = current[k] || {};
  current.occupants.languages = current.occupants.languages || {};
  for (const k of ["rooms", "manual_findings", "photos"]) current[k] = current[k] || [];
  evaluation = data.evaluation; saveState = data.inspection.status === "submitted" ? "" : "Concept opgeslagen";
  renderForm();
}

async function syncScreen() {
  nav("sync");
  const data = await api("GET", "/local/sync");
  const out = el("div", { id: "sync-out" });
  const run = el("button", { id: "sync-now", onclick: async () => {
    run.disabled = true; out.replaceChildren(message("Synchroniseren..."));
    try { const r = await api("POST", "/local/sync"); out.replaceChildren(message(r.message, r.ok ? "" : "wait")); }
    catch (err) { out.replaceChildren(message(err.message, "error")); }
    run.disabled = false; await refreshState(); syncScreenDetails(await api("GET", "/local/sync"));
  } }, "Nu synchroniseren");
  app.replaceChildren(el("h2", { text: "Synchronisatie" }), el("p", {}, run), out, el("div", { id: "sync-details" }));
  syncScreenDetails(data);
}

function syncScreenDetails(data) {
  const box = document.getElementById("sync-details"); if (!box) return;
  box.replaceChildren(
    el("p", { id: "last-sync", text: data.last_sync ? `Laatste synchronisatie: ${data.last_sync} (${data.last_result})` : "Nog niet gesynchroniseerd." }),
    data.waiting_message ? message(data.waiting_message, "wait") : null,
    el("h3", { text: `Wacht op verzending (${data.outbox.length})` }),
    el("table", { id: "outbox" }, el("tr", {}, el("th", { text: "Nr" }), el("th", { text: "Soort" }), el("th", { text: "Wat" })),
      data.outbox.map((o) => el("tr", {}, el("td", { text: o.seq }), el("td", { text: o.entity }), el("td", { text: o.summary })))),
    el("h3", { text: `Geweigerd (${data.rejections.length})` }),
    data.rejections.map((r) => el("div", { class: "card rejection" }, el("strong", { text: `${r.entity} ${r.summary}` }), el("p", { text: r.message }), errorList(r.errors))),
    el("h3", { text: `Conflicten (${data.conflicts.length})` }),
    data.conflicts.map((c) => el("div", { class: "card conflict" }, el("strong", { text: `${c.entity} ${c.summary}` }), el("p", { text: c.message }))));
}

async function route() {
  clearTimeout(saveTimer);
  try {
    await refreshState();
    if (!state.enrolled) return enrolScreen();
    const [, page, id] = location.hash.split("/");
    if (page === "adres" && id) return await addressScreen(id);
    if (page === "inspectie" && id) return await openInspection(id);
    if (page === "nieuw-adres") return newAddressScreen();
    if (page === "sync") return await syncScreen();
    return await todayScreen();
  } catch (err) { app.replaceChildren(message(err.message, "error")); }
}

window.addEventListener("hashchange", route);
window.addEventListener("beforeunload", () => { if (saveTimer && current) { clearTimeout(saveTimer); const { _address, ...d } = current;
  navigator.sendBeacon?.(`/local/inspections/${current.id}/beacon`, new Blob([JSON.stringify(d)], { type: "application/json" })); } });
// The local client syncs by itself in the background; keep the header's sync state fresh.
setInterval(() => { refreshState().catch(() => {}); }, 15000);
route();
