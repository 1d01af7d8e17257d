/* Woontoezicht veld: the evidence of the visit itself (DESIGN.md inspection): how he entered
   (Binnentreden), who was present (Aanwezig), what was said (Verklaringen), and how measurements were taken.
   Each editor reads and writes `current` and saves as he types, like the rest of the form. */
"use strict";

const CONSENT_BY = { bewoner: "De bewoner", hoofdbewoner: "De hoofdbewoner" };
const PRESENT_ROLES = { toezichthouder: "Toezichthouder", tolk: "Tolk", politie: "Politie", verhuurder: "Verhuurder",
  beheerder: "Beheerder", bewoner: "Bewoner", other: "Anders" };
const FLOOR_AREA_SOURCES = { gemeten: "Gemeten", bag: "BAG", opgave: "Opgave van bewoner of verhuurder" };
const DETECTOR_TESTS = { testknop: "Testknop", rookspray: "Rookspray", visueel: "Alleen gekeken (visueel)" };
const ARBEIDSMIGRANT = "Arbeidsmigrant (Wgv): onderdaan van een andere EU-lidstaat, hoofdverblijf niet in Nederland, " +
  "hier voor tijdelijk werk. Vul alleen het aantal in dat zegt hieraan te voldoen, nooit een nationaliteit.";
// Awb 5:10a: who is questioned as a suspected overtreder is told first that he need not answer.
const CAUTIE = "U bent niet verplicht om op vragen antwoord te geven.";
const SUSPECTS = ["verhuurder", "beheerder"];

/* --- Binnentreden ------------------------------------------------------------------------------ */

function entryEditor() {
  return el("div", { id: "entry" },
    el("div", { class: "grid" },
      choice("entry.consent_by", "Toestemming om binnen te treden gegeven door", CONSENT_BY, "Niet vastgelegd"),
      textInput("entry.machtiging", "Machtiging tot binnentreden (kenmerk)"),
      yesNo("entry.legitimation_shown", "Legitimatie getoond"),
      yesNo("entry.purpose_stated", "Doel van het bezoek genoemd")),
    readOnly ? null : el("p", { class: "muted", text: "Binnentreden mag met toestemming van een bewoner of met een machtiging " +
      "tot binnentreden. Een verhuurder of beheerder kan geen toestemming geven voor een verhuurde woning." }),
    el("div", { id: "entry-doubts" }));
}

/** Show (not block) what the tablet's judge finds doubtful about the basis of entering. */
function paintEntryDoubts() {
  const box = document.getElementById("entry-doubts");
  if (!box) return;
  const doubts = evaluation.entry_doubts || [];
  fill(box, doubts.length ? el("div", { class: "message wait", role: "status" },
    el("p", { text: "Let op: de grondslag voor het binnentreden lijkt twijfelachtig. Indienen kan, maar het rapport meldt dit aan de jurist." }),
    el("ul", {}, doubts.map((text) => el("li", { text })))) : null);
}

/* --- Aanwezig ---------------------------------------------------------------------------------- */

function isOwnRow(row) { return row.role === "toezichthouder" && (row.user_ids || []).includes(state.user?.id); }

/** Put the signed-in handhaver among those present (he is there: he records it); return whether it changed. */
function ensureOwnPresence() {
  const me = state.user?.id;
  if (!me || current.present.some(isOwnRow)) return false;
  const officials = current.present.find((row) => row.role === "toezichthouder");
  if (officials) {
    officials.user_ids = [...(officials.user_ids || []), me];
    officials.count = Math.max(officials.count || 0, officials.user_ids.length);
  } else current.present.unshift({ role: "toezichthouder", count: 1, user_ids: [me] });
  return true;
}

