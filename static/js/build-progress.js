/* 提案办理系统: the progress of a document build (templates/jinja2/documents/build.html).
   While the build runs, the page asks for itself again every few seconds and puts the new progress in
   place (the bar and the status line, a live region); once the build is finished it shows the page's new
   card (the download, or the reason it failed). No framework, no inline script; without JavaScript the
   page's <noscript> refresh does the same by reloading. */
(function () {
  "use strict";

  var card = document.querySelector("[data-build-refresh]");
  if (!card) {
    return;
  }
  var seconds = Number(card.getAttribute("data-build-refresh")) || 2;

  function swap(selector, fresh) {
    var current = document.querySelector(selector);
    var replacement = fresh.querySelector(selector);
    if (current && replacement) {
      current.replaceWith(replacement);
    }
  }

  function update(page) {
    var fresh = page.querySelector("[data-testid=build]");
    if (!fresh) {
      return false;
    }
    if (fresh.hasAttribute("data-build-refresh")) {
      // Still running: only the bar and the status text change, so a screen reader hears the new status.
      var bar = document.getElementById("build-progress");
      var freshBar = page.getElementById("build-progress");
      var status = document.getElementById("build-progress-text");
      var freshStatus = page.getElementById("build-progress-text");
      if (bar && freshBar) {
        bar.value = freshBar.value;
        bar.textContent = freshBar.textContent;
      }
      if (status && freshStatus && status.textContent !== freshStatus.textContent) {
        status.textContent = freshStatus.textContent;
      }
      if (card.getAttribute("data-state") !== fresh.getAttribute("data-state")) {
        // Started (or writing the file): the state badge above the card says so too.
        swap(".page-head", page);
        card.setAttribute("data-state", fresh.getAttribute("data-state"));
      }
      return true;
    }
    swap("[data-testid=build]", page);
    swap(".page-head", page);
    document.title = page.title;
    return false;
  }

  function poll() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        if (update(new DOMParser().parseFromString(html, "text/html"))) {
          window.setTimeout(poll, seconds * 1000);
        }
      })
      .catch(function () {
        // A network hiccup or a server restart: try again later.
        window.setTimeout(poll, seconds * 1000 * 2);
      });
  }

  window.setTimeout(poll, seconds * 1000);
})();
