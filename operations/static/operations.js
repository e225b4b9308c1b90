// The incident log page: record an incident, end one, say its impact and the action taken.
(function () {
  "use strict";
  function values(form) {
    const out = {};
    new FormData(form).forEach(function (v, k) { if (v !== "") out[k] = v; });
    return out;
  }
  const error = document.querySelector("[data-error]");
  const record = document.querySelector("[data-record]");
  if (record) {
    record.addEventListener("submit", async function (e) {
      e.preventDefault();
      try {
        await Saduak.api("POST", "/api/v1/incidents", values(record));
        location.reload();
      } catch (err) { error.textContent = err.message; }
    });
  }
  document.querySelectorAll("[data-update]").forEach(function (form) {
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      try {
        await Saduak.api("PATCH", "/api/v1/incidents/" + form.dataset.update, values(form));
        location.reload();
      } catch (err) { if (error) error.textContent = err.message; }
    });
  });

  // Paper tickets: one row per ticket; times are of the chosen day.
  const paper = document.querySelector("[data-paper]");
  if (paper) {
    const rows = paper.querySelector("[data-rows]");
    paper.querySelector("[data-add-row]").addEventListener("click", function () {
      const row = rows.querySelector("[data-row]").cloneNode(true);
      row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      rows.appendChild(row);
    });
    paper.addEventListener("submit", async function (e) {
      e.preventDefault();
      const day = paper.dataset.day;
      const tickets = [...rows.querySelectorAll("[data-row]")].map(function (row) {
        const get = (n) => row.querySelector(`[name=${n}]`).value;
        const t = { number: get("number"), service: get("service"), issued_at: day + "T" + get("issued_at") };
        if (get("served_at")) t.served_at = day + "T" + get("served_at");
        if (get("counter")) t.counter = Number(get("counter"));
        return t;
      });
      try {
        await Saduak.api("POST", "/api/v1/paper-tickets", { tickets });
        location.reload();
      } catch (err) { paper.querySelector("[data-error]").textContent = err.message; }
    });
  }
})();
