/* Woontoezicht veld: the router. Each hash is a screen; the header shows the sync state. */
"use strict";

async function route() {
  clearTimeout(saveTimer); saveTimer = null;
  try {
    await refreshState();
    if (!state.enrolled) return enrolScreen();
    const [, page, id] = location.hash.split("/");
    if (page === "adres" && id) return await addressScreen(id);
    if (page === "inspectie" && id) return await openInspection(id);
    if (page === "nieuw-adres") return newAddressScreen();
    if (page === "sync") return await syncScreen();
    return await todayScreen();
  } catch (err) { fill(app, message(err.message, "error")); }
}

window.addEventListener("hashchange", () => { saveBeforeLeaving(); route(); });
window.addEventListener("pagehide", saveBeforeLeaving);
// The local client syncs by itself in the background; keep the header's sync state fresh.
setInterval(() => { refreshState().catch(() => {}); }, 15000);
route();
