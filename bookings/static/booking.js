// One booking by its code: cancel it (moving has its own page).
(function () {
  "use strict";
  const root = document.getElementById("booking");
  const cancel = document.getElementById("b-cancel");
  if (!root || !cancel) return;
  const errorBox = document.getElementById("b-error");
  cancel.addEventListener("click", async () => {
    if (!window.confirm(root.dataset.confirm)) return;
    try {
      await Saduak.api("DELETE", `/api/v1/bookings/${root.dataset.code}`);
      window.location.assign(`/book/${root.dataset.code}?cancelled=1`);
    } catch (err) {
      errorBox.textContent = err.message;
      errorBox.classList.remove("hidden");
    }
  });
})();
