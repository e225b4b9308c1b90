// The supervisor view: every counter, every service line, the waits past their target, and the
// counters' services for the day. Live over the staff feed; waits tick every second.
(function () {
  "use strict";
  const S = window.Staff;
  const { th, en, el, both } = S;
  const $ = (id) => document.getElementById(id);

  let state = null;
  let printers = [];

  async function refresh() { apply(await S.api("GET", "/api/v1/supervisor")); }
  let refreshTimer = null;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => refresh().catch(showError), 150);
  }
  function apply(next) {
    state = next;
    S.setServerNow(next.now);
    S.setTimeZone(next.timezone);
    printers = next.printers;
    render();
  }

  function showError(err) {
    const e = S.errorText(err);
    const node = $("banner");
    node.className = "banner bad";
    node.replaceChildren(el("span", { class: "th" }, e.th), " ", el("span", { class: "en" }, e.en));
  }
  function toast(key, vars) {
    const node = $("toast");
    node.replaceChildren(...both(key, vars));
    node.className = "toast";
    setTimeout(() => { node.className = "toast hidden"; }, 3500);
  }

  const serviceByCode = (code) => state.services.map((l) => l.service).find((s) => s.code === code)
    || state.all_services.find((s) => s.code === code);

  // ------------------------------------------------------------------ rendering

  function waitedMinutes(load) { return load.oldest_queued_at ? S.minutesSince(load.oldest_queued_at) : null; }
  function overTarget(load) {
    return !!load.oldest_queued_at
      && S.since(load.oldest_queued_at) > load.service.wait_target_minutes * 60000;
  }

  function render() {
    renderAlerts();
    renderCounters();
    renderServices();
  }

  function renderAlerts() {
    const over = state.services.filter(overTarget)
      .sort((a, b) => waitedMinutes(b) - waitedMinutes(a));
    $("alerts-none").classList.toggle("hidden", over.length > 0);
    $("alert-list").replaceChildren(...over.map((load) => {
      const vars = {
        service: load.service.name_th, service_en: load.service.name_en,
        number: load.oldest_number, min: waitedMinutes(load),
        target: load.service.wait_target_minutes,
      };
      const more = Math.max(0, load.over_target - 1);
      return el("li", { data: { service: load.service.code } },
        th("alert_line", vars), more ? " " + th("alert_more", { n: more }) : "",
        el("span", { class: "en" }, en("alert_line", vars)));
    }));
    $("printer-list").replaceChildren(...printers.map((p) => {
      const key = S.TEXT["printer_" + p.state] ? "printer_" + p.state : "printer_other";
      return el("li", { class: "printer-alert " + (p.state === "near_end" ? "warn" : "bad") },
        el("span", { class: "pa-text" },
          el("span", { class: "pa-title" }, el("strong", {}, th(key)), " ",
            el("span", { class: "en" }, en(key))),
          el("span", { class: "pa-device" }, `${p.device}${p.at ? " · " + S.clock(p.at) : ""}`)));
    }));
  }

  function stateLine(c) {
    if (c.state === "paused") {
      const r = "pause_" + c.paused_reason;
      return [el("strong", {}, th(r)), " ", el("span", { class: "en" }, en(r)), " · ",
        th("paused_since", { time: S.clock(c.paused_at), min: S.minutesSince(c.paused_at) })];
    }
    if (c.current) {
      const from = c.current.status === "serving" && c.current.started_at
        ? c.current.started_at : c.current.called_at;
      return [el("strong", {}, c.current.number), c.current.service_name_th, " · ",
        el("span", { class: "mono", data: { since: from || "" } }, S.mmss(S.since(from)))];
    }
    if (c.state === "idle") {
      return th("idle_since", { time: S.clock(c.idle_since), min: S.minutesSince(c.idle_since) });
    }
    return "";
  }

  // One chip per ticket letter with how many of its services the counter takes; the names
  // are in the chip's tooltip and in the "change services" dialog.
  function servicesSummary(c) {
    const byPrefix = new Map();
    for (const code of c.services) {
      const s = serviceByCode(code);
      const prefix = s ? s.prefix : "?";
      if (!byPrefix.has(prefix)) byPrefix.set(prefix, []);
      byPrefix.get(prefix).push(s ? s.name_th : code);
    }
    return [el("span", { class: "sc-serves" }, th("serves")),
      ...[...byPrefix.entries()].map(([prefix, names]) => el("span",
        { class: "sc-prefix", title: names.join("\n") },
        el("strong", {}, prefix), ` ${th("n_services", { n: names.length })}`))];
  }

  function renderCounters() {
    $("sup-counters").replaceChildren(...state.counters.map((c) => el("article", {
      class: "sc", data: { state: c.state, number: c.number },
    },
    el("div", { class: "sc-head" },
      el("span", { class: "sc-number" }, c.number),
      el("span", { class: "sc-state", title: en("state_" + c.state) }, th("state_" + c.state))),
    el("div", { class: "sc-name", title: c.name }, c.name),
    el("div", { class: "sc-holder" }, c.holder ? c.holder : th("no_staff"),
      c.held ? " · " + th("held_n", { n: c.held }) : ""),
    el("div", { class: "sc-now" }, stateLine(c)),
    el("div", { class: "sc-services" }, servicesSummary(c)),
    c.services_changed_at ? el("div", { class: "sc-changed" },
      th("changed_by", { time: S.clock(c.services_changed_at), name: c.services_changed_by || "" }))
      : null,
    el("div", { class: "sc-foot" },
      el("span", {}),
      el("button", {
        type: "button", class: "small secondary", data: { edit: c.number },
        onclick: () => openEdit(c),
      }, th("edit_services"))))));
  }

  function renderServices() {
    $("sup-total").replaceChildren(...both("total_waiting", { n: state.waiting }));
    $("svc-rows").replaceChildren(...state.services.map((load) => {
      const m = waitedMinutes(load);
      const cls = overTarget(load) ? "over" : load.waiting ? "" : "none";
      return el("tr", { class: cls, data: { service: load.service.code } },
        el("td", { class: "svc-name" }, `${load.service.prefix} · ${load.service.name_th}`,
          el("span", { class: "en" }, load.service.name_en)),
        el("td", { class: "num" }, load.waiting),
        el("td", { class: "num" }, load.priority_waiting || ""),
        el("td", { class: "num longest" }, m === null ? "–" : th("min", { n: m })),
        el("td", { class: "num" }, th("min", { n: load.service.wait_target_minutes })),
        el("td", {}, load.open_counters.length ? load.open_counters.join(", ") : th("none_open")));
    }));
  }

  // ------------------------------------------------------------------ services of a counter

  const dialog = $("services-dialog");
  let editing = null;
  for (const b of dialog.querySelectorAll("[data-close]")) b.addEventListener("click", () => dialog.close());

  function openEdit(counter) {
    editing = counter;
    $("services-error").classList.add("hidden");
    $("services-dialog-title").replaceChildren(...both("edit_title", { n: counter.number }, " / "));
    const groups = new Map();
    for (const s of state.all_services) {
      if (!groups.has(s.group)) groups.set(s.group, []);
      groups.get(s.group).push(s);
    }
    $("svc-groups").replaceChildren(...[...groups.entries()].map(([group, list]) => el("div",
      { class: "svc-group" }, el("h3", {}, S.TEXT["group_" + group] ? both("group_" + group) : group),
      list.map((s) => el("label", { class: "svc-check" },
        el("input", {
          type: "checkbox", name: "service", value: s.code,
          checked: counter.services.includes(s.code),
        }),
        el("span", {}, `${s.prefix} · ${s.name_th} `, el("span", { class: "en" }, s.name_en)))))));
    dialog.showModal();
  }

  $("services-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const codes = [...dialog.querySelectorAll('input[name="service"]:checked')].map((i) => i.value);
    try {
      await S.api("PUT", `/api/v1/counters/${editing.number}/services`, { services: codes });
      dialog.close();
      toast("saved", { n: editing.number });
    } catch (err) {
      const m = S.errorText(err);
      const box = $("services-error");
      box.replaceChildren(m.th, el("br"), el("span", { class: "en" }, m.en));
      box.classList.remove("hidden");
    }
    refresh().catch(showError);
  });

  // Waits and clocks move every second without a new read.
  setInterval(() => {
    if (!state) return;
    renderAlerts();
    for (const row of document.querySelectorAll("#svc-rows tr")) {
      const load = state.services.find((l) => l.service.code === row.dataset.service);
      if (!load) continue;
      const m = waitedMinutes(load);
      row.className = overTarget(load) ? "over" : load.waiting ? "" : "none";
      row.querySelector(".longest").textContent = m === null ? "–" : th("min", { n: m });
    }
    for (const node of document.querySelectorAll("#sup-counters [data-since]")) {
      if (node.dataset.since) node.textContent = S.mmss(S.since(node.dataset.since));
    }
  }, 1000);
  // Idle and pause minutes are coarse: redraw the cards every half minute.
  setInterval(() => { if (state) renderCounters(); }, 30000);

  S.connect("supervisor", {
    snapshot: (s) => apply(s),
    event: (msg) => {
      if (msg.type.startsWith("printer.")) { refreshSoon(); return; }
      refreshSoon();
    },
  });
  refresh().catch(showError);
})();
