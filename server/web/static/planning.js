// "Alle adressen op deze pagina" ticks every address of the page (and is unticked with any one of them);
// without this script the server reads that box itself.
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("f-all_on_page");
  if (!all) { return; }
  var boxes = document.querySelectorAll("input[name=address_id]");
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
  boxes.forEach(function (box) {
    box.addEventListener("change", function () { if (!box.checked) { all.checked = false; } });
  });
});
