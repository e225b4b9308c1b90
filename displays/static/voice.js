// Call announcements: a queue played one at a time, never overlapping, never dropped.
//
// Two voice modes, chosen per announcement:
//   clips  — the server's list of clip ids, preloaded and played back to back with Web Audio;
//   speech — the chime clip, then the device's own Thai voice (speechSynthesis).
// "auto" (the default) uses clips when every clip the call needs is marked fit in the manifest,
// and otherwise the device's Thai voice if it has a local one; with neither, the clips it has
// are played anyway (the number is on the screen for everyone who cannot hear it).
//
// Every call is recorded in window.saduakAnnouncements (tests and the curious read it):
//   {seq, number, counter, clips, text, text_en, repeat, recall, catchUp, state, mode, ...}
// state: queued → playing → done; "silent" when this screen's sound is off; "expired" when the
// sound was locked by the browser and the call was over a minute old once it was unlocked.

const GAP_S = 0.06;
const SPEECH_RATE = 0.9;
const SPEECH_TIMEOUT_MS = 20000;
const EXPIRE_LOCKED_MS = 60000;
const MAX_KEPT = 100;

export class Announcer {
  constructor({ manifestUrl, token, mode, sound, onChange }) {
    this.manifestUrl = manifestUrl;
    // The screen's token picks its office's own recordings (a header keeps it out of logs).
    this.token = token;
    this.mode = mode; // "auto" | "clips" | "speech"
    this.sound = sound;
    this.onChange = onChange;
    this.items = [];
    this.manifest = null;
    this.buffers = new Map();
    this.loading = new Map();
    this.ctx = null;
    this.thaiVoice = null;
    this.englishVoice = null;
    this.running = false;
    this.unlockWaiters = [];
    window.saduakAnnouncements = this.items;
    window.saduakVoice = this.describe();
  }

  async init() {
    if (this.sound) this.createContext();
    this.findVoices();
    if ("speechSynthesis" in window) {
      speechSynthesis.addEventListener("voiceschanged", () => this.findVoices());
    }
    try {
      const headers = this.token ? { Authorization: `Bearer ${this.token}` } : {};
      const response = await fetch(this.manifestUrl, { cache: "no-cache", headers });
      this.manifest = await response.json();
    } catch {
      this.manifest = { clips: {}, good_qualities: [] };
    }
    this.publish();
    if (this.sound) this.preload();
  }

