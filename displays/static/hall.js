// The hall display: the call just made (large, flashing), every counter's current number,
// recent calls, waiting per numbering line, the office message.

import { config, el, flash, pair, setText, startPage } from "./page.js";

const FLASH_MS = 10000;
const RECENT = 5;

function counterRow(counter) {
  const row = el("li", "counter-row");
  row.dataset.counter = String(counter.number);
  row.append(el("span", "c-no", String(counter.number)));
  row.append(el("span", "c-name", counter.name || ""));
  if (counter.current) {
    row.append(el("span", "c-num", counter.current.number));
    if (counter.current.status === "serving") row.classList.add("is-serving");
  } else {
    const state = el("span", "c-state");
    const key = { closed: "closed", paused: "paused" }[counter.state];
    if (key) state.append(pair(key));
    else state.textContent = "—";
    row.append(state);
    row.classList.add(`is-${counter.state}`);
  }
  return row;
}

function render(state) {
  setText("office-th", state.office.name_th);
  setText("office-en", state.office.name_en);

  const message = document.getElementById("message");
  const messageText = document.getElementById("message-text");
  if (messageText.textContent !== state.office.message) {
    messageText.textContent = state.office.message || "";
    // Scroll only a message too long for the line.
    requestAnimationFrame(() => {
      const scroll = messageText.scrollWidth > message.clientWidth;
      message.classList.toggle("scroll", scroll);
      message.style.setProperty("--marquee-seconds", `${Math.max(15, messageText.scrollWidth / 90)}s`);
    });
  }

  const counters = [...state.counters.values()];
  const list = document.getElementById("counters");
  const flashing = new Set(
    [...list.querySelectorAll(".counter-row.flash")].map((row) => row.dataset.counter),
  );
  list.replaceChildren(...counters.map(counterRow));
  // Up to six counters: one row each, with the counter's name. More: two columns of numbers
  // only, so the numbers stay large enough to read across the hall.
  const columns = counters.length > 6 ? 2 : 1;
  const rows = Math.max(1, Math.ceil(counters.length / columns));
  list.classList.toggle("cols-2", columns === 2);
  list.style.setProperty("--row-scale", String(Math.min(1, 5 / rows)));
  for (const row of list.children) {
    if (flashing.has(row.dataset.counter)) flash(row, FLASH_MS);
  }

  const [latest, ...older] = state.lastCalls;
  setText("now-number", latest ? latest.number : "—");
  const now = document.getElementById("now");
  now.classList.toggle("is-empty", !latest);
  document.getElementById("now-booked").hidden = !(latest && latest.booked);
  setText("now-counter", latest ? String(latest.counter) : "—");
  // "Now calling" only while the ticket is still called or served at a counter; after that it is
  // the last call, labelled and dimmed, and a call nobody answered says what to do.
  const past = !!latest && !counters.some((c) => c.current && c.current.ticket_id === latest.ticket_id);
  if (now.classList.contains("is-past") !== past || !now.dataset.labelled) {
    now.dataset.labelled = "1";
    now.classList.toggle("is-past", past);
    document.getElementById("now-label").replaceChildren(pair(past ? "last_called" : "now_calling"));
  }
  const missed = document.getElementById("now-missed");
  const nowMissed = past && latest.status === "no_show";
  missed.hidden = !nowMissed;
  now.classList.toggle("is-missed", nowMissed);
  if (nowMissed && !missed.childNodes.length) {
    missed.append(...config.text.missed.th.split(" ").map((words) => el("span", "phrase", words)));
  }

  const seen = new Set(latest ? [latest.number] : []);
  const recent = [];
  for (const call of older) {
    if (seen.has(call.number)) continue;
    seen.add(call.number);
    recent.push(call);
    if (recent.length === RECENT) break;
  }
  document.getElementById("recent").replaceChildren(
    ...recent.map((call) => {
      const item = el("li", call.status === "no_show" ? "is-missed" : "");
      item.append(el("span", "r-num", call.number));
      if (call.booked) item.append(el("span", "r-booked", config.text.booked.th));
      const where = el("span", "r-counter", `${config.text.counter.th} `);
      where.append(el("b", "", String(call.counter)));
      item.append(where);
      if (call.status === "no_show") {
        const note = el("span", "r-missed");
        note.append(pair("missed_short"));
        item.append(note);
      }
      return item;
    }),
  );

  document.getElementById("waiting").replaceChildren(
    ...state.lines.map((line) => {
      const item = el("li");
      item.append(el("span", "w-prefix", line.prefix));
      const name = el("span", "w-name");
      name.append(el("span", "th", line.name_th), el("span", "en", line.name_en));
      item.append(name);
      const count = el("span", "w-count", String(line.waiting));
      count.append(el("small", "", config.text.waiting_unit.th));
      item.append(count);
      return item;
    }),
  );
}

startPage({
  render,
  onCall: (call) => {
    flash(document.getElementById("now"), FLASH_MS);
    flash(document.querySelector(`.counter-row[data-counter="${call.counter}"]`), FLASH_MS);
    return true; // the hall announces every call
  },
});
