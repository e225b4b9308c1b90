// The satisfaction survey: one ticket's (phone, by its token) or the counter tablet's (live).
(function () {
  "use strict";
  const root = document.getElementById("survey");
  const text = JSON.parse(document.getElementById("survey-text").textContent);
  const $ = (id) => document.getElementById(id);
  const mode = root.dataset.mode;
  const counter = root.dataset.counter;
  const token = root.dataset.token;
  let ticketId = null; // counter tablet: the ticket shown, which the server checks again
  let deviceToken = null;
  let idleTimer = null;

  function say(pair, { back = false } = {}) {
    $("status").innerHTML = "";
    $("status").append(Saduak.phrases(document.createElement("span"), pair[0]), " ");
    const en = document.createElement("span");
    en.className = "en";
    en.textContent = pair[1];
    $("status").append(en);
    $("status-box").classList.remove("hidden");
    $("form").classList.add("hidden");
    // The thank-you page leads back to the ticket's status page.
    if ($("back-link")) $("back-link").classList.toggle("hidden", !back);
  }

  function render(form) {
    if (form.office) {
      Saduak.phrases($("office-th"), form.office.name_th);
      $("office-en").textContent = form.office.name_en;
    }
    $("ticket-line").classList.remove("hidden");
    $("ticket-no").textContent = form.ticket.number;
    $("service-name").textContent = form.ticket.service_th;
    if (form.state !== "open") { say(text[form.state] || text.answered); return; }
    const items = $("items");
    items.innerHTML = "";
    form.items.forEach((item, i) => {
      const fs = document.createElement("fieldset");
      fs.id = `item-${item.code}`;
      fs.dataset.number = i + 1;
      const legend = document.createElement("legend");
      Saduak.phrases(legend, `${i + 1}. ${item.label_th}`);
      legend.append(" ");
      const en = document.createElement("span");
      en.className = "en";
      en.textContent = item.label_en;
      legend.append(en);
      fs.append(legend);
      const scale = document.createElement("div");
      scale.className = "scale";
      form.scale.forEach((level) => {
        const id = `q-${item.code}-${level.value}`;
        const input = document.createElement("input");
        Object.assign(input, { type: "radio", name: item.code, value: level.value, id });
        const label = document.createElement("label");
        label.htmlFor = id;
        const value = document.createElement("b");
        value.textContent = level.value;
        const words = Saduak.phrases(document.createElement("span"), level.label_th);
        words.className = "level";
        label.append(value, words);
        scale.append(input, label);
      });
      fs.append(scale);
      // Said under the item when it was left out at send.
      const missing = document.createElement("p");
      missing.className = "item-missing hidden";
      missing.id = `missing-${item.code}`;
      missing.textContent = `${text.item_missing[0]} / ${text.item_missing[1]}`;
      fs.append(missing);
      fs.addEventListener("change", () => mark(fs, false));
      items.append(fs);
    });
    $("comment").value = "";
    $("error").classList.add("hidden");
    $("status-box").classList.add("hidden");
    $("form").classList.remove("hidden");
  }

  async function load() {
    try {
      render(await Saduak.api("GET", `/api/v1/survey/${encodeURIComponent(token)}`));
    } catch (err) {
      say([err.message, ""]);
    }
  }

  // An item left unanswered: marked, with its own message, for eyes and screen readers alike.
  function mark(fs, missing) {
    fs.classList.toggle("missing", missing);
    const note = fs.querySelector(".item-missing");
    note.classList.toggle("hidden", !missing);
    fs.querySelectorAll("input").forEach((input) => {
      if (missing) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", note.id);
      } else {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
    });
  }

  $("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const answers = {};
    const missing = [];
    $("items").querySelectorAll("fieldset").forEach((fs) => {
      const checked = fs.querySelector("input:checked");
      if (checked) answers[checked.name] = Number(checked.value); else missing.push(fs);
      mark(fs, !checked);
    });
    if (missing.length) {
      const numbers = missing.map((fs) => fs.dataset.number).join(", ");
      $("error").textContent = `${text.missing[0]} ${numbers} / ${text.missing[1]} ${numbers}`;
      $("error").classList.remove("hidden");
      missing[0].scrollIntoView({ block: "center" });
      missing[0].querySelector("input").focus({ preventScroll: true });
      return;
    }
    $("send").disabled = true;
    try {
      let result;
      if (mode === "counter") {
        result = await Saduak.api(
          "POST", `/api/v1/survey/counter/${counter}`,
          { ticket_id: ticketId, answers, comment: $("comment").value },
          deviceToken ? { Authorization: `Bearer ${deviceToken}` } : {},
        );
      } else {
        result = await Saduak.api("POST", `/api/v1/survey/${encodeURIComponent(token)}`, {
          answers, comment: $("comment").value,
        });
      }
      say(text.thanks, { back: mode !== "counter" });
      if (result && result.needs_url && mode !== "counter") {
        const link = document.createElement("a");
        link.href = result.needs_url;
        link.id = "needs-link";
        link.className = "button";
        link.textContent = "ช่วยตอบแบบสำรวจความต้องการอีก 1 นาที / One more minute: our needs survey";
        $("status").append(document.createElement("br"), link);
      }
      if (mode === "counter") setTimeout(() => say(text.waiting), 6000);
    } catch (err) {
      $("error").textContent = err.message;
      $("error").classList.remove("hidden");
    } finally {
      $("send").disabled = false;
    }
  });

  if (mode === "ticket") { load(); return; }

  // Counter tablet: a paired device keeps its token in this browser after the first ?token= visit.
  const params = new URLSearchParams(location.search);
  if (params.get("token")) {
    localStorage.setItem("saduak.survey.token", params.get("token"));
    history.replaceState(null, "", location.pathname);
  }
  deviceToken = localStorage.getItem("saduak.survey.token");
  function connect() {
    window.SaduakLive.connect({
      url: `/ws/survey/counter/${counter}`,
      heartbeatMs: 15000,
      hello: () => (deviceToken ? { type: "hello", token: deviceToken } : null),
      onMessage: (msg) => {
        if (msg.type === "survey") {
          if (msg.survey.ticket_id !== ticketId || $("form").classList.contains("hidden")) {
            ticketId = msg.survey.ticket_id;
            render(msg.survey);
            clearTimeout(idleTimer);
            // Nobody touched it for three minutes: the citizen has left.
            idleTimer = setTimeout(() => say(text.waiting), 180000);
          }
        } else if (msg.type === "idle" && $("form").classList.contains("hidden")) {
          say(text.waiting);
        }
      },
      onStatus: (status) => { if (status === "offline") say(text.disconnected); },
      onClose: (code) => {
        if (code === 4401) { say(text.pair); return "stop"; }
        return undefined;
      },
    });
  }
  say(text.waiting);
  connect();
})();
