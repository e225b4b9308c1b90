// Thai date entry for every date field of every page: day, month name and Buddhist Era year
// (and a 24-hour time for a date-and-time field) instead of the browser's mm/dd/yyyy calendar. The original <input type="date"> becomes a
// hidden field that keeps its name, value and disabled state, so a form (or a script reading
// it) still gets the ISO date in the Common Era the server reads. Words come from the page
// (counter/texts.py DATE_ENTRY via counter/ui.py); nothing here is written in Thai.
(function () {
  "use strict";
  const source = document.getElementById("thai-date-words");
  if (!source) return;
  const words = JSON.parse(source.textContent);
  const BE = words.be_offset;

  function pad(n) { return String(n).padStart(2, "0"); }

  // A typed year: Buddhist Era (2400–2800), or a Common Era year someone typed out of habit.
  function ceYear(text) {
    const y = Number(String(text).trim());
    if (!Number.isInteger(y)) return null;
    if (y >= 2400 && y <= 2800) return y - BE;
    if (y >= 1900 && y <= 2200) return y;
    return null;
  }

  function iso(day, month, year) {
    if (!day || !month || year === null) return null;
    const d = new Date(Date.UTC(year, month - 1, day));
    if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
    return `${year}-${pad(month)}-${pad(day)}`;
  }

  function option(value, text) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    return o;
  }

  // "08.30" or "8:30" as "08:30"; null when it is not a time of day.
  function clock(text) {
    const m = /^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$/.exec(text);
    return m ? `${pad(Number(m[1]))}:${m[2]}` : null;
  }

  function enhance(input) {
    const withTime = input.type === "datetime-local";
    const box = document.createElement("span");
    box.className = "thai-date";
    box.setAttribute("role", "group");
    const day = document.createElement("select");
    day.className = "td-day";
    day.setAttribute("aria-label", words.labels.day);
    day.append(option("", words.labels.day));
    for (let n = 1; n <= 31; n += 1) day.append(option(String(n), String(n)));
    const month = document.createElement("select");
    month.className = "td-month";
    month.setAttribute("aria-label", words.labels.month);
    month.append(option("", words.labels.month));
    words.months.forEach((name, i) => month.append(option(String(i + 1), name)));
    const year = document.createElement("input");
    year.className = "td-year";
    year.type = "text";
    year.inputMode = "numeric";
    year.maxLength = 4;
    year.placeholder = words.labels.year;
    year.setAttribute("aria-label", words.labels.year);
    box.append(day, month, year);
    const parts = [day, month, year];
    let time = null;
    if (withTime) {
      time = document.createElement("input");
      time.className = "td-time";
      time.type = "text";
      time.inputMode = "numeric";
      time.maxLength = 5;
      time.placeholder = words.labels.time;
      time.setAttribute("aria-label", words.labels.time);
      box.append(time);
      parts.push(time);
    }

    const initial = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2}))?/.exec(input.value || "");
    if (initial) {
      day.value = String(Number(initial[3]));
      month.value = String(Number(initial[2]));
      year.value = String(Number(initial[1]) + BE);
      if (time && initial[4]) time.value = initial[4];
    }
    if (input.title) box.title = input.title;
    input.type = "hidden";
    input.after(box);
    input.thaiDate = { box, day, month, year };

    function sync() {
      const typed = parts.some((p) => p.value !== "");
      const date = iso(Number(day.value), Number(month.value), ceYear(year.value));
      const hhmm = time ? clock(time.value) : null;
      const value = time ? (date && hhmm ? `${date}T${hhmm}` : null) : date;
      input.value = value || "";
      const whole = day.value && month.value && year.value.length >= 4 && (!time || time.value);
      const bad = typed && !value && whole;
      box.classList.toggle("invalid", Boolean(bad));
      box.title = bad ? words.labels.invalid : (input.title || "");
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    parts.forEach((p) => p.addEventListener("change", sync));
    year.addEventListener("input", () => { if (year.value.length === 4) sync(); });
    if (time) time.addEventListener("input", sync);

    // Scripts enable and disable the field (the dashboard's custom range): follow it.
    function follow() { parts.forEach((p) => { p.disabled = input.disabled; }); }
    new MutationObserver(follow).observe(input, { attributes: true, attributeFilter: ["disabled"] });
    follow();
    // A form reset clears the parts; the hidden value follows.
    const form = input.form;
    if (form) form.addEventListener("reset", () => window.setTimeout(sync, 0));
  }

  document.querySelectorAll('input[type="date"], input[type="datetime-local"]').forEach(enhance);
})();
