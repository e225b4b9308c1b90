// The questionnaire editor (/admin/questionnaires): the satisfaction form's items by GECC
// dimension and the needs survey's questions and choices, loaded from and saved to the survey
// API. Every save makes a new version on the server; the page reloads to show it.
(function () {
  "use strict";
  const api = window.Saduak.api;
  const itemsForm = document.querySelector("[data-q-items]");
  if (!itemsForm) return;
  const needsForm = document.querySelector("[data-q-needs]");
  const itemRows = itemsForm.querySelector("[data-q-item-rows]");
  const questions = needsForm.querySelector("[data-q-questions]");
  const itemTemplate = document.querySelector("template[data-q-item-template]");
  const questionTemplate = document.querySelector("template[data-q-question-template]");
  let dimensions = [];

  function showError(form, err) {
    const box = form.querySelector("[data-error]");
    const en = err.data && err.data.detail_en ? " / " + err.data.detail_en : "";
    box.textContent = (err.message || String(err)) + en;
    box.classList.remove("hidden");
    box.scrollIntoView({ block: "nearest" });
  }

  function wireRow(row) {
    row.querySelector("[data-q-remove]").addEventListener("click", () => row.remove());
    const up = row.querySelector("[data-q-up]");
    if (up) {
      up.addEventListener("click", () => {
        const before = row.previousElementSibling;
        if (before) row.parentNode.insertBefore(row, before);
      });
    }
  }

  function addItem(item) {
    const row = itemTemplate.content.firstElementChild.cloneNode(true);
    const select = row.querySelector('[name="dimension"]');
    for (const d of dimensions) {
      const option = document.createElement("option");
      option.value = d.code;
      option.textContent = d.label_th + " / " + d.label_en;
      select.append(option);
    }
    if (item) {
      row.querySelector('[name="code"]').value = item.code;
      // An existing item keeps its code: a new code would be a new item.
      row.querySelector('[name="code"]').readOnly = true;
      row.querySelector('[name="label_th"]').value = item.label_th;
      row.querySelector('[name="label_en"]').value = item.label_en;
      select.value = item.dimension;
      row.querySelector('[name="active"]').checked = item.active;
    }
    wireRow(row);
    itemRows.append(row);
    return row;
  }

  function addQuestion(question) {
    const box = questionTemplate.content.firstElementChild.cloneNode(true);
    if (question) {
      box.querySelector('[name="code"]').value = question.code;
      box.querySelector('[name="label_th"]').value = question.label_th;
      box.querySelector('[name="label_en"]').value = question.label_en;
      box.querySelector('[name="choices"]').value = question.choices
        .map((c) => c.join(" | ")).join("\n");
    }
    wireRow(box);
    questions.append(box);
    return box;
  }

  async function load() {
    const [items, needs] = await Promise.all([
      api("GET", "/api/v1/survey-items"), api("GET", "/api/v1/survey-needs"),
    ]);
    dimensions = items.dimensions;
    document.querySelector("[data-q-version]").textContent = String(needs.version);
    itemRows.replaceChildren();
    items.items.forEach((item) => addItem(item));
    needsForm.querySelector("[data-q-every]").value = needs.every;
    questions.replaceChildren();
    needs.questions.forEach((q) => addQuestion(q));
  }

  async function save(form, method, path, body) {
    form.querySelector("[data-error]").classList.add("hidden");
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await api(method, path, body);
      window.location.reload();
    } catch (err) {
      showError(form, err);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  itemsForm.querySelector("[data-q-add-item]").addEventListener("click", () => {
    addItem(null).querySelector('[name="code"]').focus();
  });
  needsForm.querySelector("[data-q-add-question]").addEventListener("click", () => {
    addQuestion(null).querySelector('[name="code"]').focus();
  });

  itemsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const items = [...itemRows.querySelectorAll("[data-q-item]")].map((row) => ({
      code: row.querySelector('[name="code"]').value.trim(),
      label_th: row.querySelector('[name="label_th"]').value.trim(),
      label_en: row.querySelector('[name="label_en"]').value.trim(),
      dimension: row.querySelector('[name="dimension"]').value,
      active: row.querySelector('[name="active"]').checked,
    }));
    save(itemsForm, "PUT", "/api/v1/survey-items", { items });
  });

  needsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const every = needsForm.querySelector("[data-q-every]").value.trim();
    const body = {
      every: every === "" ? -1 : Number(every),
      questions: [...questions.querySelectorAll("[data-q-question]")].map((box) => ({
        code: box.querySelector('[name="code"]').value.trim(),
        label_th: box.querySelector('[name="label_th"]').value.trim(),
        label_en: box.querySelector('[name="label_en"]').value.trim(),
        choices: box.querySelector('[name="choices"]').value.split("\n")
          .map((line) => line.trim()).filter(Boolean)
          .map((line) => line.split("|").map((part) => part.trim())),
      })),
    };
    save(needsForm, "PUT", "/api/v1/survey-needs", body);
  });

  load().catch((err) => showError(itemsForm, err));
})();
