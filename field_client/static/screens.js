/* Woontoezicht veld: the screens around the inspection: Koppelen, Vandaag (with the address search
   over the tablet's addresses and the offline address register), Adres, Nieuw adres, Synchronisatie. */
"use strict";

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
    fill(out, message("Bezig met koppelen..."));
    try {
      await api("POST", "/local/enroll", { url: form.server.value, code: form.code.value });
      await refreshState(); location.hash = "#/vandaag";
    } catch (err) { fill(out, message(err.message, "error")); }
  });
  fill(app, out, form);
}

function addressCard(a, attrs = {}) {
  return el("div", { class: "card link", "data-id": a.id, onclick: () => { location.hash = `#/adres/${a.id}`; }, ...attrs }, label(a));
}

async function todayScreen() {
  nav("vandaag");
  const data = await api("GET", "/local/assignments");
  const list = el("div", { id: "assignments" });
  if (!data.items.length) list.append(el("p", { class: "muted", text: "Geen opdrachten deze week. Synchroniseer om nieuwe op te halen." }));
  for (const item of data.items) {
    list.append(el("div", { class: "card link assignment", "data-id": item.id, "data-address": item.address_id,
      onclick: () => { location.hash = `#/adres/${item.address_id}`; } },
      el("div", { class: "row" }, el("strong", { text: label(item.address) })),
      el("div", { class: "row" },
        el("span", { class: "tag", text: KINDS[item.kind] || item.kind }),
        el("span", { class: `tag ${item.status === "open" ? "warn" : "ok"}`, text: STATUS[item.status] || item.status }),
        el("span", { class: `tag ${item.sync_state === "synced" ? "ok" : "warn"}`, text: item.sync_state === "synced" ? "Gesynchroniseerd" : "Wacht op verzending" }),
        item.week ? el("span", { class: "muted", text: dutchWeek(item.week) }) : null,
        item.due ? el("span", { class: "muted", text: `uiterlijk ${dutchDate(item.due)}` }) : null),
      item.instructions ? el("p", { class: "muted", text: item.instructions }) : null));
  }
  const search = el("input", { id: "search", type: "search", autocomplete: "off",
    placeholder: "Straat en huisnummer, of postcode (1431 ZT 12)", "aria-label": "Adres zoeken" });
  const results = el("div", { id: "search-results" });
  let asked = 0;
  search.addEventListener("input", async () => {
    const q = search.value.trim();
    const ask = ++asked;
    if (q.length < 2) { fill(results); return; }
    const [local, register] = await Promise.all([api("GET", `/local/addresses?q=${encodeURIComponent(q)}`),
      api("GET", `/local/register?q=${encodeURIComponent(q)}`)]);
    if (ask !== asked) return; // a later keystroke asked again
    fill(results, ...searchResults(local, register));
  });
  fill(app, el("h2", { text: "Vandaag" }), list, el("h3", { text: "Adres zoeken" }), search, results);
}

function searchResults(local, register) {
  const parts = [el("h4", { text: `Op deze tablet (${plural(local.items.length, "adres", "adressen")})` }),
    el("div", { id: "local-results" }, local.items.map((a) => addressCard(a)))];
  const shown = register.items.length;
  parts.push(el("h4", { text: `In het adresregister (${plural(shown, "adres", "adressen")})` }));
  if (!register.size) parts.push(el("p", { class: "muted", text: "Het adresregister staat nog niet op deze tablet: synchroniseer eerst." }));
  else if (register.total > shown) parts.push(el("p", { class: "muted", id: "register-more",
    text: `De eerste ${shown} van ${plural(register.total, "adres", "adressen")}: typ meer om te verfijnen.` }));
  parts.push(el("div", { id: "register-results" }, register.items.map((a) => addressCard(a, { class: "card link register-hit" }))));
  parts.push(el("p", {}, el("button", { class: "secondary", id: "add-on-site", onclick: () => { location.hash = "#/nieuw-adres"; } },
    "Adres niet gevonden: ter plekke toevoegen")));
  return parts;
}

