// Staff sign-in: posts to the JSON login, which sets the HttpOnly session cookie, then goes on.
(function () {
  "use strict";
  const TEXT = JSON.parse(document.getElementById("console-text").textContent);
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  const submit = document.getElementById("login-submit");
  const label = submit.querySelector(".label");
  const idle = Array.from(label.childNodes, (n) => n.cloneNode(true));

  // The server already vetted `next` (a path on this site); checked again before use. Without
  // one, the person's own start page, by role (the login answer's `home`).
  function nextPage(home) {
    const next = form.dataset.next || home || "/counter";
    return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\")
      ? next : "/counter";
  }

  function showError(th, en) {
    error.textContent = "";
    error.append(th);
    if (en) error.append(document.createElement("br"), Object.assign(
      document.createElement("span"), { className: "en", textContent: en }));
    error.classList.remove("hidden");
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const username = form.username.value.trim();
    const password = form.password.value;
    if (!username || !password) {
      (username ? form.password : form.username).focus();
      return;
    }
    submit.disabled = true;
    label.textContent = TEXT.signing_in[0];
    try {
      const response = await fetch("/api/v1/auth/login", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ username, password }),
      });
      if (response.ok) {
        const out = await response.json();
        location.assign(nextPage(out.home));
        return;
      }
      let data = null;
      try { data = await response.json(); } catch (err) { data = null; }
      showError(
        (data && data.detail_th) || TEXT.login_failed[0],
        (data && data.detail_en) || TEXT.login_failed[1],
      );
      form.password.value = "";
      form.password.focus();
    } catch (err) {
      showError(TEXT.network_error[0], TEXT.network_error[1]);
    } finally {
      submit.disabled = false;
      label.replaceChildren(...idle.map((n) => n.cloneNode(true)));
    }
  });
})();
