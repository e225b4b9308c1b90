// The bookings desk: today's bookings with check-in, and booking for a caller. The counter console
// loads it as a panel (app.state.console_panels); /bookings shows it with the import and rules.
(function () {
  "use strict";
  if (!window.Saduak) return;
  const api = window.Saduak.api;
  const panelHost = document.getElementById("console-panels");
  const deskHost = document.getElementById("booking-desk");
  const host = deskHost || panelHost;
  if (!host) return;
  const $ = (id) => document.getElementById(id);

  if (panelHost && !document.querySelector('link[href$="/bookings/desk.css"]')) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = "/static/bookings/desk.css";
    document.head.appendChild(link);
  }

  function say(id, text) {
    const box = $(id);
    if (!box) return;
    box.textContent = text || "";
    box.classList.toggle("hidden", !text);
  }

  async function refresh() {
    const open = $("bk-dialog") && $("bk-dialog").open;
    if (open) return;  // never replace a form someone is filling in
    const response = await fetch(`/bookings/panel${deskHost ? "?desk=1" : ""}`, {
      credentials: "same-origin", headers: { "Accept": "text/html" } });
    if (!response.ok) return;
    const keep = [$("bk-ok") && $("bk-ok").textContent, $("bk-error") && $("bk-error").textContent];
    host.innerHTML = await response.text();
    say("bk-ok", keep[0]);
    say("bk-error", keep[1]);
    wire();
  }

  // Only the latest request fills the list: opening the dialog and then picking a service
  // starts two loads, and the slower one must not add its times beside the newer ones.
  let timesAsked = 0;
  async function loadTimes() {
    const asked = ++timesAsked;
    const service = $("bk-service").value;
    const date = $("bk-date").value;
    const select = $("bk-time");
    select.replaceChildren();
    say("bk-closed", "");
    if (!service || !date) return;
    try {
      const day = await api("GET", `/api/v1/bookings/slots?service=${encodeURIComponent(service)}&date=${date}`);
      if (asked !== timesAsked) return;
      select.replaceChildren();
      for (const slot of day.slots) {
        if (slot.remaining <= 0) continue;
        const option = document.createElement("option");
        option.value = slot.time;
        option.textContent = `${slot.time.replace(":", ".")} (${slot.remaining})`;
        select.appendChild(option);
      }
      if (day.closed_th) say("bk-closed", day.closed_th);
    } catch (err) { say("bk-form-error", err.message); }
  }

  function wire() {
    for (const button of host.querySelectorAll("[data-check-in]")) {
      button.addEventListener("click", async () => {
        button.disabled = true;
        say("bk-error", "");
        try {
          const ticket = await api("POST", `/api/v1/bookings/${button.dataset.checkIn}/check-in`);
          say("bk-ok", $("bk-dialog").dataset.checkedIn.replace("{number}", ticket.number));
        } catch (err) {
          say("bk-ok", "");
          say("bk-error", err.message);
        }
        await refresh();
      });
    }
    const dialog = $("bk-dialog");
    $("bk-book-open").addEventListener("click", () => {
      say("bk-form-error", "");
      dialog.showModal();
      loadTimes();
      $("bk-name").focus();
    });
    $("bk-close").addEventListener("click", () => dialog.close());
    $("bk-service").addEventListener("change", loadTimes);
    $("bk-date").addEventListener("change", loadTimes);
    $("bk-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      say("bk-form-error", "");
      try {
        const booking = await api("POST", "/api/v1/bookings", {
          service: $("bk-service").value, date: $("bk-date").value, time: $("bk-time").value,
          name: $("bk-name").value, phone: $("bk-phone").value,
        });
        dialog.close();
        say("bk-error", "");
        say("bk-ok", dialog.dataset.booked.replace("{code}", booking.code_text)
          + ` · ${booking.when_th}`);
        await refresh();
      } catch (err) { say("bk-form-error", err.message); }
    });
  }

  // The desk page's own forms: the CSV import and the booking rules.
  function wireDesk() {
    const importForm = $("bk-import");
    if (importForm) {
      importForm.addEventListener("submit", async (event) => {
        event.preventDefault();
        const result = $("bk-import-result");
        const file = $("bk-file").files[0];
        if (!file) return;
        const columns = {};
        for (const input of importForm.querySelectorAll("[data-field]")) {
          columns[input.dataset.field] = input.value.trim();
        }
        try {
          const done = await api("POST", "/api/v1/bookings/import", {
            csv: await file.text(), columns, save_columns: $("bk-save-columns").checked });
          result.className = "alert ok";
          result.textContent = result.dataset.words.replace("{added}", done.added)
            .replace("{updated}", done.updated).replace("{skipped}", done.skipped.length)
            + done.skipped.map(([line, why]) => `\n${line}: ${why}`).join("");
          await refresh();
        } catch (err) {
          result.className = "alert bad";
          result.textContent = err.message;
        }
      });
    }
    const officeRules = $("bk-office-rules");
    if (officeRules) {
      officeRules.addEventListener("submit", async (event) => {
        event.preventDefault();
        const body = {};
        for (const input of officeRules.querySelectorAll("input")) body[input.name] = Number(input.value);
        try {
          await api("PUT", "/api/v1/bookings/settings", body);
          say("bk-rules-ok", $("bk-rules-ok").textContent);
        } catch (err) { say("bk-error", err.message); }
      });
    }
    for (const button of document.querySelectorAll("[data-save-rules]")) {
      button.addEventListener("click", async () => {
        const row = button.closest("tr");
        const value = (name) => row.querySelector(`[name=${name}]`);
        const capacity = value("capacity").value.trim();
        try {
          await api("PUT", `/api/v1/bookings/services/${row.dataset.service}`, {
            enabled: value("enabled").checked,
            slot_minutes: Number(value("slot_minutes").value),
            share_pct: Number(value("share_pct").value),
            capacity: capacity === "" ? null : Number(capacity),
            window_days: Number(value("window_days").value),
            cutoff: value("cutoff").value,
          });
          $("bk-rules-ok").classList.remove("hidden");
        } catch (err) { say("bk-error", err.message); }
      });
    }
  }

  if (deskHost) { wire(); wireDesk(); } else { refresh(); }
  setInterval(() => refresh().catch(() => {}), 60_000);
})();
