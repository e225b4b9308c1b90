// The citizen's status page: follows the ticket live over server-sent events, and when it is
// called shows "เชิญที่ช่องบริการ N" with a sound (once enabled) and a vibration.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const token = document.querySelector(".s-main").dataset.token;
  let last = JSON.parse($("status-data").textContent);
  const config = JSON.parse($("status-config").textContent);
  // The status page's words (kiosk/texts.py TEXT): [Thai, English] by key.
  const words = window.Saduak.words(config.text);
  let audio = null;

  function beep() {
    if (!audio) return;
    const now = audio.currentTime;
    [0, 0.35, 0.7].forEach((offset, i) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = [880, 1175, 880][i];
      gain.gain.setValueAtTime(0.0001, now + offset);
      gain.gain.exponentialRampToValueAtTime(0.5, now + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.3);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + offset);
      osc.stop(now + offset + 0.32);
    });
  }

  function render(s, previous) {
    $("s-state").dataset.status = s.status;
    $("s-state-th").textContent = s.status_th;
    $("s-state-en").textContent = s.status_en;
    $("s-ahead").textContent = s.waiting_ahead;
    const [low, high] = s.estimated_wait_range;
    $("s-range").textContent = high ? `${low}–${high}` : "0";
    const called = s.status === "called";
    $("s-called").classList.toggle("hidden", !called);
    $("s-wait").classList.toggle("hidden", s.status !== "waiting");
    $("s-counter-th").textContent = s.counter || "";
    $("s-counter-en").textContent = s.counter || "";
    const newCall = called && (!previous || previous.status !== "called"
      || previous.recall_count !== s.recall_count || previous.counter !== s.counter);
    if (newCall) {
      beep();
      if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]);
      // Screen readers: the live region's new text is read out at once.
      $("s-announce").textContent =
        words("called_announce", { number: s.number, counter: s.counter }).join(" · ");
    } else if (!called) {
      $("s-announce").textContent = "";
    }
    // Service over: no call is coming, so no sound to turn on.
    if (config.ended.includes(s.status)) $("s-sound").classList.add("hidden");
    if (s.status === "done") showSurvey();
    document.title = (called ? words("called_title", { counter: s.counter, number: s.number })
      : words("status_title", { number: s.number }))[0];
  }

  async function showSurvey() {
    const box = $("s-survey");
    if (box.dataset.shown) return;
    box.dataset.shown = "1";
    // The survey itself (items, answered once) belongs to the reports package: ask whether this
    // ticket's survey is open, then link to its page.
    let state = "open";
    try {
      const r = await fetch(`/api/v1/survey/${token}`, { headers: { Accept: "application/json" } });
      if (r.ok) state = (await r.json()).state;
    } catch (e) { /* offer the link anyway */ }
    if (state === "expired" || state === "not_finished") return;
    box.classList.remove("hidden");
    const body = $("s-survey-body");
    body.textContent = "";
    if (state === "answered") {
      body.textContent = words("survey_answered").join(" / ");
      return;
    }
    const link = document.createElement("a");
    link.href = `/survey/${token}`;
    link.className = "button";
    link.id = "s-survey-link";
    link.textContent = words("survey_take").join(" / ");
    body.appendChild(link);
  }

  function connect() {
    window.SaduakLive.connect({
      url: `/t/${token}/events`,
      transport: "sse",
      heartbeatMs: 15000,
      onMessage: (s) => {
        if (s.type === "heartbeat") return;
        render(s, last);
        last = s;
      },
      onStatus: (status) => $("s-live").classList.toggle("off", status !== "live"),
    });
  }

  $("s-sound").addEventListener("click", () => {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    audio.resume();
    beep();
    $("s-sound").classList.add("hidden");
  });

  render(last, last);
  connect();
  window.saduakStatus = { get last() { return last; } };
})();
