// The log form's "Add a set": a blank row cloned from its <template>, ids numbered after the last row.
// Without JavaScript the form has spare blank rows instead, and the button stays hidden.
(() => {
  "use strict";
  document.querySelectorAll("form.log-form").forEach((form) => {
    const button = form.querySelector("[data-add-set]");
    const list = form.querySelector("[data-set-rows]");
    const template = form.querySelector("#set-row-template");
    if (!button || !list || !template) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const n = String(list.children.length + 1);
      const html = template.innerHTML.replaceAll("__N__", n);
      list.insertAdjacentHTML("beforeend", html);
      const row = list.lastElementChild;
      // Start the new row on the exercise of the row before it: the next set is most often of the same lift.
      const previous = row.previousElementSibling;
      const before = previous && previous.querySelector("[name=set_exercise]");
      const select = row.querySelector("select[name=set_exercise]");
      if (before && select) select.value = before.value;
      const first = select && !select.value ? select : row.querySelector("input[name=set_reps]");
      if (first) first.focus();
    });
  });
})();
