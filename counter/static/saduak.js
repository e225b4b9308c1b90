// Shared helpers of every Saduak page: JSON fetch with the CSRF token, Thai/English errors, and
// Thai text that breaks lines between phrases only.
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

  // The browser's own form checks, in Thai first, on every form of every page: one listener for
  // the whole document, the words from the catalogue (counter/texts.py VALIDITY).
  const validityNode = document.getElementById("saduak-validity");
  const VALIDITY = validityNode ? JSON.parse(validityNode.textContent) : {};
  const FLAGS = ["valueMissing", "typeMismatch", "patternMismatch", "tooLong", "tooShort",
    "rangeUnderflow", "rangeOverflow", "stepMismatch", "badInput"];
  function validityKey(field, flag) {
    if (flag === "valueMissing") {
      if (field.tagName === "SELECT") return "valueMissing_select";
      if (field.type === "checkbox" || field.type === "radio") return "valueMissing_check";
      if (field.type === "file") return "valueMissing_file";
    }
    if (flag === "typeMismatch" && field.type === "email") return "typeMismatch_email";
    return flag;
  }
  function validityText(field) {
    const flag = FLAGS.find((f) => field.validity[f]);
    const pair = flag && VALIDITY[validityKey(field, flag)];
    if (!pair) return "";
    const vars = {
      max: flag === "tooLong" ? field.maxLength : field.max,
      min: flag === "tooShort" ? field.minLength : field.min,
    };
    const fill = (s) => s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined && vars[k] !== "" ? vars[k] : m));
    // A pattern's own hint (its title) says what is expected.
    const hint = flag === "patternMismatch" && field.title ? ` (${field.title})` : "";
    return `${fill(pair[0])}${hint} · ${fill(pair[1])}`;
  }
  document.addEventListener("invalid", (event) => {
    const field = event.target;
    if (!field.setCustomValidity) return;
    field.setCustomValidity("");
    if (!field.validity.valid) field.setCustomValidity(validityText(field));
  }, true);
  // A changed value is judged afresh (a custom message would otherwise stick).
  for (const kind of ["input", "change"]) {
    document.addEventListener(kind, (event) => {
      if (event.target.setCustomValidity) event.target.setCustomValidity("");
    }, true);
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

  // Thai writes no spaces between words but puts one between phrases, and the browser's own
  // dictionary splits real words at a line end ("ปาน|กลาง", "ถัด|ไป"). Each phrase goes in an
  // inline-block span (.ph in saduak.css): a line breaks between phrases, and inside one only
  // when the phrase alone is wider than the line. The text read aloud or copied is unchanged.
  function phrases(node, text) {
    node.textContent = "";
    String(text || "").split(/( +)/).forEach((part) => {
      if (!part) return;
      if (part.trim() === "") { node.append(part); return; }
      const span = document.createElement("span");
      span.className = "ph";
      span.textContent = part;
      node.append(span);
    });
    return node;
  }

  // A page catalogue's words by key, placeholders ({name}) filled: [Thai, English]. A key the
  // catalogue lacks reads as itself (tests/test_texts.py checks that none is missing).
  function words(table) {
    return (key, vars) => (table[key] || [key, key]).map((text) =>
      text.replace(/\{(\w+)\}/g, (m, name) => (vars && vars[name] !== undefined ? String(vars[name]) : m)));
  }

  window.Saduak = { api, phrases, words };
})();
