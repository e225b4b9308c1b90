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
})();
