// Pairing an unpaired kiosk or screen with a short code an administrator confirms
// (counter/pairing.py): start a pairing request, show its code large with the time it has left,
// poll until paired, then hand over the token. An expired code is renewed with a fresh one.
// Where pairing is not available, the page falls back to its written instructions.
// The page holds #pair-code-box, #pair-code, #pair-expiry and, optionally, #pair-other and
// #pair-steps. Used by the display pages and the kiosk.

const RETRY_MS = 5000;
const UNAVAILABLE_RETRY_MS = 30000;
const TOO_MANY_RETRY_MS = 60000;

function show(id, visible) {
  const node = document.getElementById(id);
  if (node) node.hidden = !visible;
}

function formatCode(code) {
  // Two groups of three are easier to read aloud and to type.
  return code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

export class Pairing {
  /** onToken(token): paired; onCode(code): a new code is on screen (tests read it). */
  constructor({ onToken, onCode = () => {} }) {
    this.onToken = onToken;
    this.onCode = onCode;
    this.active = false;
    this.request = null;
    this.timer = null;
    this.countdown = null;
    this.expiresAt = 0;
  }

  start() {
    if (this.active) return;
    this.active = true;
    this.begin();
  }

  stop() {
    this.active = false;
    this.request = null;
    clearTimeout(this.timer);
    clearInterval(this.countdown);
  }

  later(fn, ms) {
    clearTimeout(this.timer);
    if (this.active) this.timer = setTimeout(fn, ms);
  }

  showManual() {
    show("pair-code-box", false);
    show("pair-other", false);
    show("pair-steps", true);
  }

  showCode() {
    document.getElementById("pair-code").textContent = formatCode(this.request.code);
    show("pair-code-box", true);
    show("pair-other", true);
    show("pair-steps", false);
    this.expiresAt = Date.now() + this.request.expires_in * 1000;
    clearInterval(this.countdown);
    const tick = () => {
      const left = Math.max(0, Math.round((this.expiresAt - Date.now()) / 1000));
      const text = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      document.getElementById("pair-expiry").textContent = text;
    };
    tick();
    this.countdown = setInterval(tick, 1000);
  }

  async begin() {
    if (!this.active) return;
    this.request = null;
    let response;
    try {
      response = await fetch("/api/v1/pairing", { method: "POST", cache: "no-store" });
    } catch {
      this.later(() => this.begin(), RETRY_MS);
      return;
    }
    if (!this.active) return;
    if (!response.ok) {
      this.showManual();
      const wait = response.status === 429 ? TOO_MANY_RETRY_MS : UNAVAILABLE_RETRY_MS;
      this.later(() => this.begin(), wait);
      return;
    }
    this.request = await response.json();
    this.onCode(this.request.code);
    this.showCode();
    this.later(() => this.poll(), this.request.poll_seconds * 1000);
  }

  async poll() {
    const request = this.request;
    if (!this.active || !request) return;
    let response;
    try {
      response = await fetch(`/api/v1/pairing/${encodeURIComponent(request.pairing_id)}`, {
        headers: { "X-Pairing-Secret": request.poll_secret },
        cache: "no-store",
      });
    } catch {
      this.later(() => this.poll(), RETRY_MS);
      return;
    }
    if (!this.active || request !== this.request) return;
    if (response.status === 404 || response.status === 410) {
      // Expired (or already used): a fresh code.
      this.begin();
      return;
    }
    if (!response.ok) {
      this.later(() => this.poll(), RETRY_MS);
      return;
    }
    const body = await response.json();
    if (body.status === "paired" && body.token) {
      this.stop();
      this.onToken(body.token);
      return;
    }
    this.later(() => this.poll(), (body.poll_seconds || 2) * 1000);
  }
}