  createContext() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx || this.ctx) return;
    this.ctx = new Ctx();
    this.ctx.addEventListener("statechange", () => {
      if (this.ctx.state === "running") this.unlocked();
      this.publish();
    });
    // Without a user gesture (or the kiosk flag) the context stays suspended: the page shows
    // the "click to enable sound" control until it runs.
    this.ctx.resume().catch(() => {});
  }

  /** Called from a click: browsers allow audio to start inside a user gesture. */
  enableSound() {
    this.sound = true;
    this.createContext();
    if (this.ctx) this.ctx.resume().catch(() => {});
    if ("speechSynthesis" in window) {
      // An empty utterance spoken inside the gesture unlocks speech for later ones too.
      speechSynthesis.speak(new SpeechSynthesisUtterance(""));
    }
    this.preload();
    this.publish();
    this.kick();
  }

  get locked() {
    return this.sound && (!this.ctx || this.ctx.state !== "running");
  }

  unlocked() {
    const now = Date.now();
    for (const item of this.items) {
      if (item.state === "queued" && now - item.queuedAt > EXPIRE_LOCKED_MS) item.state = "expired";
    }
    const waiters = this.unlockWaiters;
    this.unlockWaiters = [];
    for (const resolve of waiters) resolve();
    this.publish();
  }

  findVoices() {
    if (!("speechSynthesis" in window)) return;
    const voices = speechSynthesis.getVoices();
    // Only voices on the device: a network voice needs the internet, which office networks
    // often do not have, and would send every call to a third party.
    const local = voices.filter((v) => v.localService);
    this.thaiVoice = local.find((v) => v.lang && v.lang.toLowerCase().startsWith("th")) || null;
    this.englishVoice = local.find((v) => v.lang && v.lang.toLowerCase().startsWith("en")) || null;
    this.publish();
  }

  describe() {
    return {
      mode: this.mode,
      sound: this.sound,
      audio: this.ctx ? this.ctx.state : "none",
      thaiVoice: this.thaiVoice ? this.thaiVoice.name : null,
      clipsLoaded: this.buffers.size,
      locked: this.locked,
    };
  }

  publish() {
    window.saduakVoice = this.describe();
    this.onChange(this);
  }

  clipUrl(id) {
    const entry = this.manifest && this.manifest.clips[id];
    return entry ? entry.url : null;
  }

  clipFit(id) {
    const entry = this.manifest && this.manifest.clips[id];
    return Boolean(entry && entry.url && this.manifest.good_qualities.includes(entry.quality));
  }

  preload() {
    if (!this.manifest || !this.ctx) return;
    for (const id of Object.keys(this.manifest.clips)) {
      if (!id.startsWith("en_")) this.load(id);
    }
  }

  load(id) {
    if (this.buffers.has(id)) return Promise.resolve(this.buffers.get(id));
    if (this.loading.has(id)) return this.loading.get(id);
    const url = this.clipUrl(id);
    if (!url || !this.ctx) return Promise.resolve(null);
    // An office's own recordings are served to its paired screens only: send the token.
    const headers = this.token ? { Authorization: `Bearer ${this.token}` } : {};
    const promise = fetch(url, { headers })
      .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(r.statusText))))
      .then((data) => this.ctx.decodeAudioData(data))
      .then((buffer) => {
        this.buffers.set(id, buffer);
        this.loading.delete(id);
        return buffer;
      })
      .catch(() => {
        // Missing or undecodable: the clip is skipped; a later call tries again.
        this.loading.delete(id);
        return null;
      });
    this.loading.set(id, promise);
    return promise;
  }

  chooseMode(item) {
    if (this.mode === "clips") return "clips";
    if (this.mode === "speech") return this.thaiVoice ? "speech" : "clips";
    const weak = item.clips.some((id) => !this.clipFit(id));
    return weak && this.thaiVoice ? "speech" : "clips";
  }

  enqueue(call, catchUp) {
    const item = {
      seq: call.seq,
      number: call.number,
      counter: call.counter,
      clips: call.clips,
      text: call.text,
      text_en: call.text_en || null,
      repeat: call.repeat || 1,
      recall: Boolean(call.recall),
      catchUp: Boolean(catchUp),
      state: "queued",
      mode: null,
      queuedAt: Date.now(),
      startedAt: null,
      endedAt: null,
    };
    this.items.push(item);
    // Bounded over a long day; finished items go first.
    while (this.items.length > MAX_KEPT && this.items[0].state !== "queued") this.items.shift();
    this.kick();
    return item;
  }

  kick() {
    if (!this.running) this.run();
  }

  async run() {
    this.running = true;
    try {
      for (;;) {
        const item = this.items.find((i) => i.state === "queued");
        if (!item) break;
        if (!this.sound) {
          item.state = "silent";
          continue;
        }
        if (this.locked) {
          this.publish();
          await new Promise((resolve) => this.unlockWaiters.push(resolve));
          continue;
        }
        item.mode = this.chooseMode(item);
        item.state = "playing";
        item.startedAt = performance.now();
        this.publish();
        try {
          await this.play(item);
        } catch (error) {
          item.error = String(error);
        }
        item.state = "done";
        item.endedAt = performance.now();
        this.publish();
      }
    } finally {
      this.running = false;
    }
  }

  async play(item) {
    if (item.mode === "speech") {
      await this.playClips(["chime"]);
      for (let i = 0; i < item.repeat; i += 1) await this.speak(item.text, this.thaiVoice, "th-TH");
      if (item.text_en) await this.speak(item.text_en, this.englishVoice, "en-US");
      return;
    }
    await this.playClips(item.clips);
  }

  async playClips(ids) {
    const buffers = (await Promise.all(ids.map((id) => this.load(id)))).filter(Boolean);
    if (!buffers.length || !this.ctx) return;
    const ctx = this.ctx;
    let at = ctx.currentTime + 0.05;
    let last = null;
    for (const buffer of buffers) {
      const source = ctx.createBufferSource();
      source.buffer = buffer;
      source.connect(ctx.destination);
      source.start(at);
      at += buffer.duration + GAP_S;
      last = source;
    }
    const remainingMs = (at - ctx.currentTime) * 1000;
    await new Promise((resolve) => {
      last.onended = resolve;
      // If the audio clock stalls (no output device), do not hold the queue for ever.
      setTimeout(resolve, remainingMs + 1000);
    });
  }

  speak(text, voice, lang) {
    return new Promise((resolve) => {
      if (!("speechSynthesis" in window) || !text) {
        resolve();
        return;
      }
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          resolve();
        }
      };
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = lang;
      if (voice) utterance.voice = voice;
      utterance.rate = SPEECH_RATE;
      utterance.onend = finish;
      utterance.onerror = finish;
      speechSynthesis.speak(utterance);
      setTimeout(() => {
        if (done) return;
        // A stuck engine must not speak over the next call when it wakes up.
        speechSynthesis.cancel();
        finish();
      }, SPEECH_TIMEOUT_MS);
    });
  }
}
