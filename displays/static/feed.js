// The display feed client: pairs with a token, keeps the office's screen state from a snapshot
// plus events in sequence, and reconnects with backoff. Wire format: displays/messages.py.

const TOKEN_KEY = "saduak.display.token";
// Survives a reload of this tab (not a new browser): calls made while the page reloads are
// still announced once it is back.
const SEQ_KEY = "saduak.display.seq";
const MAX_LAST_CALLS = 12;
const CLOSE_BAD_TOKEN = 4401;
const CLOSE_NOT_DISPLAY = 4403;

/** The screen's token: from ?token= (remembered, then removed from the address) or storage. */
export function takeToken() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl) {
    storeToken(fromUrl);
    url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token) {
  try {
    localStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Private mode: the token lasts until the page is closed.
  }
}

function readSavedSeq() {
  try {
    return JSON.parse(sessionStorage.getItem(SEQ_KEY) || "null");
  } catch {
    return null;
  }
}

function saveSeq(office, seq) {
  try {
    sessionStorage.setItem(SEQ_KEY, JSON.stringify({ office, seq }));
  } catch {
    // Not essential.
  }
}

/**
 * status: "connecting" (first attempt) → "live" (snapshot received) → "disconnected"
 * (reconnecting) → "live" …; "unpaired" when there is no token or the server refuses it.
 * The connection itself (backoff, heartbeat watchdog, offline state) is the shared
 * SaduakLive module's (/static/common/live.js).
 */
export class Feed {
  constructor({ wsPath, token, onState, onCall, onStatus }) {
    this.wsPath = wsPath;
    this.token = token;
    this.onState = onState;
    this.onCall = onCall;
    this.onStatus = onStatus;
    this.status = null;
    this.live = null;
    this.seq = null;
    this.clockOffsetMs = 0;
    this.announced = new Set();
    this.state = null;
    this.snapshots = 0;
  }

  start() {
    this.setStatus("connecting");
    this.connect();
  }

  setStatus(status, detail = null) {
    if (this.status === status && !detail) return;
    this.status = status;
    this.onStatus(status, detail);
  }

  connect() {
    if (this.live) this.live.stop();
    this.live = null;
    if (!this.token) {
      this.setStatus("unpaired", null);
      return;
    }
    this.live = window.SaduakLive.connect({
      url: this.wsPath,
      heartbeatMs: 5000,
      // The token goes in the first message rather than the address: access logs never see it.
      hello: () => ({ type: "hello", token: this.token }),
      onMessage: (msg) => this.handle(msg),
      onStatus: (status) => {
        // "live" is declared by the snapshot, not by the first byte.
        if (status === "offline" && this.status !== "unpaired") this.setStatus("disconnected");
      },
      onClose: (code) => {
        if (code === CLOSE_BAD_TOKEN || code === CLOSE_NOT_DISPLAY) {
          this.setStatus("unpaired", code === CLOSE_BAD_TOKEN ? "bad_token" : "not_display_token");
          // Keep trying now and then: a restored database or re-enabled device brings it back.
          return 60000;
        }
        return undefined;
      },
    });
  }

  /** Replace the token (pairing form) and connect with it. */
  pair(token) {
    this.token = token;
    storeToken(token);
    this.setStatus("connecting");
    this.connect();
  }

  send(msg) {
    if (this.live) this.live.send(msg);
  }

  resync() {
    this.send({ type: "resync" });
  }

  /** Server time now, in ms since the epoch: TVs' own clocks are often wrong. */
  now() {
    return Date.now() + this.clockOffsetMs;
  }

  handle(msg) {
    if (typeof msg.at === "string" && (msg.type === "snapshot" || msg.type === "heartbeat")) {
      const at = Date.parse(msg.at);
      if (!Number.isNaN(at)) this.clockOffsetMs = at - Date.now();
    }
    switch (msg.type) {
      case "snapshot":
        this.applySnapshot(msg);
        break;
      case "heartbeat":
        if (this.seq !== null && msg.seq > this.seq) this.resync();
        this.send({ type: "ack", seq: this.seq });
        break;
      case "queue":
        if (!this.state) break;
        if (msg.seq > this.seq) this.resync();
        this.state.services = msg.services;
        this.state.lines = msg.lines;
        this.onState(this.state, "queue");
        break;
      case "called":
      case "ticket":
      case "counter":
      case "event":
        this.applyEvent(msg);
        break;
      default:
        break;
    }
  }

