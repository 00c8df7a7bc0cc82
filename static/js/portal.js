/* 提案办理系统: small progressive enhancements for the member portal.
   Every page works without this file; it only hides fields that do not apply and
   asks before irreversible steps. No inline scripts anywhere (a strict CSP is planned). */
(function () {
  "use strict";

  // Shows a dependent field only while a radio group has a given value,
  // e.g. the collective author only for a collective proposal.
  function dependsOn(fieldSelector, radioName, value) {
    var field = document.querySelector(fieldSelector);
    var radios = document.querySelectorAll('input[type="radio"][name="' + radioName + '"]');
    if (!field || !radios.length) {
      return;
    }
    function update() {
      var checked = document.querySelector('input[type="radio"][name="' + radioName + '"]:checked');
      var show = checked && checked.value === value;
      // A field with an error stays visible whatever the choice, so the message is never hidden.
      field.hidden = !show && !field.classList.contains("has-error");
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  // Forms with data-confirm ask first (withdrawing a proposal, declining an invitation).
  function confirmations() {
    document.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      var message = (submitter && submitter.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        event.preventDefault();
      }
    });
  }

  // After a refused form, the summary of what to correct gets the focus (and the screen reader's attention).
  function focusErrors() {
    var summary = document.querySelector("[data-testid=error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  function ready() {
    dependsOn(".js-collective", "kind", "collective");
    dependsOn(".js-refusal", "publication_consent", "no");
    confirmations();
    focusErrors();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
