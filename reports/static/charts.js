// Charts of the report pages, drawn with the vendored Chart.js from the JSON in #chart-data.
(function () {
  "use strict";
  // The heat map's shades: set through the CSS object model, which the pages' header policy
  // allows (inline style attributes it does not).
  for (const cell of document.querySelectorAll("td[data-heat]")) {
    cell.style.background = `rgba(11,83,148,${cell.dataset.heat})`;
  }
  const node = document.getElementById("chart-data");
  if (!node || !window.Chart) return;
  const d = JSON.parse(node.textContent);
  const printing = document.body.classList.contains("evidence");
  Chart.defaults.font.family = '"Sarabun", sans-serif';
  Chart.defaults.font.size = printing ? 11 : 13;
  Chart.defaults.color = "#14213d";
  Chart.defaults.animation = false;
  // Paper needs more pixels than a screen for sharp lines.
  if (printing) Chart.defaults.devicePixelRatio = 3;
  const BRAND = "#0b5394", ACCENT = "#f1c232", OK = "#1e7b34", WARN = "#b45f06", SOFT = "#9fc5e8";

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false }, config.options || {});
    new Chart(canvas, config);
  }
  const minutes = { title: { display: true, text: "นาที (min)" }, beginAtZero: true };

  draw("chart-days", {
    data: {
      labels: d.days,
      datasets: [
        { type: "bar", label: "ให้บริการเสร็จ Served", data: d.served, backgroundColor: SOFT, yAxisID: "y" },
        { type: "line", label: "รอเฉลี่ย (นาที) Mean wait", data: d.wait_mean, borderColor: WARN,
          backgroundColor: WARN, yAxisID: "y1", tension: .25, spanGaps: true },
      ],
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "ราย (tickets)" } },
      y1: Object.assign({ position: "right", grid: { drawOnChartArea: false } }, minutes) } },
  });
  draw("chart-bands", {
    type: "bar",
    data: { labels: d.bands, datasets: [{ label: "จำนวนราย Tickets", data: d.band_counts,
      backgroundColor: [OK, "#7cb342", ACCENT, "#b3261e"] }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
  });
  draw("chart-hours", {
    data: {
      labels: d.hours,
      datasets: [
        { type: "bar", label: "ผู้มาติดต่อ/วัน Arrivals per day", data: d.arrivals_per_day, backgroundColor: BRAND, yAxisID: "y" },
        ...(d.served_per_day ? [{ type: "bar", label: "ให้บริการเสร็จ/วัน Served per day", data: d.served_per_day,
          backgroundColor: SOFT, yAxisID: "y" }] : []),
        { type: "line", label: "ช่องที่เปิด Open counters", data: d.open_counters, borderColor: ACCENT,
          backgroundColor: ACCENT, yAxisID: "y1", stepped: "middle", borderWidth: 3 },
      ],
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "ราย/วัน (per day)" } },
      y1: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
        title: { display: true, text: "ช่อง (counters)" } } } },
  });
  draw("chart-months", {
    data: {
      labels: d.months,
      datasets: [
        { type: "bar", label: "ให้บริการเสร็จ Served", data: d.served, backgroundColor: SOFT, yAxisID: "y" },
        { type: "line", label: "รอเฉลี่ย (นาที) Mean wait", data: d.wait_mean, borderColor: WARN,
          backgroundColor: WARN, yAxisID: "y1", tension: .25 },
      ],
    },
    options: { scales: { y: { beginAtZero: true }, y1: Object.assign({ position: "right",
      grid: { drawOnChartArea: false } }, minutes) } },
  });
  draw("chart-services", {
    type: "bar",
    data: { labels: d.services, datasets: [
      { label: "รอเฉลี่ย Mean wait", data: d.service_wait, backgroundColor: WARN },
      { label: "ให้บริการเฉลี่ย Mean service", data: d.service_time, backgroundColor: BRAND },
    ] },
    options: { indexAxis: "y", scales: { x: minutes } },
  });

  const kind = document.getElementById("period-kind");
  if (kind) {
    const sync = () => {
      const custom = kind.value === "custom";
      document.querySelectorAll(".only-custom input").forEach((i) => { i.disabled = !custom; });
      document.querySelectorAll(".only-anchor input").forEach((i) => { i.disabled = custom; });
      document.querySelectorAll(".only-custom").forEach((l) => l.classList.toggle("hidden", !custom));
      document.querySelectorAll(".only-anchor").forEach((l) => l.classList.toggle("hidden", custom));
    };
    kind.addEventListener("change", sync);
    sync();
  }
})();
(function () {
  "use strict";
  const button = document.getElementById("print");
  if (button) button.addEventListener("click", () => window.print());
})();
