/* Woontoezicht veld: the inspection form. A draft saves as he types and is judged live; a submitted
   inspection is evidence: it is shown read-only, and only a correction can follow it. */
"use strict";

let current = null; // the inspection on screen
let readOnly = false;
let saveTimer = null;
let evaluation = { findings: [], not_assessed: [] };
let saveState = "";

function fieldId(path) { return `f-${path.replace(/\./g, "-")}`; }

function numberInput(path, text) {
  const value = get(current, path);
  const input = el("input", { id: fieldId(path), type: "number", inputmode: "decimal", step: "any", min: 0,
    value: value ?? null, "data-path": path, disabled: readOnly });
  input.addEventListener("input", () => { set(current, path, input.value === "" ? null : Number(input.value)); scheduleSave(); });
  return el("div", {}, el("label", { for: input.id, text }), input);
}

function textInput(path, text, multiline = false) {
  const input = el(multiline ? "textarea" : "input", { id: fieldId(path), "data-path": path, disabled: readOnly });
  input.value = get(current, path) ?? "";
  input.addEventListener("input", () => { set(current, path, input.value === "" ? null : input.value); scheduleSave(); });
  return el("div", {}, el("label", { for: input.id, text }), input);
}

const YES_NO = [[true, "Ja"], [false, "Nee"], [null, "Niet gecontroleerd"]];

/** Ja / Nee / Niet gecontroleerd for a value read with read() and written with write(); read-only as text. */
function triState(read, write, text, attrs) {
  if (readOnly) {
    const shown = (YES_NO.find(([v]) => v === (read() ?? null)) || YES_NO[2])[1];
    return el("div", {}, el("label", { text }), el("div", { class: "shown", ...attrs, text: shown }));
  }
  const group = el("div", { class: "tri", role: "group", "aria-label": text, ...attrs });
  const paint = () => { for (const b of group.children) b.classList.toggle("on", JSON.stringify(read() ?? null) === b.dataset.value); };
  for (const [value, word] of YES_NO) {
    group.append(el("button", { type: "button", "data-value": JSON.stringify(value), onclick: () => { write(value); paint(); scheduleSave(); } }, word));
  }
  paint();
  return el("div", {}, el("label", { text }), group);
}

function yesNo(path, text) {
  return triState(() => get(current, path), (value) => set(current, path, value), text, { "data-path": path });
}

function choice(path, text, options, empty = "Niet ingevuld") {
  const select = el("select", { id: fieldId(path), "data-path": path, disabled: readOnly },
    el("option", { value: "", text: empty }), Object.entries(options).map(([v, t]) => el("option", { value: v, text: t })));
  select.value = get(current, path) ?? "";
  select.addEventListener("change", () => { set(current, path, select.value || null); scheduleSave(); });
  return el("div", {}, el("label", { for: select.id, text }), select);
}

function storeySelect(room) {
  const storeys = new Set([-1, 0, 1, 2, 3, 4, 5]);
  for (let s = 0; s < (current.dwelling.storeys || 0); s++) storeys.add(s);
  if (room.storey !== null && room.storey !== undefined) storeys.add(room.storey);
  const select = el("select", { "data-room-field": "storey", disabled: readOnly }, el("option", { value: "", text: "Onbekend" }),
    [...storeys].sort((a, b) => a - b).map((s) => el("option", { value: String(s), text: capital(storeyName(s)) })));
  select.value = room.storey === null || room.storey === undefined ? "" : String(room.storey);
  select.addEventListener("change", () => { room.storey = select.value === "" ? null : Number(select.value); scheduleSave(); renderForm(); });
  return select;
}