function newAddressScreen() {
  nav("vandaag");
  const fields = [["straat", "Straat", "text"], ["huisnummer", "Huisnummer", "number"], ["huisletter", "Huisletter", "text"],
    ["toevoeging", "Toevoeging", "text"], ["postcode", "Postcode", "text"], ["woonplaats", "Woonplaats", "text"]];
  const form = el("form", { class: "card", id: "address-form" }, el("h2", { text: "Nieuw adres ter plekke" }),
    el("p", { class: "muted", text: "Eerst wordt gekeken of het adres al in het adresregister staat." }),
    el("div", { class: "grid" }, fields.map(([name, text, type]) => el("div", {}, el("label", { for: `a-${name}`, text }),
      el("input", { id: `a-${name}`, name, type, value: name === "woonplaats" ? "Aalsmeer" : null })))),
    el("label", { for: "a-location_type", text: "Soort locatie" }),
    el("select", { id: "a-location_type", name: "location_type" }, el("option", { value: "", text: "Onbekend" }),
      Object.entries(LOCATION).map(([v, t]) => el("option", { value: v, text: t }))),
    el("p", {}, el("button", { type: "submit" }, "Adres opslaan")));
  const exists = el("div", { id: "address-exists" });
  const out = el("div");
  const offer = (found) => fill(exists, ...(found ? [el("div", { class: "message" },
    el("p", { text: `Dit adres staat al in het adresregister of op deze tablet: ${label(found)}.` }),
    el("button", { type: "button", id: "use-existing", onclick: () => { location.hash = `#/adres/${found.id}`; } }, "Dit adres gebruiken"))] : []));
  const typed = () => Object.fromEntries(["postcode", "huisnummer", "huisletter", "toevoeging"].map((k) => [k, form[k].value.trim()]));
  let timer = null;
  for (const name of ["postcode", "huisnummer", "huisletter", "toevoeging"]) {
    form[name].addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const t = typed(); if (!t.postcode || !t.huisnummer) return offer(null);
        const found = await api("GET", `/local/register/match?${new URLSearchParams(t)}`);
        offer(found.items[0] || null);
      }, 250);
    });
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {}; for (const [name] of fields) body[name] = form[name].value.trim() || null;
    body.huisnummer = body.huisnummer ? Number(body.huisnummer) : null;
    body.location_type = form.location_type.value || null; body.gemeentecode = "0358";
    try { const a = await api("POST", "/local/addresses", body); location.hash = `#/adres/${a.id}`; }
    catch (err) {
      if (err.data?.existing) { offer(err.data.existing); fill(out); return; }
      fill(out, message(err.message, "error"), errorList(err.data?.errors));
    }
  });
  fill(app, out, exists, form);
}

async function addressScreen(id) {
  nav("vandaag");
  const data = await api("GET", `/local/addresses/${id}`);
  const a = data.address;
  const start = async (assignment, kind) => {
    const created = await api("POST", "/local/inspections", { address_id: a.id, assignment_id: assignment?.id || null, kind });
    location.hash = `#/inspectie/${created.id}`;
  };
  const parts = [el("h2", { id: "address-title", text: label(a) }),
    el("div", { class: "card" },
      el("div", { class: "row" },
        a.from_register ? el("span", { class: "tag", id: "from-register", text: "Uit het adresregister" })
          : el("span", { class: `tag ${a.verified ? "ok" : "warn"}`, text: a.verified ? "Geverifieerd" : "Niet geverifieerd" }),
        a.location_type ? el("span", { class: "tag", text: LOCATION[a.location_type] }) : null),
      el("p", {}, `Gebruiksoppervlakte: ${a.floor_area_m2 == null ? "onbekend" : `${dutchNumber(a.floor_area_m2)} m²`} · BRP-inschrijvingen: ${dutchNumber(a.brp_registered)}`),
      a.landlord ? el("p", { text: `Verhuurder: ${a.landlord}` }) : null,
      a.employer_or_agency ? el("p", { text: `Werkgever/bureau: ${a.employer_or_agency}` }) : null,
      a.notes ? el("p", { class: "muted", text: a.notes }) : null)];
  const open = data.assignments.filter((x) => x.status === "open");
  for (const assignment of open) {
    const mine = data.inspections.filter((i) => i.assignment_id === assignment.id);
    const draft = mine.find((i) => i.status !== "submitted");
    if (mine.some((i) => i.status === "submitted")) {
      parts.push(el("p", {}, el("span", { class: "tag ok", text: `${KINDS[assignment.kind]} ingediend: wacht op verzending` })));
    } else if (draft) {
      parts.push(el("p", {}, el("button", { id: "start-inspection", onclick: () => { location.hash = `#/inspectie/${draft.id}`; } },
        `Verder met ${KINDS[assignment.kind].toLowerCase()}`)));
    } else {
      parts.push(el("p", {}, el("button", { id: "start-inspection", onclick: () => start(assignment, assignment.kind) },
        `Start ${KINDS[assignment.kind].toLowerCase()}`)));
    }
  }
  if (!open.length) {
    const kind = el("select", { id: "new-kind", "aria-label": "Soort inspectie" },
      Object.entries(KINDS).map(([v, t]) => el("option", { value: v, text: t })));
    kind.value = a.from_register ? "melding" : "controle";
    parts.push(el("div", { class: "row" }, kind,
      el("button", { class: "secondary", id: "start-inspection", onclick: () => start(null, kind.value) }, "Nieuwe inspectie")));
  }
  if (data.cases.length) {
    parts.push(el("h3", { text: capital(plural(data.cases.length, "lopende zaak", "lopende zaken")) }));
    for (const c of data.cases) parts.push(el("div", { class: "card" }, el("strong", { text: `${c.number}: ${c.status_label}` }),
      el("ul", {}, c.violations.map((v) => el("li", { text: v.title || v.code }))),
      c.begunstigingstermijn_end ? el("p", { text: `Begunstigingstermijn tot en met ${dutchDate(c.begunstigingstermijn_end)}` }) : null,
      c.hercontrole_on ? el("p", { text: `Hercontrole op ${dutchDate(c.hercontrole_on)}` }) : null));
  }
  parts.push(el("h3", { text: "Eerdere inspecties" }));
  if (!data.inspections.length) parts.push(el("p", { class: "muted", text: "Nog geen inspecties." }));
  for (const i of data.inspections) {
    parts.push(el("div", { class: "card link previous", onclick: () => { location.hash = `#/inspectie/${i.id}`; } },
      el("div", { class: "row" }, el("strong", { text: dutchMoment(i.started_at) }),
        el("span", { class: "tag", text: i.status === "submitted" ? "Ingediend" : "Concept" }),
        i.access ? el("span", { class: "tag", text: ACCESS[i.access] }) : null),
      el("div", { text: i.findings.length ? `${plural(i.findings.length, "bevinding", "bevindingen")}: ${i.findings.map((f) => f.title).join(", ")}` : "Geen bevindingen" })));
  }
  fill(app, ...parts);
}

