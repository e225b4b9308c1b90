// The admin pages' behaviour: forms and buttons that call the JSON API, edit-in-place forms,
// passwords shown once, the voice clip table and the configuration import. Saduak.api (common
// script) adds the CSRF token and turns errors into Thai messages.
(function () {
  "use strict";
  const api = window.Saduak.api;
  const csrf = document.querySelector('meta[name="csrf-token"]');
  const toast = document.querySelector("[data-toast]");
  const SAVED = "บันทึกแล้ว / Saved";

  let toastTimer = 0;
  function showToast(text) {
    if (!toast) return;
    toast.textContent = text;
    toast.classList.remove("hidden");
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(() => toast.classList.add("hidden"), 4000);
  }

  function errorBox(near) {
    const scope = near.closest("form, section, .card") || document;
    return scope.querySelector("[data-error]") || document.querySelector("[data-page-error]");
  }

  function showError(near, err) {
    const box = errorBox(near);
    const en = err.data && err.data.detail_en ? " / " + err.data.detail_en : "";
    const text = (err.message || String(err)) + en;
    if (box) {
      box.textContent = text;
      box.classList.remove("hidden");
      box.scrollIntoView({ block: "nearest" });
    } else {
      window.alert(text);
    }
  }

  function clearError(near) {
    const box = errorBox(near);
    if (box) box.classList.add("hidden");
  }

  // The value of one input, typed by its data-type: bool, int, int? / str? (empty -> null),
  // holiday-lines (one "YYYY-MM-DD name" per line; a BE year is turned into CE).
  function valueOf(el) {
    const type = el.dataset.type || "";
    if (type === "bool" || el.type === "checkbox") return el.checked;
    const raw = el.value.trim();
    if (type === "int") return raw === "" ? null : Number(raw);
    if (type === "int?") return raw === "" ? null : Number(raw);
    if (type === "str?") return raw === "" ? null : raw;
    if (type === "num") return raw === "" ? null : Number(raw);
    // One "Thai | English" pair per line (a citizen manual's steps or documents).
    if (type === "pairs") {
      return raw.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
        const cut = line.indexOf("|");
        return cut < 0 ? [line, ""] : [line.slice(0, cut).trim(), line.slice(cut + 1).trim()];
      });
    }
    if (type === "holiday-lines") {
      return raw.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
        const match = line.match(/^(\d{4})-(\d{2})-(\d{2})\s*(.*)$/);
        if (!match) return { day: line, name: "" };
        let year = Number(match[1]);
        if (year > 2400) year -= 543;
        return { day: `${year}-${match[2]}-${match[3]}`, name: match[4] };
      });
    }
    return raw;
  }

  function collect(form) {
    const body = {};
    for (const el of form.querySelectorAll("[name]")) {
      if (el.closest("[data-item]") || el.type === "file") continue;
      if (el.closest("[data-create-only]") && form.dataset.method !== "POST") continue;
      body[el.name] = valueOf(el);
    }
    for (const group of form.querySelectorAll("[data-items]")) {
      body[group.dataset.items] = [...group.querySelectorAll("[data-item]")]
        .filter((row) => row.querySelector("[data-include]").checked)
        .map((row) => {
          const item = {};
          for (const el of row.querySelectorAll("[name]")) item[el.name] = valueOf(el);
          return item;
        });
    }
    return body;
  }

  // What happens after a successful call.
  function then(kind, result, origin) {
    if (kind === "secret" && result && result.password) {
      const dialog = document.querySelector("[data-secret-dialog]");
      dialog.querySelector("[data-secret-user]").textContent =
        result.staff ? result.staff.username : "";
      dialog.querySelector("[data-secret-value]").textContent = result.password;
      dialog.querySelector("[data-secret-copied]").classList.add("hidden");
      dialog.addEventListener("close", () => window.location.reload(), { once: true });
      dialog.showModal();
      return;
    }
    if (kind === "print" && result) {
      const row = origin.closest("tr");
      const cell = row && row.querySelector("[data-printer-status]");
      if (cell) {
        const good = result.printed;
        cell.innerHTML = "";
        const badge = document.createElement("span");
        badge.className = "badge " + (good ? "ok" : "bad");
        badge.textContent = result.state;
        const detail = document.createElement("small");
        detail.textContent = result.detail || "";
        cell.append(badge, document.createElement("br"), detail);
      }
      showToast(result.printed ? "พิมพ์หน้าทดสอบแล้ว / Test page printed"
                               : "พิมพ์ไม่สำเร็จ / Not printed: " + result.state);
      return;
    }
    if (kind === "reload" && origin.dataset.done) {
      // Said on the reloaded page, where the person looks next (a toast would vanish with it).
      const name = result && result.name ? result.name : "";
      sessionStorage.setItem("saduak-admin-done", origin.dataset.done.replaceAll("{name}", name));
      window.location.reload();
      return;
    }
    showToast(SAVED);
    if (kind === "reload") window.setTimeout(() => window.location.reload(), 400);
  }

  async function run(origin, method, url, body) {
    const question = origin.dataset.confirm;
    if (question && !window.confirm(question)) return;
    clearError(origin);
    origin.setAttribute("aria-busy", "true");
    const buttons = origin.tagName === "FORM" ? origin.querySelectorAll("button") : [origin];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const result = await api(method, url, body);
      then(origin.dataset.then || "reload", result, origin);
    } catch (err) {
      showError(origin, err);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
      origin.removeAttribute("aria-busy");
    }
  }

  const done = document.querySelector("[data-done-note]");
  const doneText = sessionStorage.getItem("saduak-admin-done");
  if (done && doneText) {
    sessionStorage.removeItem("saduak-admin-done");
    done.textContent = doneText;
    done.classList.remove("hidden");
  }

  // The password shown once: copied with one click (the clipboard needs a secure context, so
  // on plain http the text is selected for Ctrl+C instead).
  const copy = document.querySelector("[data-secret-copy]");
  if (copy) {
    copy.addEventListener("click", async () => {
      const dialog = copy.closest("dialog");
      const value = dialog.querySelector("[data-secret-value]");
      let copied = false;
      try {
        await navigator.clipboard.writeText(value.textContent);
        copied = true;
      } catch (e) {
        const range = document.createRange();
        range.selectNodeContents(value);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        copied = document.execCommand("copy");
      }
      dialog.querySelector("[data-secret-copied]").classList.toggle("hidden", !copied);
    });
  }

  // <form data-api data-method data-url data-then>
  for (const form of document.querySelectorAll("form[data-api]")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      run(form, form.dataset.method, form.dataset.url, collect(form));
    });
  }

  // <button data-call="METHOD /path" data-body='{...}' data-then data-confirm>
  for (const button of document.querySelectorAll("[data-call]")) {
    button.addEventListener("click", () => {
      const [method, url] = button.dataset.call.split(" ");
      const body = button.dataset.body ? JSON.parse(button.dataset.body) : undefined;
      run(button, method, url, body);
    });
  }

  // <select data-patch="/path" data-field="role">: change one field at once.
  for (const select of document.querySelectorAll("select[data-patch]")) {
    select.addEventListener("change", () => {
      run(select, "PATCH", select.dataset.patch, { [select.dataset.field]: select.value });
    });
  }

  // <button data-edit="#form" data-url data-name data-fill='{...}'>: the form edits this row.
  function setMode(form, editing) {
    form.querySelectorAll("[data-mode-create]").forEach((el) => el.classList.toggle("hidden", editing));
    form.querySelectorAll("[data-mode-edit]").forEach((el) => el.classList.toggle("hidden", !editing));
    form.querySelectorAll("[data-create-only]").forEach((el) => el.classList.toggle("hidden", editing));
    form.querySelectorAll("[data-create-only] [name]").forEach((el) => { el.disabled = editing; });
    const cancel = form.querySelector("[data-edit-cancel]");
    if (cancel && form.dataset.createUrl) cancel.classList.toggle("hidden", !editing);
  }

  function fill(form, data) {
    for (const el of form.querySelectorAll("[name]")) {
      if (el.closest("[data-item]") || !(el.name in data)) continue;
      const value = data[el.name];
      if (el.type === "checkbox") el.checked = Boolean(value);
      else el.value = value === null || value === undefined ? "" : value;
    }
    const slots = Array.isArray(data.services) ? data.services : null;
    for (const row of form.querySelectorAll("[data-item]")) {
      const slot = slots && slots.find((s) => s.service === row.dataset.code);
      row.querySelector("[data-include]").checked = Boolean(slot);
      row.querySelector('[name="position"]').value = slot ? slot.position : 0;
      row.querySelector('[name="weight"]').value = slot ? slot.weight : 1;
    }
  }

  for (const button of document.querySelectorAll("[data-edit]")) {
    button.addEventListener("click", () => {
      const form = document.querySelector(button.dataset.edit);
      fill(form, JSON.parse(button.dataset.fill));
      form.dataset.method = "PATCH";
      form.dataset.url = button.dataset.url;
      const name = form.querySelector("[data-edit-name]");
      if (name) name.textContent = button.dataset.name || "";
      setMode(form, true);
      form.classList.remove("hidden");
      clearError(form);
      form.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  }

  for (const cancel of document.querySelectorAll("[data-edit-cancel]")) {
    cancel.addEventListener("click", () => {
      const form = cancel.closest("form");
      if (form.dataset.createUrl) {
        form.reset();
        form.dataset.method = "POST";
        form.dataset.url = form.dataset.createUrl;
        setMode(form, false);
      } else {
        form.classList.add("hidden");
      }
    });
  }

  // Pairing: the printer only matters for a kiosk.
  const kind = document.querySelector("[data-kind-select]");
  if (kind) {
    const printer = document.querySelector("[data-kiosk-only]");
    const sync = () => {
      printer.classList.toggle("hidden", kind.value !== "kiosk");
      if (kind.value !== "kiosk") printer.querySelector("input").value = "";
    };
    kind.addEventListener("change", sync);
    sync();
  }

  // ---------------------------------------------------------------- voice clips

  const voice = document.querySelector("[data-voice]");
  if (voice) {
    const rows = document.querySelector("[data-voice-rows]");
    const template = document.querySelector("template[data-voice-row]");
    const summary = document.querySelector("[data-voice-summary]");
    const base = "/api/v1/admin/voice";
    let audio = null;

    const SOURCES = {
      "office-upload": "อัปโหลดโดยสำนักงาน / office upload",
      "espeak-ng": "เสียงสังเคราะห์ / synthesised",
      "generated-chime": "เสียงสัญญาณ / chime",
      "missing": "ไม่มีไฟล์ / missing",
    };
    const QUALITIES = {
      ok: "ดี / good", "digits-ok": "ดี (ตัวเลข) / good", "letters-ok": "ดี (ตัวอักษร) / good",
      poor: "ไม่ชัด / poor", missing: "ไม่มี / missing",
    };

    function play(urls) {
      // One <audio> after another: the same order and gaps a screen would play.
      if (audio) audio.pause();
      let index = 0;
      audio = new Audio();
      audio.addEventListener("ended", () => {
        index += 1;
        if (index < urls.length) { audio.src = urls[index]; audio.play(); }
      });
      audio.src = urls[0];
      return audio.play();
    }

    async function upload(clip, file, origin) {
      clearError(origin);
      const headers = { "Content-Type": "audio/wav", "Accept": "application/json" };
      if (csrf) headers["X-CSRF-Token"] = csrf.content;
      const response = await fetch(`${base}/clips/${clip}`, {
        method: "PUT", headers, body: file, credentials: "same-origin",
      });
      if (!response.ok) {
        let data = null;
        try { data = await response.json(); } catch (e) { data = null; }
        const err = new Error((data && (data.detail_th || data.detail)) || "HTTP " + response.status);
        err.data = data;
        throw err;
      }
      return response.json();
    }

    async function load() {
      const data = await api("GET", base);
      const status = data.status;
      summary.textContent =
        `ไม่ชัด ${status.poor.length} · ไม่มี ${status.missing.length} คลิป / ` +
        `${status.poor.length} poor, ${status.missing.length} missing`;
      rows.innerHTML = "";
      // The clips that need an office recording come first.
      const ordered = [...data.clips.filter((c) => !c.good), ...data.clips.filter((c) => c.good)];
      for (const clip of ordered) {
        const row = template.content.firstElementChild.cloneNode(true);
        row.dataset.clip = clip.id;
        row.querySelector('[data-f="id"]').textContent = clip.id;
        row.querySelector('[data-f="text"]').textContent = clip.text || "♪";
        let source = SOURCES[clip.source] || clip.source;
        if (clip.uploaded_by) source += ` (${clip.uploaded_by})`;
        row.querySelector('[data-f="source"]').textContent = source;
        const quality = row.querySelector('[data-f="quality"]');
        quality.textContent = QUALITIES[clip.quality] || clip.quality;
        quality.classList.add(clip.good ? "ok" : "bad");
        row.querySelector('[data-f="duration"]').textContent =
          clip.duration_ms ? (clip.duration_ms / 1000).toFixed(1) + " s" : "—";
        const playButton = row.querySelector("[data-play]");
        playButton.disabled = !clip.playable;
        playButton.addEventListener("click", () => play([`${base}/clips/${clip.id}.wav?${Date.now()}`]));
        const revert = row.querySelector("[data-revert]");
        revert.classList.toggle("hidden", clip.source !== "office-upload");
        revert.addEventListener("click", async () => {
          try { await api("DELETE", `${base}/clips/${clip.id}`); showToast(SAVED); await load(); }
          catch (err) { showError(rows, err); }
        });
        row.querySelector("[data-upload]").addEventListener("change", async (event) => {
          const file = event.target.files[0];
          if (!file) return;
          try { await upload(clip.id, file, rows); showToast(SAVED); await load(); }
          catch (err) { showError(rows, err); }
        });
        row.dataset.good = clip.good ? "1" : "";
        rows.append(row);
      }
      applyFilter();
    }

    // "Poor or missing only" (on by default): the hundred good clips stay out of the way.
    const filter = document.querySelector("[data-voice-filter]");
    function applyFilter() {
      const only = filter.checked;
      let shown = 0;
      for (const row of rows.querySelectorAll("tr[data-clip]")) {
        const hide = only && row.dataset.good === "1";
        row.classList.toggle("hidden", hide);
        if (!hide) shown += 1;
      }
      document.querySelector("[data-voice-none]").classList.toggle("hidden", shown > 0);
    }
    filter.addEventListener("change", applyFilter);

    const sample = document.querySelector("[data-sample]");
    sample.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearError(sample);
      const params = new URLSearchParams({
        number: sample.elements.number.value.trim(),
        counter: sample.elements.counter.value,
        repeat: voice.dataset.repeat,
        english: voice.dataset.english,
        polite: voice.dataset.polite,
      });
      try {
        const result = await api("GET", `${base}/sample?${params}`);
        document.querySelector("[data-sample-text]").textContent = result.text;
        await play(result.urls);
      } catch (err) {
        showError(sample, err);
      }
    });

    load().catch((err) => showError(rows, err));
  }

  // ---------------------------------------------------------------- configuration import

  const importForm = document.querySelector("form[data-import]");
  if (importForm) {
    const output = importForm.querySelector("[data-import-summary]");
    for (const button of importForm.querySelectorAll("[data-import-run]")) {
      button.addEventListener("click", async () => {
        clearError(importForm);
        const file = importForm.elements.file.files[0];
        if (!file) { importForm.elements.file.reportValidity(); return; }
        const dryRun = button.dataset.importRun === "check";
        const format = /\.ya?ml$/i.test(file.name) ? "yaml" : "json";
        try {
          const result = await api("POST", "/api/v1/admin/config/import", {
            office: importForm.elements.office.value.trim(),
            format, text: await file.text(), dry_run: dryRun,
          });
          output.textContent = JSON.stringify(result.summary, null, 2);
          output.classList.remove("hidden");
          showToast(dryRun ? "ตรวจสอบแล้ว ยังไม่มีการเปลี่ยนแปลง / Checked, nothing changed" : SAVED);
        } catch (err) {
          showError(importForm, err);
        }
      });
    }
  }
})();
