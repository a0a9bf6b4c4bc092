// msa-builder's only script besides htmx (the CSP allows no inline script).
// A batch page follows its run; nothing here touches client data.
document.addEventListener("htmx:sseClose", function () {
  var button = document.getElementById("run-batch");
  if (button) { button.disabled = false; }
});
