// Stocktake counts typed on the tablet are kept until the server has them: a filter, a
// reload or the review never throws them away. Counts of products the filter hides are sent
// with the next save; "review" saves what is unsaved first.
"use strict";
(() => {
  const form = document.querySelector("form[data-keep]");
  if (!form) return;
  const key = form.dataset.keep, SENT = `${key}.sent`, THEN = `${key}.then`;
  const note = document.getElementById("unsaved-note");
  const load = () => { try { return JSON.parse(localStorage.getItem(key)) || {}; } catch { return {}; } };
  let counts = load();
  const save = () => {
    try {
      if (Object.keys(counts).length) localStorage.setItem(key, JSON.stringify(counts));
      else localStorage.removeItem(key);
    } catch { /* storage full: the counts stay on the page */ }
    note.hidden = !Object.keys(counts).length;
    document.getElementById("unsaved-count").textContent = String(Object.keys(counts).length);
  };

  // Back from a save: without an error on the page, what was sent is now on the server.
  const sent = sessionStorage.getItem(SENT);
  sessionStorage.removeItem(SENT);
  const refused = document.querySelector(".field-error, p.error");
  if (sent !== null && !refused) {
    for (const [id, value] of Object.entries(JSON.parse(sent))) if (counts[id] === value) delete counts[id];
    const then = sessionStorage.getItem(THEN);
    sessionStorage.removeItem(THEN);
    if (then) { save(); location.assign(then); return; }
  }
  if (refused) sessionStorage.removeItem(THEN);

  const inputs = [...form.querySelectorAll("input[name^='count-']")];
  for (const input of inputs) {
    const id = input.name.slice("count-".length);
    if (input.value.trim()) counts[id] = input.value.trim(); // sent back by the server with an error
    else if (counts[id] !== undefined) input.value = counts[id];
    input.addEventListener("input", () => {
      if (input.value.trim()) counts[id] = input.value.trim();
      else delete counts[id];
      save();
    });
  }
  save();

  form.addEventListener("submit", () => {
    const shown = new Set(inputs.map((i) => i.name));
    for (const [id, value] of Object.entries(counts)) {
      if (shown.has(`count-${id}`)) continue;
      const hidden = Object.assign(document.createElement("input"), { type: "hidden", name: `count-${id}`, value });
      form.append(hidden);
    }
    sessionStorage.setItem(SENT, JSON.stringify(counts));
  });

  const review = document.getElementById("to-review");
  review.addEventListener("click", (e) => {
    if (!Object.keys(counts).length) return;
    e.preventDefault();
    sessionStorage.setItem(THEN, review.href);
    form.requestSubmit();
  });
})();
