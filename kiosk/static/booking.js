// The kiosk's booking check-in: "มีนัดหมาย / I have a booking" opens a code keypad; a QR scanner
// (a keyboard to the browser) types the code and Enter, on the keypad or on the start screen.
// The ticket then shows like any other, marked with its slot; a refusal (too early, too late,
// another day) shows its reason, and the citizen takes an ordinary ticket as usual.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const kiosk = window.saduakKiosk;
  if (!kiosk || !$("screen-booking")) return;
  const input = $("booking-code");
  let busy = false;

  function isOpen() { return !$("screen-booking").classList.contains("hidden"); }
  function update() { $("booking-ok").disabled = input.value.length < 4 || busy; }
  function open(start) {
    input.value = start || "";
    update();
    $("screen-booking").classList.remove("hidden");
  }
  function close() { $("screen-booking").classList.add("hidden"); input.value = ""; }
  function type(key) {
    if (key === "del") input.value = input.value.slice(0, -1);
    else if (input.value.length < 40) input.value += key;
    update();
  }

  async function checkIn() {
    const code = input.value.replace(/[\s-]/g, "");
    if (busy || code.length < 4) return;
    busy = true;
    update();
    $("screen-busy").classList.remove("hidden");
    try {
      const ticket = await kiosk.call("POST", `/api/v1/bookings/${encodeURIComponent(code)}/check-in`);
      close();
      kiosk.showTicket(ticket);
    } catch (e) {
      close();
      if (kiosk.unreachable(e)) { if (kiosk.refresher) kiosk.refresher.refresh(); }
      else if (e.th) kiosk.showMessage(e.th, e.en);
    } finally {
      busy = false;
      update();
      $("screen-busy").classList.add("hidden");
    }
  }

  $("booking-open").addEventListener("click", () => open(""));
  $("booking-close").addEventListener("click", close);
  $("booking-keys").addEventListener("click", (event) => {
    const key = event.target.closest("[data-key]");
    if (key) type(key.dataset.key);
  });
  $("booking-form").addEventListener("submit", (event) => { event.preventDefault(); checkIn(); });

  // A scanner types fast and ends with Enter. On the start screen the first character opens
  // the keypad; letters are kept (another system's booking references may have them).
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const startShown = !$("screen-start").classList.contains("hidden")
      && [...document.querySelectorAll(".k-overlay")].every((o) => o.classList.contains("hidden"));
    if (!isOpen() && !startShown) return;
    if (/^[0-9A-Za-z]$/.test(event.key)) {
      event.preventDefault();
      if (!isOpen()) open("");
      type(event.key.toUpperCase());
    } else if (event.key === "Backspace" && isOpen()) {
      event.preventDefault();
      type("del");
    } else if (event.key === "Enter" && isOpen()) {
      event.preventDefault();
      checkIn();
    } else if (event.key === "Escape" && isOpen()) {
      close();
    }
  });
})();
