// The one live-connection module of every Saduak page (screens, console, supervisor, survey
// tablet, status page, kiosk): connect, reconnect with backoff, notice a dead connection from
// missing heartbeats, ask for a fresh snapshot, and say whether the page is live or offline.
// Server side: counter/feed.py. A classic script: `window.SaduakLive`.
(function () {
  "use strict";

  const BACKOFF_MS = [500, 1000, 2000, 3000, 5000, 8000, 10000];
  // Three heartbeats of silence: the connection is dead even if the socket has not noticed.
  const SILENT_HEARTBEATS = 3;

  /** The wait before reconnect attempt `attempt` (0, 1, …), with jitter so that every screen
   * of a hall does not reconnect in the same millisecond. */
  function backoffDelay(attempt) {
    const base = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
    return base * (0.75 + Math.random() * 0.5);
  }

  function absolute(path, transport) {
    if (transport === "sse" || /^wss?:/.test(path)) return path;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    return `${scheme}://${location.host}${path}`;
  }

  /**
   * Open a live feed and keep it open.
   *
   *   url          path of the feed ("/ws/display", "/t/…/events"), or a function returning it
   *   transport    "ws" (default) or "sse" (server-sent events)
   *   hello        function returning the first message to send on open (WebSocket), or null
   *   heartbeatMs  the server's heartbeat interval; `setHeartbeat` changes it later
   *   ordered      true: messages with a `seq` are passed on gap-free — older ones are dropped,
   *                a gap (or a heartbeat ahead of the page) asks the server for a snapshot
   *   onMessage    (message) for every JSON message (snapshots, events, heartbeats)
   *   onStatus     (status, detail): "connecting" → "live" (a message arrived) → "offline"
   *                (reconnecting) → "live" …; "stopped" when onClose stopped it
   *   onClose      (code) → "stop" to stay closed (a refused token or session), a number of ms
   *                to wait, or nothing for the usual backoff
   *
   * Returns { send(message), resync(), reconnect(), stop(), setHeartbeat(ms), status }.
   */
  function connect(options) {
    const transport = options.transport || "ws";
    let heartbeatMs = options.heartbeatMs || 15000;
    let conn = null;
    let attempt = 0;
    let timer = null;
    let watchdog = null;
    let stopped = false;
    let seq = null;
    const feed = { status: null };

    function setStatus(status, detail) {
      if (feed.status === status && !detail) return;
      feed.status = status;
      if (options.onStatus) options.onStatus(status, detail || null);
    }

    function alive() {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        if (!conn) return;
        drop();
        setStatus("offline");
        schedule();
      }, heartbeatMs * SILENT_HEARTBEATS);
    }

    function drop() {
      clearTimeout(watchdog);
      const old = conn;
      conn = null;
      if (!old) return;
      if (transport === "sse") {
        old.onopen = old.onmessage = old.onerror = null;
        old.close();
      } else {
        old.onopen = old.onmessage = old.onclose = old.onerror = null;
        try { old.close(); } catch (err) { /* already closed */ }
      }
    }

    function schedule(delay) {
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(open, delay === undefined ? backoffDelay(attempt) : delay);
      attempt += 1;
    }

    function send(message) {
      if (transport === "ws" && conn && conn.readyState === WebSocket.OPEN) {
        conn.send(JSON.stringify(message));
      }
    }

    function resync() { send({ type: "resync" }); }

    function receive(data) {
      let msg;
      try { msg = JSON.parse(data); } catch (err) { return; }
      if (!msg || typeof msg !== "object") return;
      alive();
      attempt = 0;
      setStatus("live");
      if (options.ordered && typeof msg.seq === "number") {
        if (msg.type === "snapshot") {
          seq = msg.seq;
        } else if (msg.type === "heartbeat" || msg.type === "queue") {
          if (seq !== null && msg.seq > seq) resync();
        } else if (seq !== null) {
          if (msg.seq <= seq) return;
          if (msg.seq !== seq + 1) { resync(); return; }
          seq = msg.seq;
        }
      }
      options.onMessage(msg);
    }

    function closed(code) {
      drop();
      const verdict = options.onClose ? options.onClose(code) : undefined;
      if (verdict === "stop") { stopped = true; clearTimeout(timer); setStatus("stopped"); return; }
      setStatus("offline");
      schedule(typeof verdict === "number" ? verdict : undefined);
    }

    function open() {
      clearTimeout(timer);
      if (stopped) return;
      drop();
      const url = absolute(typeof options.url === "function" ? options.url() : options.url, transport);
      let c;
      try {
        c = transport === "sse" ? new EventSource(url) : new WebSocket(url);
      } catch (err) {
        setStatus("offline");
        schedule();
        return;
      }
      conn = c;
      alive();
      if (transport === "sse") {
        c.onmessage = (event) => { if (c === conn) receive(event.data); };
        c.addEventListener("heartbeat", (event) => { if (c === conn) receive(event.data); });
        // EventSource would retry on its own, at its own pace: the backoff here decides instead.
        c.onerror = () => { if (c === conn) closed(0); };
      } else {
        c.onopen = () => {
          const hello = options.hello ? options.hello() : null;
          if (hello) c.send(JSON.stringify(hello));
        };
        c.onmessage = (event) => { if (c === conn) receive(event.data); };
        c.onclose = (event) => { if (c === conn) closed(event.code); };
      }
    }

    function reconnect() {
      stopped = false;
      attempt = 0;
      seq = null;
      setStatus("connecting");
      open();
    }

    // The device says its network is back: try now rather than at the end of a long backoff.
    window.addEventListener("online", () => { if (!stopped && !conn) { attempt = 0; open(); } });
    window.addEventListener("offline", () => { if (!stopped) setStatus("offline"); });

    feed.send = send;
    feed.resync = resync;
    feed.reconnect = reconnect;
    feed.stop = () => { stopped = true; clearTimeout(timer); drop(); setStatus("stopped"); };
    feed.setHeartbeat = (ms) => { if (ms > 0) heartbeatMs = ms; };
    setStatus("connecting");
    open();
    return feed;
  }

  /**
   * A page that reads over plain requests (the kiosk's service list): `load()` every `everyMs`,
   * sooner after a failure with the same backoff, with the same "live" / "offline" states.
   * Returns { refresh(), stop(), status }.
   */
  function poll({ load, everyMs, onStatus }) {
    let attempt = 0;
    let timer = null;
    let stopped = false;
    const poller = { status: null };
    function setStatus(status) {
      if (poller.status === status) return;
      poller.status = status;
      if (onStatus) onStatus(status, null);
    }
    async function run() {
      clearTimeout(timer);
      if (stopped) return;
      let ok = true;
      try { await load(); } catch (err) { ok = false; }
      if (stopped) return;
      if (ok) { attempt = 0; setStatus("live"); timer = setTimeout(run, everyMs); return; }
      setStatus("offline");
      timer = setTimeout(run, backoffDelay(attempt));
      attempt += 1;
    }
    window.addEventListener("online", () => { if (!stopped && poller.status === "offline") run(); });
    window.addEventListener("offline", () => { if (!stopped) setStatus("offline"); });
    poller.refresh = run;
    poller.stop = () => { stopped = true; clearTimeout(timer); };
    setStatus("connecting");
    run();
    return poller;
  }

  window.SaduakLive = { connect, poll, backoffDelay };
})();