function roomEditor(room, index) {
  const bind = (key, input, numeric) => {
    input.addEventListener("input", () => { room[key] = input.value === "" ? null : (numeric ? Number(input.value) : input.value); scheduleSave(); });
    return input;
  };
  const kind = el("select", { "data-room-field": "kind", disabled: readOnly }, Object.entries(ROOM_KINDS).map(([v, t]) => el("option", { value: v, text: t })));
  kind.value = room.kind;
  kind.addEventListener("change", () => { room.kind = kind.value; scheduleSave(); });
  const num = (key, text) => el("div", {}, el("label", { text }), bind(key, el("input", { type: "number", min: 0, step: "any", inputmode: "decimal",
    value: room[key] ?? null, "data-room-field": key, disabled: readOnly }), true));
  return el("div", { class: "room", "data-room": room.id },
    el("div", { class: "grid" },
      el("div", {}, el("label", { text: "Naam" }), bind("name", el("input", { value: room.name ?? null, "data-room-field": "name", disabled: readOnly }), false)),
      el("div", {}, el("label", { text: "Soort" }), kind),
      el("div", {}, el("label", { text: "Verdieping" }), storeySelect(room)),
      num("area_m2", "Oppervlakte (m²)"), num("beds", "Bedden"), num("occupants", "Bewoners"),
      triState(() => room.smoke_detector, (value) => { room.smoke_detector = value; }, "Werkende rookmelder in deze ruimte",
        { "data-room-field": "smoke_detector" })),
    readOnly ? null : el("p", {}, el("button", { type: "button", class: "secondary remove-room", onclick: () => {
      current.rooms.splice(index, 1); renderForm(); scheduleSave(); } }, "Kamer verwijderen")));
}

function languagesEditor() {
  const langs = current.occupants.languages;
  const box = el("div", { id: "languages" });
  const entries = Object.entries(langs);
  if (!entries.length) box.append(el("p", { class: "muted", text: "Nog geen talen opgegeven." }));
  for (const [code, n] of entries) {
    box.append(el("div", { class: "row language", "data-lang": code }, el("span", { class: "tag", text: languageName(code) }),
      el("span", { text: plural(n, "persoon", "personen") }),
      readOnly ? null : el("button", { type: "button", class: "secondary", onclick: () => { delete langs[code]; renderForm(); scheduleSave(); } }, "Verwijderen")));
  }
  if (readOnly) return box;
  const pick = el("select", { id: "lang-choice", "aria-label": "Taal" }, el("option", { value: "", text: "Kies een taal" }),
    LANGUAGES.map(([code, name]) => el("option", { value: code, text: name })), el("option", { value: "other", text: "Andere taal" }));
  const other = el("input", { id: "lang-other-code", maxlength: 2, placeholder: "taalcode, bv. ne", "aria-label": "Taalcode (ISO 639-1)", hidden: true });
  const n = el("input", { id: "lang-count", type: "number", min: 1, value: 1, "aria-label": "Aantal personen" });
  const problem = el("span", { class: "muted", id: "lang-problem" });
  pick.addEventListener("change", () => { other.hidden = pick.value !== "other"; if (!other.hidden) other.focus(); });
  box.append(el("div", { class: "row" }, pick, other, n, el("button", { type: "button", class: "secondary", id: "lang-add", onclick: () => {
    const code = pick.value === "other" ? other.value.trim().toLowerCase() : pick.value;
    if (!/^[a-z]{2}$/.test(code)) { problem.textContent = pick.value === "other" ? "Een taalcode is twee letters (ISO 639-1), zoals ne." : "Kies eerst een taal."; return; }
    langs[code] = Number(n.value) || 1; renderForm(); scheduleSave(); } }, "Taal toevoegen"), problem));
  return box;
}

function smokeEditor() {
  const storeys = new Set(current.rooms.map((r) => r.storey).filter((s) => s !== null && s !== undefined));
  for (let s = 0; s < (current.dwelling.storeys || 0); s++) storeys.add(s);
  const checked = current.fire_safety.storeys_with_smoke_detector;
  const box = el("div", { id: "smoke", class: "row" });
  if (!storeys.size) box.append(el("p", { class: "muted", text: "Vul eerst de bouwlagen of de verdiepingen van de kamers in." }));
  for (const s of [...storeys].sort((x, y) => x - y)) {
    const input = el("input", { type: "checkbox", id: `smoke-${s}`, checked: checked?.includes(s), disabled: readOnly });
    input.addEventListener("change", () => {
      const now = new Set(current.fire_safety.storeys_with_smoke_detector || []);
      if (input.checked) now.add(s); else now.delete(s);
      current.fire_safety.storeys_with_smoke_detector = [...now].sort((x, y) => x - y); scheduleSave(); renderForm();
    });
    box.append(el("label", { for: input.id, class: "check" }, input, capital(storeyName(s))));
  }
  if (readOnly) {
    if (checked === null || checked === undefined) box.append(el("span", { class: "shown", text: "Niet gecontroleerd" }));
  } else {
    box.append(el("button", { type: "button", class: "secondary", id: "smoke-clear", onclick: () => {
      current.fire_safety.storeys_with_smoke_detector = null; renderForm(); scheduleSave(); } },
      checked === null || checked === undefined ? "Niet gecontroleerd" : "Wissen: niet gecontroleerd"));
  }
  return box;
}

