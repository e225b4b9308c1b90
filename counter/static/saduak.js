// Shared helpers of every Saduak page: JSON fetch with the CSRF token, and Thai/English errors.
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="csrf-token"]');

  async function api(method, path, body, extraHeaders) {
    const headers = { "Accept": "application/json", ...(extraHeaders || {}) };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (meta && method !== "GET") headers["X-CSRF-Token"] = meta.content;
    const response = await fetch(path, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch (e) { data = null; }
    }
    if (!response.ok) {
      const err = new Error((data && (data.detail_th || data.detail)) || ("HTTP " + response.status));
      err.status = response.status;
      err.data = data;
      throw err;
    }
    return data;
  }

  // Sign-out of the navigation bar (_nav.html), on every staff page.
  for (const button of document.querySelectorAll("[data-logout]")) {
    button.addEventListener("click", async () => {
      try {
        await fetch("/api/v1/auth/logout", {
          method: "POST", credentials: "same-origin",
          headers: { "Accept": "application/json", "X-CSRF-Token": button.dataset.csrf || "" },
        });
      } catch (e) { /* already gone */ }
      location.assign("/login?signed-out=1");
    });
  }

  window.Saduak = { api };
})();
