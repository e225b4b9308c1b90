// The booking page: service → day → time → name and phone → the booking code and its QR.
// Moving a booking (/book/{code}/move) uses the same day and time steps.
(function () {
  "use strict";
  const root = document.getElementById("book");
  if (!root) return;
  const office = root.dataset.office;
  const moving = root.dataset.move || null;
  const chosen = { service: root.dataset.service || null, date: null, time: null };
  const $ = (id) => document.getElementById(id);
  const errorBox = $("b-error");

  function showError(err) {
    errorBox.textContent = err ? (err.message || String(err)) : "";
    errorBox.classList.toggle("hidden", !err);
    if (err) errorBox.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function show(id) {
    const step = $(id);
    step.hidden = false;
    step.scrollIntoView({ block: "start", behavior: "smooth" });
  }

  function press(container, button) {
    for (const b of container.querySelectorAll("button")) b.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-pressed", "true");
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function left(n) {
    return root.dataset.left.replace("{n}", n);
  }

  async function loadDays() {
    $("step-slot").hidden = true;
    $("step-details").hidden = true;
    const days = await Saduak.api("GET",
      `/api/v1/bookings/days?service=${encodeURIComponent(chosen.service)}&office=${encodeURIComponent(office)}`);
    const box = $("days");
    box.replaceChildren();
    for (const day of days) {
      const button = el("button", "b-day");
      button.type = "button";
      button.dataset.date = day.date;
      button.append(el("span", "th", day.label_th), el("span", "en", day.label_en));
      const open = !day.closed && day.remaining > 0;
      button.append(el("span", "b-left", open ? left(day.remaining) : (day.note_th || root.dataset.full)));
      button.disabled = !open;
      button.addEventListener("click", () => { press(box, button); pickDay(day); });
      box.append(button);
    }
    show("step-day");
  }

  async function pickDay(day) {
    showError(null);
    chosen.date = day.date;
    $("picked-day").textContent = day.label_th;
    $("step-details").hidden = true;
    const data = await Saduak.api("GET",
      `/api/v1/bookings/slots?service=${encodeURIComponent(chosen.service)}&date=${day.date}&office=${encodeURIComponent(office)}`);
    if (chosen.date !== day.date) return;  // a later tap on another day has the list now
    const box = $("slots");
    box.replaceChildren();
    if (!data.slots.length) box.append(el("p", "", data.closed_th || root.dataset.noSlots));
    for (const slot of data.slots) {
      const button = el("button", "b-slot");
      button.type = "button";
      button.dataset.time = slot.time;
      button.append(el("span", "b-time", slot.time.replace(":", ".")),
        el("span", "b-left", slot.remaining > 0 ? left(slot.remaining) : root.dataset.full));
      button.disabled = slot.remaining <= 0;
      button.addEventListener("click", () => { press(box, button); pickSlot(slot, day); });
      box.append(button);
    }
    show("step-slot");
  }

  async function pickSlot(slot, day) {
    showError(null);
    chosen.time = slot.time;
    const when = `${day.label_th} ${slot.time.replace(":", ".")} น.`;
    if (moving) {
      try {
        await Saduak.api("PATCH", `/api/v1/bookings/${moving}`, { date: chosen.date, time: chosen.time });
        window.location.assign(`/book/${moving}?moved=1`);
      } catch (err) { showError(err); }
      return;
    }
    $("picked-slot").textContent = `${$("picked-service").textContent} · ${when}`;
    show("step-details");
    $("b-name").focus({ preventScroll: true });
  }

  for (const button of document.querySelectorAll("#services .b-choice")) {
    button.addEventListener("click", async () => {
      showError(null);
      press($("services"), button);
      chosen.service = button.dataset.service;
      $("picked-service").textContent = button.querySelector(".th").textContent;
      try { await loadDays(); } catch (err) { showError(err); }
    });
  }

  $("step-details").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(null);
    const submit = $("b-submit");
    submit.disabled = true;
    try {
      const booking = await Saduak.api("POST", "/api/v1/bookings", {
        office, service: chosen.service, date: chosen.date, time: chosen.time,
        name: $("b-name").value, phone: $("b-phone").value, consent: $("b-consent").checked,
      });
      for (const id of ["step-service", "step-day", "step-slot", "step-details"]) $(id).hidden = true;
      const lookup = $("lookup");
      if (lookup) lookup.hidden = true;
      $("done-code").textContent = booking.code_text;
      $("done-qr").src = `/book/${booking.code}/qr.svg`;
      $("done-service").textContent = booking.service_th;
      $("done-when").textContent = booking.when_th;
      $("done-manage").href = booking.manage_url;
      for (const block of document.querySelectorAll("[data-bring]")) {
        block.hidden = block.dataset.bring !== booking.service;
      }
      show("step-done");
    } catch (err) {
      showError(err);
    } finally {
      submit.disabled = false;
    }
  });

  if (moving) loadDays().catch(showError);
})();
