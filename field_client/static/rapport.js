/* Woontoezicht veld: the rapport van bevindingen of a submitted inspection. The server drafts it; the
   toezichthouder who made the inspection reads it here and signs it, which needs a connection. */
"use strict";

const RAPPORT_OFFLINE = "Geen verbinding met de server. Het rapport kunt u bekijken en ondertekenen zodra er verbinding is.";
let rapportUrl = null; // the object URL of the PDF on screen, released when another takes its place

function rapportPart(inspectionId) {
  const body = el("div", { id: "rapport-body" }, message("Rapport ophalen..."));
  loadRapport(inspectionId, body);
  return el("section", { id: "rapport", class: "card" }, el("h3", { text: "Rapport van bevindingen" }),
    el("div", { id: "rapport-signed" }), body);
}

function retry(inspectionId, body) {
  return el("p", {}, el("button", { type: "button", class: "secondary", id: "rapport-retry",
    onclick: () => { fill(body, message("Rapport ophalen...")); loadRapport(inspectionId, body); } }, "Opnieuw proberen"));
}

async function loadRapport(inspectionId, body) {
  let response = null;
  try {
    response = await fetch(`/local/inspections/${inspectionId}/rapport`, { headers: { "X-Local-Secret": SECRET } });
  } catch { response = null; } // the tablet app itself is gone: say so as for no network
  if (!body.isConnected) return; // he went elsewhere meanwhile
  if (!response || response.status === 503) { fill(body, message(RAPPORT_OFFLINE, "wait"), retry(inspectionId, body)); return; }
  if (!response.ok || !response.headers.get("Content-Type")?.includes("application/pdf")) {
    const data = response.headers.get("Content-Type")?.includes("json") ? await response.json() : null;
    fill(body, message(data?.message || `Het rapport is niet beschikbaar (fout ${response.status}).`, "wait"), retry(inspectionId, body));
    return;
  }
  const signed = response.headers.get("X-Document-Status") === "approved";
  const kenmerk = response.headers.get("X-Document-Kenmerk");
  if (rapportUrl) URL.revokeObjectURL(rapportUrl);
  rapportUrl = URL.createObjectURL(await response.blob());
  fill(body, signed ? null : el("p", { class: "muted", id: "rapport-concept",
      text: `Concept${kenmerk ? ` ${kenmerk}` : ""}: lees het rapport na en onderteken het als het klopt.` }),
    el("iframe", { id: "rapport-pdf", src: rapportUrl, title: "Rapport van bevindingen" }),
    el("div", { class: "row" },
      el("a", { class: "button secondary", id: "rapport-open", href: rapportUrl, target: "_blank", rel: "noopener" }, "Rapport openen"),
      signed ? null : el("button", { type: "button", id: "sign", onclick: () => confirmSign(inspectionId, body) }, "Ondertekenen")));
  const said = document.getElementById("rapport-signed");
  if (signed && said && !said.textContent) fill(said, message(`Ondertekend, kenmerk ${kenmerk}.`));
}

function confirmSign(inspectionId, body) {
  const truth = el("input", { type: "checkbox", id: "sign-truth" });
  const yes = el("button", { type: "button", id: "sign-yes", disabled: true }, "Ondertekenen");
  const out = el("div", { id: "sign-out" });
  const close = () => { dialog.close(); dialog.remove(); };
  truth.addEventListener("change", () => { yes.disabled = !truth.checked; });
  yes.addEventListener("click", async () => {
    yes.disabled = true; fill(out, message("Ondertekenen..."));
    try {
      const answer = await api("POST", `/local/inspections/${inspectionId}/rapport/sign`, {});
      close(); showSigned(answer);
      loadRapport(inspectionId, body); // the signed, frozen file in place of the concept
    } catch (err) {
      fill(out, message(err.status === 503 ? RAPPORT_OFFLINE : err.message, "error")); yes.disabled = !truth.checked;
    }
  });
  const dialog = el("dialog", { id: "sign-dialog" }, el("h2", { text: "Rapport ondertekenen?" }),
    el("p", { text: "Met uw ondertekening stelt u het rapport vast. Daarna verandert het niet meer." }),
    el("label", { for: "sign-truth", class: "check" }, truth, "Ik heb dit rapport naar waarheid opgemaakt."),
    out, el("div", { class: "row" }, yes, el("button", { type: "button", class: "secondary", id: "sign-back", onclick: close }, "Terug")));
  document.body.append(dialog); dialog.showModal();
}

function showSigned(answer) {
  const box = document.getElementById("rapport-signed");
  if (!box) return;
  document.getElementById("sign")?.remove();
  fill(box, message(`Ondertekend op ${dutchDate(answer.signed_on)}, kenmerk ${answer.kenmerk}.`));
}
