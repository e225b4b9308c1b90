// What every display page shares: configuration, the words catalogue, the clock, the
// connection banner, pairing, and the sound control. Pages add only their rendering.

import { Announcer } from "./voice.js";
import { Feed, takeToken } from "./feed.js";
import { Pairing } from "/static/common/pairing.js";
import { localParts } from "/static/common/officetime.js";

export const config = JSON.parse(document.getElementById("saduak-config").textContent);

/** Thai · English pair of a catalogue key, as two spans. */
export function pair(key, { en = true } = {}) {
  const entry = config.text[key];
  const frag = document.createDocumentFragment();
  const th = document.createElement("span");
  th.className = "th";
  th.textContent = entry.th;
  frag.append(th);
  if (en) {
    const e = document.createElement("span");
    e.className = "en";
    e.textContent = entry.en;
    frag.append(e);
  }
  return frag;
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function setText(id, text) {
  const node = document.getElementById(id);
  if (node && node.textContent !== text) node.textContent = text;
}

/** Restart a CSS flash on a node for `ms` (a second call restarts it). */
export function flash(node, ms) {
  if (!node) return;
  node.classList.remove("flash");
  void node.offsetWidth; // restart the animation
  node.classList.add("flash");
  clearTimeout(node.flashTimer);
  node.flashTimer = setTimeout(() => node.classList.remove("flash"), ms);
}

function startClock(feed, getTimeZone) {
  const tick = () => {
    const p = localParts(feed.now(), getTimeZone());
    const pad = (n) => String(n).padStart(2, "0");
    // Thai style: 10.35 (น. is shown beside it), Buddhist Era year.
    setText("clock-time", `${pad(p.hour)}.${pad(p.minute)}`);
    setText(
      "clock-date-th",
      `วัน${config.weekdays_th[p.weekday]}ที่ ${p.day} ${config.months_th[p.month - 1]} ${p.year + 543}`,
    );
    setText(
      "clock-date-en",
      `${config.weekdays_en[p.weekday]} ${p.day} ${config.months_en[p.month - 1]} ${p.year}`,
    );
  };
  tick();
  setInterval(tick, 1000);
}

function showPairing(reason) {
  const box = document.getElementById("pair");
  box.hidden = false;
  const problem = document.getElementById("pair-problem");
  if (reason) {
    problem.hidden = false;
    problem.replaceChildren(pair(reason));
  } else {
    problem.hidden = true;
  }
}

let pairing = null;

function renderStatus(status, detail) {
  document.body.dataset.connection = status;
  window.saduakDisplay.status = status;
  const banner = document.getElementById("banner");
  banner.hidden = status !== "disconnected";
  const key = { live: null, connecting: "connecting", disconnected: "disconnected" }[status];
  const linkText = document.getElementById("link-text");
  if (linkText) linkText.replaceChildren(key ? pair(key) : "");
  if (status === "unpaired") {
    showPairing(detail);
    if (pairing) pairing.start();
  } else {
    document.getElementById("pair").hidden = true;
    if (pairing) pairing.stop();
  }
}

function renderSound(announcer) {
  document.body.dataset.sound = announcer.locked ? "locked" : announcer.sound ? "on" : "off";
  const button = document.getElementById("sound-button");
  if (button) button.hidden = !announcer.locked;
  const state = document.getElementById("sound-state");
  if (state) {
    if (!announcer.sound) {
      state.replaceChildren(pair("sound_off"));
    } else if (!announcer.locked) {
      const voice = announcer.mode === "clips" || !announcer.thaiVoice ? "voice_clips" : "voice_speech";
      state.replaceChildren(pair("sound_on", { en: false }), ` · `, pair(voice, { en: false }));
    } else {
      state.replaceChildren();
    }
  }
}

/**
 * Start a display page. `render(state, why)` redraws from the feed state; `onCall(call,
 * catchUp)` reacts to a call (flash) and returns whether this page announces it.
 */
export function startPage({ render, onCall }) {
  const params = new URLSearchParams(location.search);
  const soundParam = params.get("sound");
  const sound = soundParam ? soundParam === "on" : Boolean(config.sound);
  const mode = ["auto", "clips", "speech"].includes(params.get("voice"))
    ? params.get("voice")
    : config.voice_mode;

  window.saduakDisplay = { status: "connecting", seq: null, snapshots: 0 };
  const token = takeToken();
  const announcer = new Announcer({
    manifestUrl: config.manifest_url,
    token,
    mode,
    sound,
    onChange: renderSound,
  });
  let timeZone = "Asia/Bangkok";
  const feed = new Feed({
    wsPath: config.ws_path,
    token,
    onStatus: renderStatus,
    onState: (state, why) => {
      timeZone = state.office.timezone || timeZone;
      window.saduakDisplay.seq = feed.seq;
      window.saduakDisplay.snapshots = feed.snapshots;
      window.saduakDisplay.state = state;
      render(state, why);
    },
    onCall: (call, catchUp) => {
      if (onCall(call, catchUp)) announcer.enqueue(call, catchUp);
    },
  });
  window.saduakDisplay.feed = feed;
  pairing = new Pairing({
    onToken: (token) => feed.pair(token),
    onCode: (code) => { window.saduakDisplay.pairingCode = code; },
  });

  document.getElementById("pair-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = document.getElementById("pair-token").value.trim();
    if (token) feed.pair(token);
  });
  const button = document.getElementById("sound-button");
  if (button) button.addEventListener("click", () => announcer.enableSound());
  // Any click or key on the screen unlocks sound too (a TV remote's OK button).
  document.addEventListener("pointerdown", () => announcer.locked && announcer.enableSound());
  document.addEventListener("keydown", () => announcer.locked && announcer.enableSound());

  startClock(feed, () => timeZone);
  announcer.init();
  feed.start();
  return { feed, announcer };
}
