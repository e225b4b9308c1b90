// A card on the supervisor view: open complaints past their deadline (from the complaint API).
(function () {
  "use strict";
  const host = document.getElementById("extra-panels");
  if (!host || !window.Saduak) return;
  const card = document.createElement("section");
  card.className = "card sup-complaints";
  card.id = "sup-complaints";
  host.appendChild(card);

  function render(data) {
    card.replaceChildren();
    const title = document.createElement("h2");
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = `${data.title_th} (${data.count})`;
    title.appendChild(link);
    const en = document.createElement("span");
    en.className = "en";
    en.textContent = ` ${data.title_en}`;
    title.appendChild(en);
    card.appendChild(title);
    card.dataset.count = String(data.count);
    if (!data.items.length) {
      const none = document.createElement("p");
      none.className = "empty-line ok";
      none.textContent = data.none_th;
      card.appendChild(none);
      return;
    }
    const list = document.createElement("ul");
    list.className = "alert-list";
    data.items.slice(0, 10).forEach((item) => {
      const li = document.createElement("li");
      li.className = "alert bad";
      li.textContent = `${item.code} · ${item.category_th} · ${item.received_th} · ${item.overdue_th}`;
      list.appendChild(li);
    });
    card.appendChild(list);
  }

  async function refresh() {
    try { render(await window.Saduak.api("GET", "/api/v1/complaints/overdue")); }
    catch (err) { card.textContent = err.message; }
  }
  refresh();
  setInterval(refresh, 60000);
})();