async function syncScreen() {
  nav("sync");
  const data = await api("GET", "/local/sync");
  const out = el("div", { id: "sync-out" });
  const run = el("button", { id: "sync-now", onclick: async () => {
    run.disabled = true; fill(out, message("Synchroniseren..."));
    let said = null;
    try { const r = await api("POST", "/local/sync"); said = r.message; fill(out, message(r.message, r.ok ? "" : "wait")); }
    catch (err) { fill(out, message(err.message, "error")); }
    run.disabled = false; await refreshState(); syncScreenDetails(await api("GET", "/local/sync"), said);
  } }, "Nu synchroniseren");
  fill(app, el("h2", { text: "Synchronisatie" }), el("p", {}, run), out, el("div", { id: "sync-details" }));
  syncScreenDetails(data);
}

function problemCard(p, kind) {
  return el("div", { class: `card ${kind}` }, el("strong", { text: `${p.kind}: ${p.summary}` }),
    el("p", { text: p.message }), p.at ? el("p", { class: "muted", text: `Teruggemeld op ${dutchMoment(p.at)}` }) : null,
    errorList(p.errors));
}

function syncScreenDetails(data, said = null) {
  const box = document.getElementById("sync-details"); if (!box) return;
  const failed = data.last_sync_ok === false;
  fill(box, 
    el("p", { id: "last-sync", text: data.last_sync ? `Laatste geslaagde synchronisatie: ${dutchMoment(data.last_sync)}.` : "Nog niet gesynchroniseerd." }),
    failed && data.last_attempt ? el("p", { id: "last-attempt", text: `Laatste poging: ${dutchMoment(data.last_attempt)}, niet gelukt.` }) : null,
    failed && data.problem && data.problem !== said ? message(data.problem, "wait") : null,
    el("h3", { text: "Wacht op verzending" }),
    el("p", { id: "outbox-count", text: data.outbox.length ? `${plural(data.outbox.length, "wijziging", "wijzigingen")} op deze tablet.` : "Niets te verzenden." }),
    data.outbox.length ? el("table", { id: "outbox" }, el("tr", {}, el("th", { text: "Nr." }), el("th", { text: "Soort" }), el("th", { text: "Wat" })),
      data.outbox.map((o) => el("tr", {}, el("td", { text: o.seq }), el("td", { text: o.kind }), el("td", { text: o.summary })))) : null,
    el("h3", { text: "Geweigerd door de server" }),
    el("p", { class: "muted", text: data.rejections.length ? plural(data.rejections.length, "wijziging geweigerd", "wijzigingen geweigerd") : "Niets geweigerd." }),
    data.rejections.map((r) => problemCard(r, "rejection")),
    el("h3", { text: "Conflicten" }),
    el("p", { class: "muted", text: data.conflicts.length ? plural(data.conflicts.length, "conflict", "conflicten") : "Geen conflicten." }),
    data.conflicts.map((c) => problemCard(c, "conflict")));
}
