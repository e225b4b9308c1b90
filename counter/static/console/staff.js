// Shared by the console and supervisor pages: the text catalogue, the API with session expiry,
// office time, the live staff feed and sign-out. Text goes into the page through textContent
// only, never innerHTML: ticket numbers and names come from the server and stay plain text.
(function () {
  "use strict";

  const TEXT = JSON.parse(document.getElementById("console-text").textContent);
  const configEl = document.getElementById("console-config");
  const CONFIG = configEl ? JSON.parse(configEl.textContent) : {};

  function fill(s, vars) {
    return s.replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? String(vars[k]) : m));
  }
  function th(key, vars) { return fill((TEXT[key] || [key, key])[0], vars); }
  function en(key, vars) { return fill((TEXT[key] || [key, key])[1], vars); }

  // el("li", {class: "x", data: {id: 1}}, "text", child, ...)
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "data") for (const [dk, dv] of Object.entries(v)) node.dataset[dk] = dv;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // Thai, then English in a quieter span.
  function both(key, vars, sep) {
    return [el("span", { class: "th" }, th(key, vars)), sep === undefined ? " " : sep,
      el("span", { class: "en" }, en(key, vars))];
  }

  // ------------------------------------------------------------------ time

  let skew = 0;
  let timeZone = "Asia/Bangkok";
  let timeFormat = null;
  function setServerNow(iso) { skew = Date.parse(iso) - Date.now(); }
  function setTimeZone(zone) {
    if (zone && (zone !== timeZone || !timeFormat)) {
      timeZone = zone;
      timeFormat = new Intl.DateTimeFormat("en-GB", {
        timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      });
    }
  }
  setTimeZone(timeZone);
  function now() { return Date.now() + skew; }
  // "10.35 น." as Thai offices write times.
  function clock(iso) {
    if (!iso) return "";
    return timeFormat.format(new Date(iso)).replace(":", ".") + " น.";
  }
  function since(iso) { return iso ? Math.max(0, now() - Date.parse(iso)) : 0; }
  function minutesSince(iso) { return Math.floor(since(iso) / 60000); }
  function mmss(ms) {
    const total = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  }

  // ------------------------------------------------------------------ API

  // Several requests may fail at once when a session ends; navigate only once.
  let leaving = false;
  function goLogin() {
    if (leaving) return;
    leaving = true;
    const next = location.pathname + location.search;
    location.assign("/login?expired=1&next=" + encodeURIComponent(next));
  }

  // Saduak.api with one rule added: a 401 means the session is over, so go and sign in again.
  async function api(method, path, body) {
    try {
      return await window.Saduak.api(method, path, body);
    } catch (err) {
      if (err.status === 401) goLogin();
      throw err;
    }
  }

  function errorText(err) {
    const data = err && err.data;
    if (data && (data.detail_th || data.detail_en)) {
      return { th: data.detail_th || data.detail, en: data.detail_en || "", code: data.error };
    }
    if (err && err.status) return { th: err.message, en: "", code: String(err.status) };
    return { th: th("network_error"), en: en("network_error"), code: "network" };
  }

  // ------------------------------------------------------------------ live feed

  const HEARTBEAT_MS = 15000;

  function setConnection(live) {
    const conn = document.getElementById("conn");
    if (!conn) return;
    conn.dataset.state = live ? "live" : "offline";
    conn.querySelector(".conn-text").textContent = live ? th("live") : th("offline");
    conn.title = live ? en("live") : en("offline");
  }

  // handlers: {snapshot(state), event(message)}. Events arrive in seq order; a gap, a missed
  // heartbeat or a reconnect brings a fresh snapshot instead (the shared SaduakLive module).
  function connect(view, handlers) {
    return window.SaduakLive.connect({
      url: `${CONFIG.ws_path}?view=${view}`,
      heartbeatMs: HEARTBEAT_MS,
      ordered: true,
      onMessage: (msg) => {
        if (msg.type === "snapshot") { setConnection(true); handlers.snapshot(msg.state); return; }
        if (msg.type === "heartbeat") return;
        if (msg.type === "session.expired") { goLogin(); return; }
        handlers.event(msg);
      },
      onStatus: (status) => { if (status !== "live") setConnection(false); },
      onClose: (code) => {
        if (code === 4401) { goLogin(); return "stop"; }
        if (code === 4403) return "stop";
        return undefined;
      },
    });
  }

  window.Staff = {
    TEXT, CONFIG, th, en, both, el, api, goLogin, errorText, connect,
    setServerNow, setTimeZone, now, clock, since, minutesSince, mmss,
  };
})();
