// sim report: draws the staffing chart from the embedded data, wires the toggles and the
// links between acts. No network: Plotly is inlined above this script.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const chart = document.getElementById("staffing-chart");
  const config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"] };
  Plotly.newPlot(chart, data.staffing.data, data.staffing.layout, config).then(function () {
    chart.setAttribute("data-rendered", "true");
  });

  function checked(name) {
    return Array.from(document.querySelectorAll('input[name="' + name + '"]:checked')).map(function (box) {
      return box.value;
    });
  }
  function applyToggles() {
    const runs = checked("run"), missions = checked("mission"), roles = checked("role");
    const visible = data.staffing.data.map(function (trace) {
      const meta = trace.meta;
      return runs.includes(meta.run) && missions.includes(meta.mission) && roles.includes(meta.role);
    });
    Plotly.restyle(chart, { visible: visible });
  }
  document.querySelectorAll(".controls input").forEach(function (box) {
    box.addEventListener("change", applyToggles);
  });
  applyToggles();

  // A link to an act ("answers ...") opens that act's details and scrolls to it.
  document.querySelectorAll("a.act-link").forEach(function (link) {
    link.addEventListener("click", function () {
      const target = document.getElementById(link.getAttribute("href").slice(1));
      if (target) { target.querySelector("details").open = true; }
    });
  });

  // Filter the timeline by text (actor, kind, source).
  document.querySelectorAll("input.filter").forEach(function (input) {
    input.addEventListener("input", function () {
      const words = input.value.toLowerCase();
      document.querySelectorAll("#" + input.dataset.list + " > li").forEach(function (item) {
        item.hidden = words !== "" && !item.textContent.toLowerCase().includes(words);
      });
    });
  });
})();
