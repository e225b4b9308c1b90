// The counter console: one key or one click per action, never two actions from one press.
//
// Safety rules, in order: shortcuts never fire while typing in a field or with a dialog open;
// a held-down key does not repeat; one action at a time (a second press while the first is on
// its way is ignored); buttons clicked with the mouse do not keep the focus, so a later Enter or
// Space cannot repeat them. The state shown always comes from the server after each action.
(function () {
  "use strict";
  const S = window.Staff;
  const { th, en, el, both } = S;
  const KEYS = S.CONFIG.keys;
  const UNDO_KEY = S.CONFIG.undo_key;
  const $ = (id) => document.getElementById(id);

  const CODE_TO_ACTION = {};
  for (const [action, key] of Object.entries(KEYS)) CODE_TO_ACTION["Key" + key] = action;

  let state = null;
  let busy = false;
  // X (no-show) waits this long for an undo before it is written: an undone no-show never
  // reaches the event log, the screens or the reports. Any next action writes it at once.
  const UNDO_MS = 5000;
  let pendingNoShow = null;
  let printerAlerts = [];
  // Alerts heard live, by device: kept across state reads, since a kiosk in another process
  // may publish an alert before (or without) its state reaching the database.
  const liveAlerts = new Map();
  const dismissed = new Set();

  // ------------------------------------------------------------------ state

  async function refresh() {
    apply(await S.api("GET", "/api/v1/console"));
  }
  let refreshTimer = null;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => refresh().catch(showError), 120);
  }
  function apply(next) {
    state = next;
    S.setServerNow(next.now);
    S.setTimeZone(next.timezone);
    const known = new Set(next.printers.map((p) => p.device_id));
    printerAlerts = [...next.printers, ...[...liveAlerts.values()].filter((p) => !known.has(p.device_id))]
      .filter((p) => !dismissed.has(alertKey(p)));
    render();
  }

  const mine = () => state && state.counter;
  // A no-show waiting out its undo window has left the counter, as far as the person sees.
  const current = () => (state && state.current
    && !(pendingNoShow && pendingNoShow.ticket.id === state.current.id) ? state.current : null);
  const paused = () => !!(mine() && mine().paused_reason);
  const curStatus = () => (current() ? current().status : null);

  // ------------------------------------------------------------------ messages

  let bannerTimer = null;
  function banner(kind, thText, enText, sticky) {
    const node = $("banner");
    node.className = "banner " + kind;
    node.replaceChildren(el("span", { class: "th" }, thText), " ",
      enText ? el("span", { class: "en" }, enText) : "");
    clearTimeout(bannerTimer);
    if (!sticky) bannerTimer = setTimeout(clearBanner, 9000);
  }
  function clearBanner() { $("banner").className = "banner hidden"; }
  function showError(err) {
    const e = S.errorText(err);
    // Someone else took the ticket: the clearest message on the screen, until the next action.
    banner(e.code === "already_taken" ? "bad taken" : "bad", e.th, e.en, e.code === "already_taken");
  }
  let toastTimer = null;
  function toast(key, vars, undo) {
    const node = $("toast");
    node.replaceChildren(el("span", { class: "toast-text" }, ...both(key, vars)));
    if (undo) {
      node.append(el("button", {
        type: "button", class: "small undo", id: "undo", onpointerdown: noFocus, onclick: undo,
        "aria-keyshortcuts": UNDO_KEY,
      }, el("kbd", {}, UNDO_KEY), " ", th("undo"), " ", el("span", { class: "en" }, en("undo"))));
    }
    node.className = "toast" + (undo ? " with-undo" : "");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { node.className = "toast hidden"; }, undo ? UNDO_MS : 3500);
  }
  function hideToast() { clearTimeout(toastTimer); $("toast").className = "toast hidden"; }

  // ------------------------------------------------------------------ rendering

  function priorityMark(priority) {
    if (!priority) return null;
    return el("span", { class: "prio", title: en("priority_" + priority) }, "★ " + th("priority_" + priority));
  }

  function bookedMark(t) {
    if (!t.booked_for) return null;
    const time = S.clock(t.booked_for);
    return el("span", { class: "booked", title: en("booked_mark", { time }) }, "◷ " + th("booked_mark", { time }));
  }

  function render() {
    const counter = mine();
    $("chooser").classList.toggle("hidden", !!counter);
    $("console").classList.toggle("hidden", !counter);
    document.body.dataset.counter = counter ? counter.number : "";
    document.title = counter
      ? `${th("counter_n", { n: counter.number })} · ${th("app")}`
      : `${th("console_title")} · ${th("app")}`;
    if (!counter) { renderChooser(); return; }
    renderCurrent();
    renderActions();
    renderWaiting();
    renderHeld();
    renderPrinters();
    tick();
  }

  function renderChooser() {
    const grid = $("counter-grid");
    grid.replaceChildren(...state.counters.filter((c) => c.active).map((c) => {
      const taken = c.holder && !c.mine;
      const names = c.services.slice(0, 4).map((code) => serviceName(code)).join(" · ");
      return el("button", {
        type: "button", class: "counter-card" + (taken ? " taken" : ""),
        data: { number: c.number }, disabled: taken,
        onclick: () => openCounter(c.number),
        "aria-keyshortcuts": c.number <= 9 ? String(c.number) : null,
      },
      el("span", { class: "cc-number" }, c.number <= 9 ? el("kbd", {}, c.number) : c.number),
      el("span", { class: "cc-name" }, c.name || th("counter_n", { n: c.number })),
      el("span", { class: "cc-services" }, names + (c.services.length > 4 ? " …" : "")),
      el("span", { class: "cc-holder" }, taken
        ? both("held_by", { name: c.holder })
        : both("free")));
    }));
  }

  function serviceName(code) {
    const s = state.services.find((x) => x.code === code);
    return s ? s.name_th : code;
  }
  function service(code) { return state.services.find((x) => x.code === code); }

  function renderCurrent() {
    const counter = mine();
    const cur = current();
    $("topbar-counter").replaceChildren(...both("counter_n", { n: counter.number }));
    document.body.classList.toggle("paused", paused());
    const pausedPanel = $("paused-panel");
    pausedPanel.classList.toggle("hidden", !paused());
    if (paused()) {
      const reason = "pause_" + counter.paused_reason;
      $("paused-title").replaceChildren(
        el("span", { class: "th" }, th("paused_banner", { reason: th(reason) })), " ",
        el("span", { class: "en" }, en("paused_banner", { reason: en(reason) })));
      $("paused-hint").replaceChildren(...both("paused_hint", { key: KEYS.pause }));
    }
    const box = $("current");
    box.dataset.status = cur ? cur.status : "none";
    // Paused with nobody at the counter: the pause panel says it all.
    box.classList.toggle("hidden", paused() && !cur);
    $("cur-body").classList.toggle("hidden", !cur);
    $("cur-empty").classList.toggle("hidden", !!cur);
    if (!cur) {
      $("cur-status").replaceChildren();
      $("cur-empty-hint").replaceChildren(...both("no_ticket_hint", { key: KEYS.call_next }));
      return;
    }
    $("cur-status").replaceChildren(...both("status_" + cur.status));
    $("cur-number").textContent = cur.number;
    const prio = $("cur-priority");
    prio.classList.toggle("hidden", !cur.priority);
    prio.replaceChildren(cur.priority ? priorityMark(cur.priority) : "");
    prio.classList.toggle("hidden", !cur.priority && !cur.booked_for);
    if (cur.booked_for) prio.append(bookedMark(cur));
    $("cur-service").replaceChildren(el("span", { class: "th" }, cur.service_name_th),
      el("span", { class: "en" }, cur.service_name_en));
    const recall = $("cur-recall");
    recall.replaceChildren();
    if (cur.status === "called" && cur.recall_count > 0) {
      recall.append(...both(cur.recall_count >= 2 ? "recall_enough" : "recalled_n",
        { n: cur.recall_count, key: KEYS.no_show }));
    }
    recall.classList.toggle("strong", cur.status === "called" && cur.recall_count >= 2);
  }

  // Which actions make sense now; the server checks again and explains any refusal.
  function enabled(action) {
    const counter = mine();
    if (!counter) return false;
    const status = curStatus();
    switch (action) {
      case "call_next": return !paused() && (status === null || status === "serving");
      case "recall": return status === "called";
      case "start": return status === "called";
      case "finish": return status === "serving";
      case "no_show": return status === "called";
      case "transfer": return status === "serving";
      case "hold": return status === "called" || status === "serving";
      case "unhold": return status === null && state.held.length > 0;
      case "call_specific": return !paused() && (status === null || status === "serving");
      case "pause": return true;
      case "close_counter": return true;
      default: return false;
    }
  }

  function renderActions() {
    for (const button of document.querySelectorAll("#actions .act")) {
      const action = button.dataset.action;
      button.disabled = !enabled(action);
      button.setAttribute("aria-disabled", button.disabled ? "true" : "false");
      const count = button.querySelector("[data-count]");
      if (action === "recall") {
        const n = curStatus() === "called" ? current().recall_count : 0;
        count.textContent = n ? String(n) : "";
        count.classList.toggle("hidden", !n);
      } else if (action === "unhold") {
        const n = state.held.length;
        count.textContent = n ? String(n) : "";
        count.classList.toggle("hidden", !n);
      }
      if (action === "call_next") {
        // Calling the next citizen finishes the one being served (the server does it in the
        // same transaction); say so on the button rather than surprise anyone.
        const sub = button.querySelector(".act-en");
        sub.textContent = curStatus() === "serving"
          ? th("call_next_finishes", { number: current().number })
          : en("call_next");
        button.title = curStatus() === "serving"
          ? en("call_next_finishes", { number: current().number }) : "";
        sub.classList.toggle("act-sub", curStatus() === "serving");
      }
      if (action === "pause") {
        const key = paused() ? "resume" : "pause";
        button.querySelector(".act-th").textContent = th(key);
        button.querySelector(".act-en").textContent = en(key);
        button.classList.toggle("resume", paused());
      }
    }
  }

  function waitClass(ticket) {
    const s = service(ticket.service);
    const target = s ? s.wait_target_minutes : 15;
    const minutes = S.minutesSince(ticket.queued_at);
    return minutes > target ? "wait over" : minutes > target * 0.7 ? "wait near" : "wait";
  }

  function renderWaiting() {
    const list = $("waiting-list");
    const rows = state.waiting.map((t) => el("li", {
      class: "tk" + (t.next ? " next" : "") + (t.priority ? " is-prio" : ""),
      data: { id: t.id, number: t.number, queued: t.queued_at },
    },
    el("span", { class: "tk-number" }, t.number),
    el("span", { class: "tk-main" },
      el("span", { class: "tk-service", title: t.service_name_en }, t.service_name_th),
      el("span", { class: "tk-marks" },
        t.next ? el("span", { class: "next-mark" }, th("next_mark") + " · " + en("next_mark")) : null,
        priorityMark(t.priority), bookedMark(t))),
    el("span", { class: waitClass(t), data: { queued: t.queued_at } },
      th("wait_min", { n: S.minutesSince(t.queued_at) })),
    el("button", {
      type: "button", class: "small secondary call-this",
      title: th("call_specific") + " " + t.number,
      disabled: !enabled("call_specific"),
      onclick: () => openCall(t),
      onpointerdown: noFocus,
    }, th("call_this"))));
    list.replaceChildren(...rows);
    $("waiting-empty").classList.toggle("hidden", rows.length > 0);
    $("waiting-count").replaceChildren(...both("waiting_n", { n: rows.length }));
  }

  function renderHeld() {
    $("held-card").classList.toggle("hidden", state.held.length === 0);
    $("held-list").replaceChildren(...state.held.map((t) => el("li", { class: "tk held" },
      el("span", { class: "tk-number" }, t.number),
      el("span", { class: "tk-main" },
        el("span", { class: "tk-service" }, t.service_name_th),
        el("span", { class: "tk-marks" }, th("held_since", { time: S.clock(t.held_at) }),
          priorityMark(t.priority))),
      el("span", { class: "tk-buttons" },
        el("button", {
          type: "button", class: "small", onpointerdown: noFocus,
          disabled: !!current(), onclick: () => run("unhold", () => unhold(t)),
        }, th("unhold")),
        el("button", {
          type: "button", class: "small secondary", onpointerdown: noFocus,
          onclick: () => run("release", () => ticketAction(t, "release", "done_released")),
        }, th("release"))))));
  }

  function alertKey(p) { return `${p.device_id}:${p.state}:${p.at}`; }
  function printerLabel(stateName) {
    return S.TEXT["printer_" + stateName] ? "printer_" + stateName : "printer_other";
  }
  function renderPrinters() {
    $("printer-ok").classList.toggle("hidden", printerAlerts.length > 0);
    $("printer-card").classList.toggle("alerting", printerAlerts.length > 0);
    $("printer-list").replaceChildren(...printerAlerts.map((p) => el("li", {
      class: "printer-alert " + (p.state === "near_end" ? "warn" : "bad"),
    },
    el("span", { class: "pa-text" },
      el("span", { class: "pa-title" }, el("strong", {}, th(printerLabel(p.state))), " ",
        el("span", { class: "en" }, en(printerLabel(p.state)))),
      el("span", { class: "pa-device" }, `${p.device}${p.at ? " · " + S.clock(p.at) : ""}`),
      p.detail ? el("span", { class: "pa-detail" }, p.detail) : null),
    el("button", {
      type: "button", class: "small secondary", title: en("dismiss"),
      onclick: () => { dismissed.add(alertKey(p)); printerAlerts = printerAlerts.filter((x) => x !== p); renderPrinters(); },
    }, th("dismiss")))));
  }

  function onPrinterEvent(msg) {
    const stateName = msg.type.slice("printer.".length);
    const alert = {
      device_id: msg.device_id, device: msg.device || msg.kiosk || "", state: stateName,
      detail: msg.detail || msg.detail_th || "", at: msg.at || null,
    };
    printerAlerts = printerAlerts.filter((p) => p.device_id !== alert.device_id);
    if (["ok", "unchecked", "none"].includes(stateName)) {
      liveAlerts.delete(alert.device_id);
      toast("printer_ok");
    } else {
      liveAlerts.set(alert.device_id, alert);
      printerAlerts.unshift(alert);
    }
    if (state && mine()) renderPrinters();
  }

  // Once a second: the service clock, pause time and the waiting minutes.
  function tick() {
    if (!state || !mine()) return;
    const cur = current();
    if (cur) {
      const timer = $("cur-timer");
      const serving = cur.status === "serving" && cur.started_at;
      const from = serving ? cur.started_at : cur.called_at;
      const ms = S.since(from);
      timer.querySelector(".timer-label").replaceChildren(...both(serving ? "elapsed" : "since_call"));
      timer.querySelector(".timer-value").textContent = S.mmss(ms);
      const standard = timer.querySelector(".timer-standard");
      const bar = timer.querySelector(".bar span");
      if (serving) {
        const limit = cur.standard_minutes * 60000;
        const over = ms > limit;
        standard.replaceChildren(...both(over ? "over_standard" : "standard",
          { n: cur.standard_minutes }), over ? ` (${th("standard", { n: cur.standard_minutes })})` : "");
        bar.style.width = Math.min(100, (ms / Math.max(1, limit)) * 100) + "%";
        timer.dataset.level = over ? "over" : ms > limit * 0.8 ? "near" : "ok";
      } else {
        standard.replaceChildren();
        bar.style.width = "0";
        timer.dataset.level = "call";
      }
    }
    if (paused()) {
      const at = mine().paused_at;
      $("paused-since").replaceChildren(...both("paused_since",
        { time: S.clock(at), min: S.minutesSince(at) }));
    }
    for (const node of document.querySelectorAll("#waiting-list .wait")) {
      const fake = { queued_at: node.dataset.queued, service: "" };
      const li = node.closest("li");
      const t = state.waiting.find((x) => String(x.id) === li.dataset.id);
      node.className = waitClass(t || fake);
      node.textContent = th("wait_min", { n: S.minutesSince(node.dataset.queued) });
    }
  }
  setInterval(tick, 1000);

  // ------------------------------------------------------------------ actions

  function noFocus(e) { e.preventDefault(); }

  async function run(name, fn) {
    if (busy) return;
    busy = true;
    document.body.classList.add("busy");
    const button = document.querySelector(`#actions [data-action="${name}"]`);
    if (button) button.classList.add("pressed");
    try {
      await commitNoShow();
      await fn();
    } catch (err) {
      if (err && err.status !== 401) showError(err);
    } finally {
      // Keys stay ignored until the new state is on screen: a key is always judged against
      // what the person sees, never against the state before their last action.
      await refresh().catch(() => {});
      busy = false;
      document.body.classList.remove("busy");
      if (button) setTimeout(() => button.classList.remove("pressed"), 150);
    }
  }

  // Why a key does nothing now, when the reason is not plain to see (catalogue keys).
  function refusal(action) {
    const status = curStatus();
    if ((action === "call_next" || action === "call_specific") && status === "called") {
      return "call_next_blocked";
    }
    if (action === "transfer") return status === "called" ? "transfer_called" : "transfer_none";
    if (action === "finish" && status === "called") return "finish_called";
    return null;
  }

  function explainDisabled(action) {
    const key = refusal(action);
    if (key) {
      const vars = { start: KEYS.start, no_show: KEYS.no_show };
      banner("warn", th(key, vars), en(key, vars));
      return;
    }
    const button = document.querySelector(`#actions [data-action="${action}"]`);
    if (button) {
      button.classList.remove("refused");
      void button.offsetWidth;  // restart the animation
      button.classList.add("refused");
    }
  }

  function trigger(action) {
    if (!mine()) return;
    if (!enabled(action)) { explainDisabled(action); return; }
    clearBanner();
    const handlers = {
      call_next: () => run(action, callNext),
      recall: () => run(action, () => ticketAction(current(), "recall", "done_recalled")),
      start: () => run(action, () => ticketAction(current(), "start", "done_started")),
      finish: () => run(action, () => ticketAction(current(), "finish", "done_finished")),
      no_show: () => markNoShow(),
      hold: () => run(action, () => ticketAction(current(), "hold", "done_held")),
      unhold: () => callBackHeld(),
      transfer: () => openTransfer(),
      call_specific: () => openCall(null),
      pause: () => (paused() ? run(action, resume) : openPause()),
      close_counter: () => openClose(),
    };
    handlers[action]();
  }

  async function openCounter(number) {
    if (busy) return;
    await run("open", async () => {
      await S.api("POST", `/api/v1/counters/${number}/open`);
    });
  }

  async function callNext() {
    const ticket = await S.api("POST", `/api/v1/counters/${mine().number}/call-next`);
    if (ticket) toast("done_called", { number: ticket.number });
    else banner("info", th("nobody"), en("nobody"));
  }

  async function ticketAction(ticket, path, doneKey) {
    const result = await S.api("POST", `/api/v1/tickets/${ticket.id}/${path}`);
    toast(doneKey, { number: result.number });
  }

  // ------------------------------------------------------------------ no-show, with undo

  function markNoShow() {
    if (pendingNoShow) return;
    const ticket = current();
    pendingNoShow = { ticket, timer: setTimeout(autoCommit, UNDO_MS) };
    toast("no_show_pending", { number: ticket.number, seconds: UNDO_MS / 1000 }, undoNoShow);
    render();
  }

  function autoCommit() {
    if (!pendingNoShow) return;
    if (busy) { pendingNoShow.timer = setTimeout(autoCommit, 200); return; }
    run("no_show", async () => {});
  }

  // Writes the no-show waiting for its undo window, if any (before any other action).
  async function commitNoShow() {
    const pending = pendingNoShow;
    if (!pending) return;
    clearTimeout(pending.timer);
    try {
      const result = await S.api("POST", `/api/v1/tickets/${pending.ticket.id}/no-show`);
      toast("done_no_show", { number: result.number });
    } finally {
      pendingNoShow = null;
    }
  }

  function undoNoShow() {
    const pending = pendingNoShow;
    if (!pending || busy) return;
    clearTimeout(pending.timer);
    pendingNoShow = null;
    toast("no_show_undone", { number: pending.ticket.number });
    render();
  }

  // Leaving the page inside the undo window still records the no-show.
  window.addEventListener("pagehide", () => {
    const pending = pendingNoShow;
    if (!pending) return;
    pendingNoShow = null;
    const meta = document.querySelector('meta[name="csrf-token"]');
    fetch(`/api/v1/tickets/${pending.ticket.id}/no-show`, {
      method: "POST", keepalive: true, credentials: "same-origin",
      headers: { "X-CSRF-Token": meta ? meta.content : "", "Accept": "application/json" },
    });
  });

  async function unhold(ticket) {
    const result = await S.api("POST", `/api/v1/tickets/${ticket.id}/unhold`);
    toast("done_called", { number: result.number });
  }

  function callBackHeld() {
    if (state.held.length === 1) { run("unhold", () => unhold(state.held[0])); return; }
    // Several on hold: the list shows them with a button each; point there.
    const first = document.querySelector("#held-list button");
    if (first) first.focus();
  }

  async function resume() {
    await S.api("POST", `/api/v1/counters/${mine().number}/resume`);
    toast("done_resumed");
  }

  // ------------------------------------------------------------------ dialogs

  function wireDialog(dialog) {
    for (const b of dialog.querySelectorAll("[data-close]")) {
      b.addEventListener("click", () => dialog.close());
    }
    // A click on the backdrop (outside the box; the box's own padding is the dialog too)
    // closes it.
    dialog.addEventListener("click", (e) => {
      if (e.target !== dialog) return;
      const r = dialog.getBoundingClientRect();
      const inside = e.clientX >= r.left && e.clientX <= r.right
        && e.clientY >= r.top && e.clientY <= r.bottom;
      if (!inside) dialog.close();
    });
    // Escape always closes, even from a field that would otherwise swallow it.
    dialog.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); dialog.close(); }
    });
  }
  for (const d of document.querySelectorAll("dialog")) wireDialog(d);

  // Pause: pick a reason with 1–5 or a click.
  const pauseDialog = $("pause-dialog");
  function openPause() { pauseDialog.showModal(); pauseDialog.querySelector(".choice").focus(); }
  async function pause(reason) {
    pauseDialog.close();
    await run("pause", async () => {
      await S.api("POST", `/api/v1/counters/${mine().number}/pause`, { reason });
      toast("done_paused");
    });
  }
  for (const b of pauseDialog.querySelectorAll("[data-reason]")) {
    b.addEventListener("click", () => pause(b.dataset.reason));
  }
  pauseDialog.addEventListener("keydown", (e) => {
    const m = /^(?:Digit|Numpad)([1-9])$/.exec(e.code);
    if (!m || e.repeat) return;
    const reasons = pauseDialog.querySelectorAll("[data-reason]");
    const b = reasons[Number(m[1]) - 1];
    if (b) { e.preventDefault(); pause(b.dataset.reason); }
  });

  // Transfer: filter as you type, arrows to move, Enter to send.
  const transferDialog = $("transfer-dialog");
  const transferFilter = $("transfer-filter");
  let transferPick = 0;
  function transferChoices() {
    const q = transferFilter.value.trim().toLowerCase();
    const cur = current();
    return state.services.filter((s) => s.active && (!cur || s.code !== cur.service) && (!q
      || s.name_th.toLowerCase().includes(q) || s.name_en.toLowerCase().includes(q)
      || s.code.includes(q) || s.prefix.toLowerCase() === q));
  }
  function renderTransfer() {
    const choices = transferChoices();
    transferPick = Math.min(transferPick, Math.max(0, choices.length - 1));
    $("transfer-list").replaceChildren(...choices.map((s, i) => el("li", {
      role: "option", class: "pick" + (i === transferPick ? " picked" : ""),
      "aria-selected": i === transferPick ? "true" : "false",
      data: { code: s.code }, onclick: () => transfer(s),
    },
    el("span", { class: "pick-prefix" }, s.prefix),
    el("span", { class: "pick-name" }, s.name_th, " ", el("span", { class: "en" }, s.name_en)))));
    $("transfer-none").classList.toggle("hidden", choices.length > 0);
    const picked = $("transfer-list").querySelector(".picked");
    if (picked) picked.scrollIntoView({ block: "nearest" });
  }
  function openTransfer() {
    const cur = current();
    $("transfer-title").replaceChildren(...both("transfer_title", { number: cur.number }, " / "));
    transferFilter.value = "";
    transferPick = 0;
    renderTransfer();
    transferDialog.showModal();
    transferFilter.focus();
  }
  transferFilter.addEventListener("input", () => { transferPick = 0; renderTransfer(); });
  transferFilter.addEventListener("keydown", (e) => {
    const choices = transferChoices();
    if (e.key === "ArrowDown") { e.preventDefault(); transferPick = Math.min(transferPick + 1, choices.length - 1); renderTransfer(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); transferPick = Math.max(transferPick - 1, 0); renderTransfer(); }
    else if (e.key === "Enter" && !e.repeat) {
      e.preventDefault();
      if (choices[transferPick]) transfer(choices[transferPick]);
    }
  });
  async function transfer(target) {
    const cur = current();
    transferDialog.close();
    await run("transfer", async () => {
      const result = await S.api("POST", `/api/v1/tickets/${cur.id}/transfer`, { service: target.code });
      toast("done_transferred", { number: result.number, service: target.name_th, service_en: target.name_en });
    });
  }

  // Call a specific ticket: a number (or a row of the waiting list) and a reason.
  const callDialog = $("call-dialog");
  const callNumber = $("call-number");
  const callReasonText = $("call-reason-text");
  let callTarget = null;
  function callError(thText, enText) {
    const box = $("call-error");
    box.replaceChildren(thText, enText ? el("br") : "", enText ? el("span", { class: "en" }, enText) : "");
    box.classList.toggle("hidden", !thText);
  }
  function openCall(ticket) {
    if (!mine()) return;
    if (!enabled("call_specific")) { explainDisabled("call_specific"); return; }
    callTarget = ticket;
    callError("");
    callNumber.value = ticket ? ticket.number : "";
    callReasonText.value = "";
    for (const r of callDialog.querySelectorAll('input[name="call-reason"]')) r.checked = false;
    callDialog.showModal();
    if (ticket) callDialog.querySelector('input[name="call-reason"]').focus();
    else callNumber.focus();
  }
  $("call-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (busy) return;
    const number = callNumber.value.trim().toUpperCase().replace(/\s+/g, "");
    const picked = callDialog.querySelector('input[name="call-reason"]:checked');
    const typed = callReasonText.value.trim();
    if (!number) { callNumber.focus(); return; }
    if (!picked && !typed || picked && picked.value === "reason_other_option" && !typed) {
      callError(th("reason_required"), en("reason_required"));
      (picked ? callReasonText : callDialog.querySelector('input[name="call-reason"]')).focus();
      return;
    }
    let reason = picked && picked.value !== "reason_other_option" ? th(picked.value) : "";
    if (typed) reason = reason ? `${reason}: ${typed}` : typed;
    busy = true;
    try {
      await commitNoShow();
      let id = callTarget && callTarget.number === number ? callTarget.id : null;
      if (id === null) {
        const found = await S.api("GET", `/api/v1/console/ticket?number=${encodeURIComponent(number)}`);
        id = found.id;
      }
      const result = await S.api("POST", `/api/v1/tickets/${id}/call`, { counter: mine().number, reason });
      callDialog.close();
      toast("done_called", { number: result.number });
    } catch (err) {
      const m = S.errorText(err);
      callError(m.th, m.en);
      if (m.code === "already_taken") showError(err);
    } finally {
      busy = false;
      refresh().catch(() => {});
    }
  });
  callReasonText.addEventListener("input", () => {
    if (callReasonText.value && !callDialog.querySelector('input[name="call-reason"]:checked')) {
      callDialog.querySelector('input[value="reason_other_option"]').checked = true;
    }
  });

  // Close the counter: always confirmed, Enter confirms.
  const closeDialog = $("close-dialog");
  function openClose() {
    const counter = mine();
    $("close-title").replaceChildren(...both("close_title", { n: counter.number }, " / "));
    const warning = $("close-warning");
    const cur = current();
    warning.classList.toggle("hidden", !cur);
    if (cur) warning.replaceChildren(...both("close_open_ticket", { number: cur.number }));
    closeDialog.showModal();
    $("close-confirm").focus();
  }
  $("close-confirm").addEventListener("click", async () => {
    closeDialog.close();
    await run("close_counter", async () => {
      await S.api("POST", `/api/v1/counters/${mine().number}/close`);
    });
  });

  // ------------------------------------------------------------------ keys and buttons

  function typing(target) {
    if (!target || !(target instanceof Element)) return false;
    return target.isContentEditable || target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey) return;
    if (document.querySelector("dialog[open]") || typing(e.target)) return;
    if (e.repeat) { if (CODE_TO_ACTION[e.code]) e.preventDefault(); return; }
    if (!state) return;
    if (!mine()) {
      const m = /^(?:Digit|Numpad)([1-9])$/.exec(e.code);
      if (m) {
        const c = state.counters.find((x) => x.number === Number(m[1]));
        if (c && c.active && (!c.holder || c.mine)) { e.preventDefault(); openCounter(c.number); }
      }
      return;
    }
    if (e.code === "Key" + UNDO_KEY && pendingNoShow) { e.preventDefault(); undoNoShow(); return; }
    const action = CODE_TO_ACTION[e.code];
    if (!action) return;
    e.preventDefault();
    if (busy) return;
    trigger(action);
  });

  for (const button of document.querySelectorAll("#actions .act")) {
    button.addEventListener("pointerdown", noFocus);
    button.addEventListener("click", () => { if (!busy) trigger(button.dataset.action); });
  }

  // ------------------------------------------------------------------ live

  S.connect("console", {
    snapshot: (s) => apply(s),
    event: (msg) => {
      if (msg.type.startsWith("printer.")) { onPrinterEvent(msg); return; }
      // Someone else just called the ticket this staff member is about to call by hand.
      if (msg.type === "ticket.called" && callDialog.open && mine()
          && msg.counter !== mine().number
          && callNumber.value.trim().toUpperCase() === msg.number) {
        callError(th("taken", { number: msg.number, counter: msg.counter }),
          en("taken", { number: msg.number, counter: msg.counter }));
      }
      refreshSoon();
    },
  });
  refresh().catch(showError);
})();
