// The complaint register: record a complaint, move one a step, set the deadlines (JSON API).
(function () {
  "use strict";
  const errorBox = document.getElementById("cr-error");

  function fail(err) {
    errorBox.textContent = err.message;
    errorBox.classList.remove("hidden");
    window.scrollTo(0, 0);
  }

  function fields(form) {
    const out = {};
    new FormData(form).forEach((value, key) => { out[key] = value; });
    return out;
  }

  const created = document.getElementById("cr-new");
  if (created) {
    created.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = fields(created);
      body.consent = body.consent === "1";
      if (!body.contact) delete body.contact;
      try {
        await window.Saduak.api("POST", "/api/v1/complaints", body);
        window.location.reload();
      } catch (err) { fail(err); }
    });
  }

  const rules = document.getElementById("cr-settings");
  if (rules) {
    rules.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = fields(rules);
      body.acknowledge_business_days = Number(body.acknowledge_business_days);
      body.resolve_business_days = Number(body.resolve_business_days);
      try {
        await window.Saduak.api("PUT", "/api/v1/complaints/settings", body);
        window.location.reload();
      } catch (err) { fail(err); }
    });
  }

  async function step(item, name, body) {
    try {
      await window.Saduak.api("POST", `/api/v1/complaints/${item.dataset.id}/${name}`, body || {});
      window.location.reload();
    } catch (err) { fail(err); }
  }

  document.querySelectorAll(".cr-item").forEach((item) => {
    item.querySelectorAll("button[data-step]").forEach((button) => {
      button.addEventListener("click", () => step(item, button.dataset.step));
    });
    item.querySelectorAll("form[data-step]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        step(item, form.dataset.step, fields(form));
      });
    });
  });
})();
