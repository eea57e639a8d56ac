// Receive goods: pick products by name, SKU or a scanned barcode; add rows as needed.
// Without JavaScript the form still works: the server resolves a typed code or name.
(() => {
  "use strict";
  const form = document.getElementById("receipt-form");
  if (!form) return;
  const lines = document.getElementById("lines");

  async function search(q) {
    const url = `/api/v1/products?limit=8&q=${encodeURIComponent(q)}`;
    const resp = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    return resp.ok ? resp.json() : [];
  }

  function choose(row, product) {
    row.querySelector("[data-picker]").value = product.name;
    row.querySelector("[data-product-id]").value = String(product.id);
    row.querySelector("[data-unit]").textContent = `(${product.unit})`;
    const expiry = row.querySelector('input[type="date"]');
    expiry.required = Boolean(product.tracks_expiry);
    const list = row.querySelector(".picker-results");
    list.hidden = true;
    list.replaceChildren();
    row.querySelector('input[inputmode="decimal"]').focus();
  }

  function show(row, products) {
    const list = row.querySelector(".picker-results");
    list.replaceChildren();
    for (const product of products) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `${product.name} · ${product.sku}`;
      button.addEventListener("click", () => choose(row, product));
      item.append(button);
      list.append(item);
    }
    list.hidden = products.length === 0;
    row._hits = products;
  }

  function wire(row) {
    const input = row.querySelector("[data-picker]");
    let timer = null;
    input.addEventListener("input", () => {
      row.querySelector("[data-product-id]").value = "";
      clearTimeout(timer);
      const q = input.value.trim();
      if (!q) { show(row, []); return; }
      timer = setTimeout(async () => show(row, await search(q)), 150);
    });
    // A barcode scanner types the code and presses Enter: take the best match, not submit.
    input.addEventListener("keydown", async (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      const hits = await search(input.value.trim());
      if (hits.length) choose(row, hits[0]);
    });
  }

  function addRow() {
    const rows = lines.querySelectorAll(".receipt-line");
    const last = rows[rows.length - 1];
    const index = rows.length;
    const copy = last.cloneNode(true);
    copy.dataset.index = String(index);
    copy.querySelector("legend").textContent = last.querySelector("legend").textContent
      .replace(/\d+$/, String(index + 1));
    copy.querySelectorAll("[name], [id], [for]").forEach((el) => {
      for (const attr of ["name", "id", "for"]) {
        const value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(/^(lines-|l-)\d+/, `$1${index}`));
      }
      if (el.tagName === "INPUT") el.value = "";
    });
    copy.querySelectorAll(".field-error").forEach((el) => el.remove());
    copy.querySelector("[data-unit]").textContent = "";
    copy.querySelector(".picker-results").replaceChildren();
    lines.append(copy);
    wire(copy);
    copy.querySelector("[data-picker]").focus();
  }

  lines.querySelectorAll(".receipt-line").forEach(wire);
  document.getElementById("add-line").addEventListener("click", addRow);
})();