  applySnapshot(msg) {
    const saved = readSavedSeq();
    let previous = this.seq;
    if (previous === null && saved && saved.office === msg.office) previous = saved.seq;
    if (previous !== null && previous > msg.seq) {
      // The sequence went backwards: a restored or new database. Start afresh.
      previous = null;
      this.announced.clear();
    }
    if (this.live) this.live.setHeartbeat((msg.heartbeat_s || 5) * 1000);
    this.state = {
      office: { id: msg.office, ...msg.office_info },
      counters: new Map(msg.counters.map((c) => [c.number, { ...c }])),
      lastCalls: msg.last_calls.slice(0, MAX_LAST_CALLS),
      services: msg.services,
      lines: msg.lines,
    };
    this.seq = msg.seq;
    this.snapshots += 1;
    saveSeq(msg.office, msg.seq);
    this.setStatus("live");
    this.onState(this.state, "snapshot");
    if (previous !== null && previous < msg.seq) {
      // Calls made while this screen was away: still announced when recent (server time).
      const serverNow = Date.parse(msg.at);
      const missed = msg.last_calls
        .filter((c) => c.seq > previous && serverNow - Date.parse(c.at) <= msg.catch_up_s * 1000)
        .sort((a, b) => a.seq - b.seq);
      for (const call of missed) this.announce(call, true);
    } else {
      for (const call of msg.last_calls) this.announced.add(call.seq);
    }
  }

  applyEvent(msg) {
    if (!this.state || msg.seq <= this.seq) return;
    if (msg.seq !== this.seq + 1) {
      // The server sends a snapshot instead of a gap; if one shows anyway, ask for one. The
      // event is real, so it is still applied.
      this.resync();
    }
    this.seq = msg.seq;
    saveSeq(this.state.office.id, msg.seq);
    const counters = this.state.counters;
    if (msg.type === "called") {
      for (const c of counters.values()) {
        if (c.current && c.current.ticket_id === msg.ticket_id) c.current = null;
      }
      let counter = counters.get(msg.counter);
      if (!counter) {
        counter = { number: msg.counter, name: "", state: "open", current: null };
        counters.set(msg.counter, counter);
        this.state.counters = new Map([...counters.entries()].sort((a, b) => a[0] - b[0]));
      }
      counter.current = {
        ticket_id: msg.ticket_id,
        number: msg.number,
        status: "called",
        service_id: msg.service_id,
        called_at: msg.at,
      };
      if (counter.state === "closed") counter.state = "open";
      const call = { ...msg, status: "called" };
      this.state.lastCalls = [call, ...this.state.lastCalls.filter((c) => c.seq !== msg.seq)].slice(
        0,
        MAX_LAST_CALLS,
      );
      this.onState(this.state, "called");
      this.announce(msg, false);
    } else if (msg.type === "ticket") {
      // The outcome of a call shown among the last calls (e.g. nobody came: no_show).
      for (const call of this.state.lastCalls) {
        if (call.ticket_id === msg.ticket_id && msg.status) call.status = msg.status;
      }
      for (const c of counters.values()) {
        if (c.current && c.current.ticket_id === msg.ticket_id) {
          if (msg.status === "called" || msg.status === "serving") c.current.status = msg.status;
          else c.current = null;
        }
      }
      this.onState(this.state, "ticket");
    } else if (msg.type === "counter") {
      const counter = counters.get(msg.counter);
      if (counter) {
        const states = { opened: "open", resumed: "open", closed: "closed", paused: "paused" };
        if (states[msg.kind]) counter.state = states[msg.kind];
      }
      this.onState(this.state, "counter");
    }
  }

  announce(call, catchUp) {
    if (this.announced.has(call.seq)) return;
    this.announced.add(call.seq);
    this.onCall(call, catchUp);
  }
}
