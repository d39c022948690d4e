// "Add a visitor": copies the empty row Django renders in <template>, numbering it as
// the formset expects. Without JavaScript the form still has one blank row.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("add-visitor");
  const template = document.getElementById("visitor-template");
  const list = document.getElementById("visitor-forms");
  const total = document.getElementById("id_visitors-TOTAL_FORMS");
  if (!button || !template || !list || !total) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const index = Number(total.value);
    const html = template.innerHTML.replaceAll("__prefix__", String(index));
    list.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const added = list.lastElementChild;
    added.querySelector("input")?.focus();
  });
});
