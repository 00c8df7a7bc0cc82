// The admin's select2 boxes (unfold's autocomplete and multiple-choice widgets) type into a search
// field select2 draws without a label: screen readers then announce an unnamed box (axe: "label",
// critical). Each such field is named after the field it searches, once select2 has drawn it.
(function () {
  "use strict";

  function nameOf(select) {
    if (!select) return "";
    if (select.id) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      if (label) return label.textContent.trim();
    }
    return select.getAttribute("aria-label") || select.name || "";
  }

  function labelSearchFields(root) {
    var fields = (root || document).querySelectorAll(".select2-search__field:not([aria-label])");
    fields.forEach(function (field) {
      var container = field.closest(".select2-container");
      var select = container && container.previousElementSibling;
      var name = nameOf(select && select.tagName === "SELECT" ? select : null);
      if (name) field.setAttribute("aria-label", name);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    labelSearchFields(document);
    new MutationObserver(function () {
      labelSearchFields(document);
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
