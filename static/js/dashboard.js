/* The dashboard's charts: Chart.js (served from django-unfold's static files), drawn from the JSON
   that the page carries in <script type="application/json" id="dashboard-charts">.
   A click on a bar or slice opens the filtered list behind it. No inline scripts (CSP). */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function dataset(spec, type) {
    var set = {
      label: spec.label,
      data: spec.data,
      backgroundColor: spec.colour,
      borderColor: spec.type === "line" ? spec.colour : undefined,
      borderWidth: spec.type === "line" ? 2 : 0,
      urls: spec.urls || [],
    };
    if (spec.type) set.type = spec.type;
    if (type === "doughnut") set.borderWidth = 1;
    return set;
  }

  function draw(canvas, spec) {
    var horizontal = !!spec.horizontal;
    if (horizontal && spec.labels.length > 6) {
      canvas.parentNode.style.height = Math.max(220, 34 * spec.labels.length + 60) + "px";
    }
    var scales = {};
    if (spec.type !== "doughnut") {
      var value = { beginAtZero: true, stacked: !!spec.stacked, ticks: { precision: 0 } };
      var category = { stacked: !!spec.stacked, ticks: { autoSkip: !horizontal } };
      scales = horizontal ? { x: value, y: category } : { x: category, y: value };
    }
    return new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets.map(function (s) { return dataset(s, spec.type); }) },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          legend: { display: spec.datasets.length > 1 || spec.type === "doughnut", position: "bottom" },
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (!elements.length) return;
          var element = elements[0];
          var url = (spec.datasets[element.datasetIndex].urls || [])[element.index];
          if (url) window.location.href = url;
        },
      },
    });
  }

  function hasData(spec) {
    return spec.datasets.some(function (set) {
      return set.data.some(function (value) { return value > 0; });
    });
  }

  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  ready(function () {
    autosubmit();
    var source = document.getElementById("dashboard-charts");
    if (!source || !window.Chart) return;
    var charts = JSON.parse(source.textContent);
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = "#4b5563";
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = charts[canvas.getAttribute("data-chart")];
      if (spec && hasData(spec)) {
        draw(canvas, spec);
      } else {
        var note = document.createElement("p");
        note.className = "muted chart-empty";
        note.textContent = canvas.getAttribute("data-empty") || "";
        canvas.parentNode.replaceWith(note);
      }
    });
  });
})();