function presentEditor() {
  const rows = current.present;
  const box = el("div", { id: "present" });
  if (!rows.length) box.append(el("p", { class: "muted", text: "Niet vastgelegd." }));
  rows.forEach((row, i) => {
    const name = PRESENT_ROLES[row.role] || row.role;
    const who = isOwnRow(row) ? `${name}: u zelf (${state.user.name})${row.count > 1 ? " en collega's" : ""}` : name;
    if (readOnly) {
      box.append(el("div", { class: "row present", "data-role": row.role }, el("span", { class: "tag", text: who }),
        el("span", { text: row.count == null ? "aantal niet vastgelegd" : plural(row.count, "persoon", "personen") })));
      return;
    }
    const count = el("input", { type: "number", min: 1, max: 100, step: 1, inputmode: "numeric", value: row.count ?? null,
      "data-present-count": row.role, "aria-label": `Aantal aanwezig: ${name}` });
    count.addEventListener("input", () => { row.count = count.value === "" ? null : Number(count.value); scheduleSave(); });
    box.append(el("div", { class: "row present", "data-role": row.role }, el("span", { class: "tag", text: who }), count,
      isOwnRow(row) ? null : el("button", { type: "button", class: "secondary", onclick: () => {
        rows.splice(i, 1); renderForm(); scheduleSave(); } }, "Verwijderen")));
  });
  if (readOnly) return box;
  const role = el("select", { id: "present-role", "aria-label": "Wie was er aanwezig" }, el("option", { value: "", text: "Kies wie" }),
    Object.entries(PRESENT_ROLES).map(([value, text]) => el("option", { value, text })));
  const n = el("input", { id: "present-count", type: "number", min: 1, max: 100, step: 1, value: 1, "aria-label": "Aantal" });
  const problem = el("span", { class: "muted", id: "present-problem" });
  box.append(el("div", { class: "row" }, role, n, el("button", { type: "button", class: "secondary", id: "present-add", onclick: () => {
    if (!role.value) { problem.textContent = "Kies eerst wie er aanwezig was."; return; }
    const added = Math.max(1, Math.round(Number(n.value) || 1));
    // One line per role: a second tolk adds to the count, a colleague toezichthouder to the officials' line.
    const existing = rows.find((row) => row.role === role.value);
    if (existing) existing.count = (existing.count || 0) + added;
    else rows.push(role.value === "toezichthouder" ? { role: role.value, count: added, user_ids: [] } : { role: role.value, count: added });
    renderForm(); scheduleSave(); } }, "Toevoegen"), problem));
  return box;
}

/* --- Verklaringen ------------------------------------------------------------------------------ */

function cautieCheck(checked, attrs, onchange) {
  const input = el("input", { type: "checkbox", checked, disabled: readOnly, ...attrs });
  if (onchange) input.addEventListener("change", () => onchange(input.checked));
  return el("label", { for: attrs.id, class: "check cautie" }, input, `Cautie gegeven vóór de vragen: "${CAUTIE}"`);
}

function statementCard(s, i) {
  const role = PRESENT_ROLES[s.by_role] || s.by_role;
  const warning = SUSPECTS.includes(s.by_role) && s.cautie_given !== true
    ? el("p", { class: "tag warn no-cautie", text: "Verklaring van een mogelijke overtreder zonder vastgelegde cautie" }) : null;
  if (readOnly) {
    const cautie = { true: "Cautie gegeven", false: "Geen cautie gegeven" }[s.cautie_given] || "Cautie niet vastgelegd";
    return el("div", { class: "card statement", "data-index": i }, el("strong", { text: `Verklaring van: ${role}` }),
      el("p", { class: "statement-text", text: s.text }), el("p", { class: "muted", text: cautie }), warning);
  }
  const text = el("textarea", { "data-statement-field": "text", "aria-label": `Verklaring van ${role}` });
  text.value = s.text ?? "";
  text.addEventListener("input", () => { s.text = text.value; scheduleSave(); });
  return el("div", { class: "card statement", "data-index": i }, el("strong", { text: `Verklaring van: ${role}` }), text,
    cautieCheck(s.cautie_given === true, { id: `statement-${i}-cautie`, "data-statement-field": "cautie_given" },
      (on) => { s.cautie_given = on; renderForm(); scheduleSave(); }),
    warning,
    el("p", {}, el("button", { type: "button", class: "secondary", onclick: () => {
      current.statements.splice(i, 1); renderForm(); scheduleSave(); } }, "Verklaring verwijderen")));
}

function statementsEditor() {
  const box = el("div", { id: "statements" },
    el("p", { class: "muted", id: "cautie-hint", text: `Stelt u vragen aan een verdachte overtreder (verhuurder of beheerder)? ` +
      `Geef dan eerst de cautie (Awb 5:10a): "${CAUTIE}"` }));
  current.statements.forEach((s, i) => box.append(statementCard(s, i)));
  if (!current.statements.length) box.append(el("p", { class: "muted", text: "Geen verklaringen." }));
  if (readOnly) return box;
  const role = el("select", { id: "statement-role", "aria-label": "Verklaring van" }, el("option", { value: "", text: "Verklaring van..." }),
    Object.entries(PRESENT_ROLES).filter(([value]) => value !== "toezichthouder").map(([value, text]) => el("option", { value, text })));
  const text = el("textarea", { id: "statement-text", "aria-label": "Wat werd verklaard", placeholder: "Wat werd verklaard" });
  const cautie = cautieCheck(false, { id: "statement-cautie" });
  const problem = el("span", { class: "muted", id: "statement-problem" });
  box.append(el("div", { class: "card" }, el("label", { for: "statement-role", text: "Nieuwe verklaring" }), role, text, cautie,
    el("div", { class: "row" }, el("button", { type: "button", class: "secondary", id: "statement-add", onclick: () => {
      if (!role.value || !text.value.trim()) { problem.textContent = "Kies van wie de verklaring is en vul de tekst in."; return; }
      current.statements.push({ by_role: role.value, text: text.value.trim(), cautie_given: cautie.querySelector("input").checked });
      renderForm(); scheduleSave(); } }, "Verklaring toevoegen"), problem)));
  return box;
}
