// Touch kiosk: choose a service (optionally a priority group first), get a ticket on screen and
// on paper, then back to the start screen. One tap = one ticket: the button locks at the first
// touch and every tap carries an Idempotency-Key, so a retried request returns the same ticket.
// A closed office shows why, when it opens again and its hours; a service that cannot issue now
// (past its cut-off, its daily cap reached) is greyed with the reason the server gives.
import { Pairing } from "/static/common/pairing.js";
import { localParts } from "/static/common/officetime.js";

(function () {
  "use strict";
  const TOKEN_KEY = "saduak.kiosk.token";
  const config = JSON.parse(document.getElementById("kiosk-config").textContent);
  // The kiosk's words (kiosk/texts.py TEXT): [Thai, English] by key.
  const words = window.Saduak.words(config.text);
  const returnSeconds = config.returnSeconds || 12;
  const $ = (id) => document.getElementById(id);
  const screens = ["screen-start", "screen-closed", "screen-ticket", "screen-message", "screen-busy",
    "screen-pair", "screen-offline", "screen-manual"];

  const params = new URLSearchParams(location.search);
  if (params.get("token")) {
    localStorage.setItem(TOKEN_KEY, params.get("token"));
    history.replaceState(null, "", location.pathname);  // keep the token out of screenshots
  }
  let token = localStorage.getItem(TOKEN_KEY);
  let priority = null;
  let busy = false;
  let countdown = null;
  let refresher = null;
  let printMode = { mode: "server", paperMm: null };
  let printFollow = null;
  // The office's clock: its time zone, and the server's time (a kiosk's own clock may be wrong).
  let timeZone = config.timeZone;
  let clockOffsetMs = 0;

  function show(id, on) { $(id).classList.toggle("hidden", !on); }

  async function call(method, path, body, extraHeaders) {
    const headers = Object.assign({ "Accept": "application/json", "Authorization": "Bearer " + token },
      extraHeaders || {});
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers,
      body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (response.status === 401) { unpaired(); throw new Error("unpaired"); }
    if (!response.ok) {
      const err = new Error("failed");
      err.status = response.status;
      const [th, en] = words("error");
      err.th = (data && data.detail_th) || th;
      err.en = (data && data.detail_en) || en;
      throw err;
    }
    return data;
  }

  function tick() {
    const p = localParts(Date.now() + clockOffsetMs, timeZone);
    const pad = (n) => String(n).padStart(2, "0");
    const text = words("clock", { day: p.day, month: config.monthsShort[p.month - 1],
      year: p.year + 543, time: `${pad(p.hour)}.${pad(p.minute)}` })[0];
    if ($("clock").textContent !== text) $("clock").textContent = text;
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Thai first, English second; Thai lines break between phrases, not inside words.
  function bilingual(parent, th, en) {
    parent.appendChild(window.Saduak.phrases(el("span", "th"), th));
    parent.appendChild(el("span", "en", en));
  }

  function renderPriorities(priorities) {
    const box = $("priorities");
    box.textContent = "";
    Object.entries(priorities).forEach(([code, [th, en]]) => {
      const b = el("button", "k-chip");
      b.type = "button";
      b.dataset.priority = code;
      b.setAttribute("aria-pressed", "false");
      bilingual(b, th, en);
      b.addEventListener("click", () => {
        priority = priority === code ? null : code;
        box.querySelectorAll(".k-chip").forEach((c) =>
          c.setAttribute("aria-pressed", String(c.dataset.priority === priority)));
      });
      box.appendChild(b);
    });
  }

  // Few services: all on one screen. Many: the groups first, then the services of one group,
  // so nobody has to scroll a kiosk or read through fifteen buttons.
  const ONE_SCREEN_MAX = 8;
  let groups = [];
  let openGroup = null;

  function serviceButton(s) {
    const b = el("button", "k-service");
    b.type = "button";
    b.dataset.service = s.code;
    const name = el("span", "name");
    bilingual(name, s.name_th, s.name_en);
    const meta = el("span", "meta");
    const waiting = el("span", "waiting");
    if (s.available) bilingual(waiting, s.wait_th, s.wait_en);
    else bilingual(waiting, s.refusal_th, s.refusal_en);
    meta.appendChild(waiting);
    meta.appendChild(el("span", "prefix", s.prefix));
    b.appendChild(name);
    b.appendChild(meta);
    if (s.available) {
      b.addEventListener("click", () => take(s.code));
    } else {
      // Greyed, and a tap says why rather than doing nothing.
      b.classList.add("k-unavailable");
      b.setAttribute("aria-disabled", "true");
      b.addEventListener("click", () => showMessage(s.refusal_th, s.refusal_en));
    }
    if (!s.manual) return b;
    // The ⓘ beside the service opens its citizen manual; it never takes a ticket.
    const wrap = el("div", "k-service-wrap");
    const info = el("button", "k-info", "i");
    info.type = "button";
    info.dataset.info = s.code;
    info.setAttribute("aria-label",
      `${words("about_service", { name: s.name_th })[0]} / ${words("about_service", { name: s.name_en })[1]}`);
    info.addEventListener("click", () => showManual(s.manual));
    wrap.appendChild(b);
    wrap.appendChild(info);
    return wrap;
  }

  function showManual(m) {
    $("manual-name").textContent = "";
    bilingual($("manual-name"), m.name_th, m.name_en);
    $("manual-minutes").textContent = `${m.processing_minutes} ${words("minutes").join(" / ")}`;
    $("manual-fee").textContent = m.fee_baht
      ? `${m.fee_baht} ${words("baht").join(" / ")}` : words("no_fee").join(" / ");
    if (m.fee_note_th) $("manual-fee").textContent += ` (${m.fee_note_th})`;
    [["manual-steps", m.steps], ["manual-documents", m.documents]].forEach(([id, items]) => {
      const list = $(id);
      list.textContent = "";
      items.forEach(([th, en]) => {
        const li = el("li");
        bilingual(li, th, en);
        list.appendChild(li);
      });
    });
    $("manual-legal").textContent = m.legal_basis_th ? `${words("legal_basis")[0]}: ${m.legal_basis_th}` : "";
    show("screen-manual", true);
  }

  function groupButton(g) {
    if (g.services.length === 1) return serviceButton(g.services[0]);
    const b = el("button", "k-service k-group-button");
    b.type = "button";
    b.dataset.group = g.group;
    const name = el("span", "name");
    bilingual(name, g.name_th, g.name_en);
    const meta = el("span", "meta");
    const waiting = g.services.reduce((n, s) => n + s.waiting, 0);
    const count = el("span", "waiting");
    bilingual(count, ...words("group_count", { services: g.services.length, waiting }));
    meta.appendChild(count);
    meta.appendChild(el("span", "chevron", "›"));
    b.appendChild(name);
    b.appendChild(meta);
    if (!g.services.some((s) => s.available)) b.classList.add("k-unavailable");
    b.addEventListener("click", () => { openGroup = g.group; renderGroups(); });
    return b;
  }

  function renderGroups() {
    const box = $("groups");
    box.textContent = "";
    const total = groups.reduce((n, g) => n + g.services.length, 0);
    const current = groups.find((g) => g.group === openGroup);
    if (current) {
      const back = el("button", "secondary k-back");
      back.type = "button";
      back.id = "group-back";
      bilingual(back, ...words("back_to_services"));
      back.addEventListener("click", () => { openGroup = null; renderGroups(); });
      box.appendChild(back);
    }
    const shown = current ? [current] : (total <= ONE_SCREEN_MAX ? groups : null);
    if (shown) {
      shown.forEach((g) => {
        const section = el("section", "k-group");
        const h = el("h2");
        bilingual(h, g.name_th, g.name_en);
        section.appendChild(h);
        const grid = el("div", "k-services");
        g.services.forEach((s) => grid.appendChild(serviceButton(s)));
        section.appendChild(grid);
        box.appendChild(section);
      });
      return;
    }
    const grid = el("div", "k-services k-groups-grid");
    groups.forEach((g) => grid.appendChild(groupButton(g)));
    box.appendChild(grid);
  }

  // Throws when the server cannot be reached: the shared live module (refresher) then marks the
  // kiosk offline, which is paper mode, and tries again with backoff until the server answers.
  // Other failures wait for the next refresh.
  async function load() {
    let data;
    try {
      data = await call("GET", "/api/v1/kiosk/services");
    } catch (e) {
      if (unreachable(e)) throw e;
      return;  // unpaired() has already switched screens, or the server refused this once
    }
    $("office-th").textContent = data.office_th;
    $("office-en").textContent = data.office_en;
    timeZone = data.timezone || timeZone;
    clockOffsetMs = Date.parse(data.server_time) - Date.now();
    tick();
    if (!$("priorities").childElementCount) renderPriorities(data.priorities);
    groups = data.groups;
    printMode = { mode: data.print_mode, paperMm: data.paper_mm };
    document.body.dataset.printMode = data.print_mode;
    if (!groups.some((g) => g.group === openGroup)) openGroup = null;
    renderGroups();
    showClosed(data);
  }

  // Closed: the reason, when issuing opens again and the office's hours, instead of the menu.
  function showClosed(data) {
    document.body.dataset.office = data.open ? "open" : "closed";
    window.Saduak.phrases($("closed-th"), data.closed_th);
    $("closed-en").textContent = data.closed_en || "";
    window.Saduak.phrases($("opening-th"), data.next_opening_th);
    $("opening-en").textContent = data.next_opening_en || "";
    window.Saduak.phrases($("hours-th"), data.hours_th);
    $("hours-en").textContent = data.hours_en;
    show("screen-closed", !data.open);
    show("screen-start", data.open);
  }

  // The print page's size, as a rule added to the kiosk's own style sheet through the CSS object
  // model: the pages' header policy allows no inline <style> element.
  let printPageRule = null;
  function setPrintPage(rule) {
    const sheet = [...document.styleSheets].find((s) => s.href && s.href.endsWith("/kiosk.css"));
    if (!sheet) return;
    if (printPageRule !== null) sheet.deleteRule(printPageRule);
    printPageRule = sheet.insertRule(rule, sheet.cssRules.length);
  }

  // Paper mode: without the server the kiosk says where to get a paper ticket.
  function unreachable(e) { return e instanceof TypeError || [502, 503, 504].includes(e.status); }
  function offline(on) {
    document.body.dataset.connection = on ? "offline" : "live";
    show("screen-offline", on);
    if (on) openGroup = null;  // back at the start screen when the server returns
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  async function take(service) {
    if (busy) return;  // a second tap while the first is on its way does nothing
    busy = true;
    show("screen-busy", true);
    const key = uuid();
    try {
      let ticket = null;
      for (let attempt = 0; ; attempt++) {
        try {
          ticket = await call("POST", "/api/v1/tickets", { service, priority },
            { "Idempotency-Key": key });
          break;
        } catch (e) {
          // A dropped network (fetch TypeError) is retried with the same key: the server hands
          // back the ticket it may already have issued instead of a second one.
          if (!(e instanceof TypeError) || attempt >= 2) throw e;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      showTicket(ticket);
    } catch (e) {
      // Unreachable: check again now; the refresher turns paper mode on while it stays so.
      if (unreachable(e)) { if (refresher) refresher.refresh(); }
      else if (e.th) showMessage(e.th, e.en);
    } finally {
      busy = false;
      show("screen-busy", false);
      priority = null;
      document.querySelectorAll(".k-chip").forEach((c) => c.setAttribute("aria-pressed", "false"));
    }
  }

  function showTicket(t) {
    $("ticket-number").textContent = t.number;
    $("ticket-service").textContent = "";
    bilingual($("ticket-service"), t.service_name_th, t.service_name_en);
    window.Saduak.phrases($("ticket-wait-th"), t.wait_th);
    $("ticket-wait-en").textContent = t.wait_en;
    const prio = $("ticket-priority");
    prio.classList.toggle("hidden", !t.priority);
    if (t.priority) {
      const chip = document.querySelector(`.k-chip[data-priority="${t.priority}"]`);
      prio.textContent = chip
        ? [...chip.querySelectorAll("span")].map((x) => x.textContent).join(" / ")
        : t.priority;
    }
    show("ticket-booked", !!t.booked_label);
    $("ticket-booked").textContent = t.booked_label || "";
    show("print-warning", t.print_status === "pending");
    show("print-none", t.print_status === "none");
    followPrint(t);
    if (printMode.mode === "browser") printSlip(t);
    const tokenPart = t.status_url.split("/t/")[1];
    $("ticket-qr").src = `/t/${tokenPart}/qr.svg`;
    $("screen-ticket").dataset.ticket = t.number;
    $("screen-ticket").dataset.printStatus = t.print_status;
    show("screen-ticket", true);
    // A ticket that did not print (or may not have) stays longer: time to write it down.
    let left = t.print_status === "printed" ? returnSeconds : returnSeconds * 3;
    if (t.print_status === "none") left = returnSeconds * 2;
    $("ticket-countdown").textContent = left;
    clearInterval(countdown);
    countdown = setInterval(() => {
      left -= 1;
      $("ticket-countdown").textContent = left;
      if (left <= 0) backToStart();
    }, 1000);
  }

  // The tap answers within a few seconds even when the printer is slow: a "pending" slip may
  // still come out. Ask again while the ticket is on screen and say so when it does.
  function followPrint(t) {
    clearTimeout(printFollow);
    if (t.print_status !== "pending") return;
    const poll = async () => {
      if ($("screen-ticket").dataset.ticket !== t.number || $("screen-ticket").classList.contains("hidden")) return;
      try {
        const now = await call("GET", `/api/v1/tickets/${t.id}`);
        if (now.print_status === "printed") {
          show("print-warning", false);
          $("screen-ticket").dataset.printStatus = "printed";
          return;
        }
      } catch (e) { /* try again */ }
      printFollow = setTimeout(poll, 2000);
    };
    printFollow = setTimeout(poll, 2000);
  }

  // Browser printing: the same slip image as a thermal printer prints, on a page as wide as the
  // roll, through the OS driver (Chromium --kiosk-printing prints without a dialog). Nothing
  // comes back from the printer, so the ticket stays "unconfirmed".
  function printSlip(t) {
    let holder = $("print-slip");
    if (!holder) {
      holder = el("div");
      holder.id = "print-slip";
      holder.setAttribute("aria-hidden", "true");
      document.body.appendChild(holder);  // a child of <body>: the print CSS hides the rest
    }
    holder.textContent = "";
    const img = el("img");
    img.alt = "";
    img.onload = () => {
      img.onload = null;
      if (holder.dataset.ready === t.number) return;  // one print per ticket
      const mm = printMode.paperMm || 80;
      const height = Math.ceil((mm * img.naturalHeight) / img.naturalWidth);
      setPrintPage(`@page { size: ${mm}mm ${height}mm; margin: 0; }`);
      holder.dataset.ready = t.number;
      window.print();
    };
    // The image needs the device token, so it comes through fetch, not a plain src; a data: URL
    // (a few KB) passes a page policy that allows images from 'self' and data: only.
    fetch(`/api/v1/tickets/${t.id}/slip.png`, { headers: { "Authorization": "Bearer " + token } })
      .then((r) => (r.ok ? r.blob() : Promise.reject(r)))
      .then((blob) => new Promise((resolve) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result);
        reader.readAsDataURL(blob);
      }))
      .then((url) => { img.src = url; holder.appendChild(img); })
      .catch(() => { /* the number is on screen; nothing else to do */ });
  }

  function backToStart() {
    clearInterval(countdown);
    openGroup = null;
    show("screen-ticket", false);
    show("screen-message", false);
    if (refresher) refresher.refresh();
  }

  function showMessage(th, en) {
    window.Saduak.phrases($("message-th"), th);
    $("message-en").textContent = en;
    show("screen-message", true);
    clearInterval(countdown);
    countdown = setInterval(backToStart, returnSeconds * 1000);
  }

  // Not paired: show a pairing code for an administrator to confirm, renewed when it expires
  // (the display screens' own pairing module).
  const pairing = new Pairing({
    onToken: (paired) => {
      localStorage.setItem(TOKEN_KEY, paired);
      location.reload();
    },
    onCode: (code) => { $("screen-pair").dataset.code = code; },
  });

  function unpaired() {
    if (refresher) refresher.stop();
    token = null;
    localStorage.removeItem(TOKEN_KEY);
    screens.forEach((s) => show(s, s === "screen-pair"));
    pairing.start();
  }

  $("ticket-done").addEventListener("click", backToStart);
  $("message-ok").addEventListener("click", backToStart);
  $("manual-close").addEventListener("click", () => show("screen-manual", false));
  $("lang-toggle").addEventListener("click", () => {
    const en = document.body.classList.toggle("lang-en");
    document.body.classList.toggle("lang-th", !en);
    document.documentElement.lang = en ? "en" : "th";
    // The toggle names the language it switches to.
    $("lang-toggle").textContent = words("language")[en ? 0 : 1];
    $("lang-toggle").lang = en ? "th" : "en";
  });

  tick();
  // Every second, so that the minute turns with the citizen's phone, not up to ten seconds late.
  setInterval(tick, 1000);
  if (!token) {
    unpaired();
  } else {
    show("screen-start", true);
    // Waiting counts move all day.
    refresher = window.SaduakLive.poll({
      load,
      everyMs: 15_000,
      onStatus: (status) => offline(status === "offline"),
    });
  }
  window.saduakKiosk = { take, backToStart, openGroup: (g) => { openGroup = g; renderGroups(); }, get refresher() { return refresher; },
    // For the booking check-in (booking.js): the same call, ticket and message screens.
    call, showTicket, showMessage, unreachable };
})();