function photosEditor() {
  const list = el("div", { class: "photos", id: "photo-list" });
  const roomName = (id) => { const r = current.rooms.find((x) => x.id === id); return r ? (r.name || ROOM_KINDS[r.kind]) : "Geen kamer"; };
  current.photos.forEach((p) => {
    const img = el("img", { src: photoUrl(p.sha256), alt: p.caption || "foto" });
    const taken = p.taken_at ? el("div", { class: "muted taken", text: `Genomen op ${dutchMoment(p.taken_at)}` }) : null;
    if (readOnly) {
      list.append(el("figure", {}, img, taken, el("figcaption", {}, p.caption || "Geen onderschrift", el("br"), roomName(p.room_id))));
      return;
    }
    const caption = el("input", { value: p.caption ?? null, placeholder: "Onderschrift", "aria-label": "Onderschrift", "data-photo-caption": p.sha256 });
    caption.addEventListener("input", () => { p.caption = caption.value || null; scheduleSave(); });
    const room = el("select", { "aria-label": "Kamer van de foto" }, el("option", { value: "", text: "Geen kamer" }),
      current.rooms.map((r) => el("option", { value: r.id, text: r.name || ROOM_KINDS[r.kind] })));
    room.value = p.room_id ?? "";
    room.addEventListener("change", () => { p.room_id = room.value || null; scheduleSave(); });
    list.append(el("figure", {}, img, taken, caption, room));
  });
  if (!current.photos.length) list.append(el("p", { class: "muted", text: "Geen foto's." }));
  if (readOnly) return list;
  const file = el("input", { type: "file", accept: "image/*", capture: "environment", id: "photo-input" });
  file.addEventListener("change", async () => {
    for (const f of file.files) {
      const form = new FormData(); form.append("photo", f);
      const saved = await api("POST", "/local/photos", form);
      // The tablet's clock when the photo came in: data for the rapport, never an order.
      current.photos.push({ sha256: saved.sha256, caption: null, room_id: null, taken_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z") });
    }
    renderForm(); scheduleSave();
  });
  return el("div", {}, list, el("label", { for: "photo-input", text: "Foto maken of kiezen" }), file);
}

function manualEditor() {
  const box = el("div", { id: "manual" });
  current.manual_findings.forEach((m, i) => box.append(el("div", { class: "card manual" }, el("strong", { text: m.code }), " ", m.description,
    readOnly ? null : el("p", {}, el("button", { type: "button", class: "secondary", onclick: () => {
      current.manual_findings.splice(i, 1); renderForm(); scheduleSave(); } }, "Verwijderen")))));
  if (!current.manual_findings.length) box.append(el("p", { class: "muted", text: "Geen eigen bevindingen." }));
  if (readOnly) return box;
  const code = el("input", { id: "manual-code", placeholder: "CODE, bv. VOCHT", "aria-label": "Code" });
  const text = el("input", { id: "manual-text", placeholder: "Omschrijving", "aria-label": "Omschrijving" });
  box.append(el("div", { class: "grid" }, code, text, el("button", { type: "button", class: "secondary", id: "manual-add", onclick: () => {
    if (!code.value.trim() || !text.value.trim()) return;
    current.manual_findings.push({ code: code.value.trim().toUpperCase(), description: text.value.trim(), room_id: null });
    renderForm(); scheduleSave(); } }, "Bevinding toevoegen")));
  return box;
}

function dateInput(path, text) {
  const id = fieldId(path);
  const shown = () => (get(current, path) ? dutchDate(get(current, path)) : "Niet ingevuld");
  if (readOnly) return el("div", {}, el("label", { text }), el("div", { class: "shown", id, "data-path": path, text: shown() }));
  // The date picker follows the tablet's own language; the line under it always says the date in Dutch.
  const input = el("input", { id, type: "date", "data-path": path, value: get(current, path) ?? null });
  const hint = el("div", { class: "muted", id: `${id}-shown`, text: shown() });
  input.addEventListener("input", () => { set(current, path, input.value || null); hint.textContent = shown(); scheduleSave(); });
  return el("div", {}, el("label", { for: id, text }), input, hint);
}

/* --- findings: the full list beside (or below) the form, and a summary that stays in view ------- */

function byImpact(findings) { return [...findings].sort((a, b) => (b.impact ?? 0) - (a.impact ?? 0)); }

function findingList(findings, notAssessed, problem, id = "findings") {
  const box = el("div", { id });
  if (problem) box.append(el("p", { class: "muted evaluation-note", text: problem }));
  box.append(el("h3", { text: findings.length ? capital(plural(findings.length, "bevinding", "bevindingen")) : "Bevindingen" }));
  if (!findings.length) box.append(el("p", { class: "muted", text: "Geen bevindingen." }));
  for (const f of byImpact(findings)) {
    box.append(el("div", { class: `finding ${f.impact === 0 ? "signal" : ""}`, "data-code": f.code },
      el("strong", { text: f.title }), el("div", { text: f.description }),
      el("div", { class: "muted", text: f.legal_basis })));
  }
  if (notAssessed && notAssessed.length) {
    box.append(el("h3", { text: `Nog niet beoordeeld: ${plural(notAssessed.length, "regel", "regels")}` }));
    for (const n of notAssessed) box.append(el("div", { class: "notassessed", "data-code": n.code }, n.reason));
  }
  return box;
}

function findingsBar() {
  const findings = byImpact(evaluation.findings);
  const worst = findings.slice(0, 2).map((f) => f.title).join(" · ") + (findings.length > 2 ? " · ..." : "");
  const waiting = evaluation.not_assessed?.length ? `${plural(evaluation.not_assessed.length, "regel", "regels")} nog niet beoordeeld` : "";
  return el("div", { id: "findings-bar", role: "status" },
    el("strong", { id: "findings-count", class: findings.length ? "bad" : "", text: findings.length ? plural(findings.length, "bevinding", "bevindingen") : "Geen bevindingen" }),
    el("span", { class: "worst", text: worst || evaluation.error || waiting }),
    el("button", { type: "button", id: "findings-open", class: "secondary", onclick: openFindings }, "Alle bevindingen"));
}

function openFindings() {
  const dialog = el("dialog", { id: "findings-dialog" },
    findingList(evaluation.findings, evaluation.not_assessed, evaluation.error, "findings-all"),
    el("p", {}, el("button", { type: "button", id: "findings-close", onclick: () => { dialog.close(); dialog.remove(); } }, "Sluiten")));
  document.body.append(dialog); dialog.showModal();
}

function paintFindings() {
  const side = document.querySelector("aside.findings");
  if (side) fill(side, findingList(evaluation.findings, evaluation.not_assessed, evaluation.error));
  fill(document.getElementById("header-extra"), findingsBar());
  paintEntryDoubts();
}

/* --- the form ----------------------------------------------------------------------------- */

function renderForm() {
  readOnly = current.status === "submitted";
  const form = el("form", { id: "inspection-form", class: readOnly ? "readonly" : "", onsubmit: (e) => e.preventDefault() },
    el("h3", { text: "Toegang" }), choice("access", "Toegang tot de woning", ACCESS),
    el("h3", { text: "Binnentreden" }), entryEditor(),
    el("h3", { text: "Aanwezig" }), presentEditor(),
    el("h3", { text: "Woning" }), el("div", { class: "grid" }, numberInput("dwelling.floor_area_m2", "Gebruiksoppervlakte (m²)"),
      choice("dwelling.floor_area_source", "Oppervlakte volgens", FLOOR_AREA_SOURCES),
      numberInput("dwelling.storeys", "Bouwlagen"), yesNo("dwelling.lodging", "Logiesgebouw")),
    el("h3", { text: current.rooms.length ? capital(plural(current.rooms.length, "kamer", "kamers")) : "Kamers" }),
    el("div", { id: "rooms" }, current.rooms.map(roomEditor)),
    readOnly ? null : el("p", {}, el("button", { type: "button", id: "add-room", class: "secondary", onclick: () => {
      const n = current.rooms.length + 1; let id = `r${n}`; while (current.rooms.some((r) => r.id === id)) id += "x";
      current.rooms.push({ id, name: null, kind: "bedroom", storey: 0, area_m2: null, beds: null, occupants: null });
      renderForm(); scheduleSave(); } }, "Kamer toevoegen")),
    el("h3", { text: "Bewoners" }), el("div", { class: "grid" }, numberInput("occupants.present", "Aanwezig"), numberInput("occupants.reported", "Opgegeven"),
      numberInput("occupants.arbeidsmigranten", "Arbeidsmigranten (volgens eigen zeggen)")),
    el("p", { class: "muted", id: "arbeidsmigrant-definition", text: ARBEIDSMIGRANT }),
    el("label", { text: "Talen (aantal personen per taal)" }), languagesEditor(),
    el("h3", { text: "Voorzieningen" }), el("div", { class: "grid" }, numberInput("facilities.toilets", "Toiletten"),
      numberInput("facilities.showers", "Douches"), numberInput("facilities.hobs", "Kookpitten"),
      yesNo("facilities.washing_machine", "Wasmachine"), yesNo("facilities.lockable_storage", "Afsluitbare opbergruimte per persoon"),
      yesNo("facilities.wardrobe_outside_bedroom", "Kledingkast buiten de slaapkamer")),
    el("h3", { text: "Brandveiligheid" }), el("label", { text: "Verdiepingen met werkende rookmelder" }), smokeEditor(),
    el("div", { class: "grid" }, choice("fire_safety.smoke_detectors_tested_by", "Rookmelders getest met", DETECTOR_TESTS),
      yesNo("fire_safety.fuel_appliance", "Verbrandingstoestel"), yesNo("fire_safety.co_detector", "Werkende CO-melder"),
      yesNo("fire_safety.extinguisher_near_kitchen", "Blusmiddel binnen 5 m van de kookplaats"), yesNo("fire_safety.fire_blanket", "Blusdeken"),
      yesNo("fire_safety.escape_route_clear", "Vluchtweg vrij"), yesNo("fire_safety.electrical_overload", "Overbelaste elektra")),
    el("h3", { text: "Huur" }), textInput("tenancy.landlord_stated", "Verhuurder volgens de bewoners"),
    el("div", { class: "grid" }, dateInput("tenancy.lease_concluded_on", "Huurovereenkomst gesloten op"),
      dateInput("tenancy.lease_start", "Ingang huurovereenkomst"),
      yesNo("tenancy.lease_separate_from_employment", "Huur los van arbeidscontract"), yesNo("tenancy.info_card_present", "Informatiekaart aanwezig"),
      yesNo("tenancy.info_in_own_language", "Schriftelijke informatie in eigen taal")),
    el("h3", { text: "Verklaringen" }), statementsEditor(),
    el("h3", { text: "Eigen bevindingen" }), manualEditor(),
    el("h3", { text: "Foto's" }), photosEditor(),
    el("h3", { text: "Notities" }), textInput("notes", "Notities", true));
  // Whatever an editor forgot: nothing in a submitted inspection can be changed.
  if (readOnly) for (const field of form.querySelectorAll("input, select, textarea")) field.disabled = true;
  const actions = el("div", { class: "row", id: "actions" });
  if (readOnly) {
    actions.append(el("span", { class: "tag ok", id: "submitted-tag", text: `Ingediend${current.finished_at ? ` op ${dutchMoment(current.finished_at)}` : ""}: alleen-lezen` }),
      el("button", { type: "button", id: "correct", class: "secondary", onclick: async () => {
        const created = await api("POST", "/local/inspections", { address_id: current.address_id, kind: current.kind, corrects: current.id });
        location.hash = `#/inspectie/${created.id}`; } }, "Correctie maken"));
  } else {
    actions.append(el("button", { type: "button", id: "submit", onclick: confirmSubmit }, "Indienen"), el("span", { id: "save-state", class: "muted", text: saveState }));
  }
  const side = el("aside", { class: "findings card" });
  const title = el("h2", { id: "inspection-title", text: `${KINDS[current.kind] || "Inspectie"} ${label(current._address)}` });
  const started = el("p", { class: "muted", id: "started", text: `Gestart op ${dutchMoment(current.started_at)}` });
  const corrects = current.corrects ? el("p", { class: "muted", id: "corrects", text: "Correctie van een eerder ingediende inspectie." }) : null;
  const scrollY = window.scrollY;
  const rapport = readOnly && current.inspector_id && current.inspector_id === state.user?.id ? rapportPart(current.id) : null;
  fill(app, ...[title, started, corrects].filter(Boolean), el("div", { class: "layout" }, el("div", {}, form, actions, rapport), side),
    el("div", { id: "submit-errors" }));
  paintFindings();
  window.scrollTo(0, scrollY);
}

function scheduleSave() {
  if (readOnly) return;
  saveState = "Opslaan..."; const s = document.getElementById("save-state"); if (s) s.textContent = saveState;
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveDraft, 300);
}

function draftBody() { const { _address, ...draft } = current; return draft; }

async function saveDraft() {
  saveTimer = null;
  try {
    const saved = await api("PUT", `/local/inspections/${current.id}`, draftBody());
    // What he typed while this save was on its way waits for the next one: not saved yet.
    evaluation = saved.evaluation; saveState = saveTimer ? "Opslaan..." : "Concept opgeslagen";
    paintFindings();
  } catch (err) { saveState = `Niet opgeslagen: ${err.message}`; }
  const s = document.getElementById("save-state"); if (s) s.textContent = saveState;
}

/** Save what waits when the page goes away; keepalive lets the request outlive the page. */
function saveBeforeLeaving() {
  if (!saveTimer || !current || readOnly) return;
  clearTimeout(saveTimer); saveTimer = null;
  api("PUT", `/local/inspections/${current.id}`, draftBody(), { keepalive: true }).catch(() => {});
}

function confirmSubmit() {
  const dialog = el("dialog", { id: "confirm" }, el("h2", { text: "Inspectie indienen?" }),
    el("p", { text: "Na indienen kan de inspectie niet meer worden gewijzigd; alleen een correctie is dan nog mogelijk." }),
    el("div", { class: "row" }, el("button", { id: "confirm-yes", onclick: async () => {
      dialog.close(); dialog.remove(); clearTimeout(saveTimer); await saveDraft();
      try { await api("POST", `/local/inspections/${current.id}/submit`); await openInspection(current.id); await refreshState(); }
      catch (err) { fill(document.getElementById("submit-errors"), message(err.message, "error"), errorList(err.data?.errors)); }
    } }, "Ja, indienen"), el("button", { class: "secondary", onclick: () => { dialog.close(); dialog.remove(); } }, "Terug")));
  document.body.append(dialog); dialog.showModal();
}

async function openInspection(id) {
  nav("vandaag");
  const data = await api("GET", `/local/inspections/${id}`);
  current = { ...data.inspection, _address: data.address };
  for (const k of ["dwelling", "occupants", "facilities", "fire_safety", "tenancy", "entry"]) current[k] = current[k] || {};
  current.occupants.languages = current.occupants.languages || {};
  for (const k of ["rooms", "manual_findings", "photos", "present", "statements"]) current[k] = current[k] || [];
  evaluation = data.evaluation; saveState = data.inspection.status === "submitted" ? "" : "Concept opgeslagen";
  const joined = current.status !== "submitted" && ensureOwnPresence();
  renderForm();
  if (joined) scheduleSave();
}
