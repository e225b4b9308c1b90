// The screen above one counter: its current number, very large, and what it means.

import { config, flash, pair, setText, startPage } from "./page.js";

const FLASH_MS = 10000;
const number = config.counter;

function render(state) {
  const counter = state.counters.get(number);
  const main = document.getElementById("cd-main");
  const status = document.getElementById("cd-status");
  setText("cd-name", counter ? counter.name || "" : "");
  main.classList.remove("is-serving", "is-idle");
  if (!counter) {
    setText("cd-number", "—");
    main.classList.add("is-idle");
    status.replaceChildren(pair("no_counter"));
    return;
  }
  if (counter.current) {
    setText("cd-number", counter.current.number);
    const serving = counter.current.status === "serving";
    if (serving) main.classList.add("is-serving");
    status.replaceChildren(pair(serving ? "serving" : "please_come"));
    return;
  }
  setText("cd-number", "—");
  main.classList.add("is-idle");
  const key = { closed: "counter_closed", paused: "paused" }[counter.state] || "free";
  status.replaceChildren(pair(key));
}

startPage({
  render,
  onCall: (call) => {
    if (call.counter !== number) return false;
    flash(document.getElementById("cd-main"), FLASH_MS);
    return true; // announced here only with ?sound=on; always recorded
  },
});
