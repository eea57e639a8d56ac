// The till: product grid and search, barcode scanners, cart, cash / BPNT / QRIS payment,
// and an outbox that keeps sales made while the Wi-Fi is down until the server has them.
"use strict";
import { Outbox } from "./outbox.js";
import { ScannerListener } from "./scanner.js";

const CONFIG = JSON.parse(document.getElementById("till-config").textContent);
const T = CONFIG.text;
const $ = (id) => document.getElementById(id);
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const rupiah = (n) => (n < 0 ? "-Rp" : "Rp") + Math.abs(n).toLocaleString("id-ID");

// Quantities are kept as integer thousandths, so 1,5 kg × Rp13.333 rounds like the server.
const toMilli = (text) => {
  const m = String(text).trim().replace(",", ".").match(/^(\d+)(?:\.(\d{0,3}))?$/);
  return m ? Number(m[1]) * 1000 + Number((m[2] || "").padEnd(3, "0")) : NaN;
};
const milliText = (milli) => {
  const whole = Math.floor(milli / 1000), frac = milli % 1000;
  return frac ? `${whole}.${String(frac).padStart(3, "0").replace(/0+$/, "")}` : String(whole);
};
const lineAmount = (price, milli) => Math.floor((price * milli + 500) / 1000);

async function api(method, path, body) {
  const resp = await fetch(path, {
    method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = resp.status === 204 ? null : await resp.json().catch(() => null);
  return { status: resp.status, ok: resp.ok, data };
}

const state = { cart: new Map(), group: CONFIG.groups[0][0], payKind: null, kpm: null };

// ---------- catalogue ----------
let searchSeq = 0;
async function loadProducts(query) {
  const seq = ++searchSeq;
  const params = new URLSearchParams({ limit: String(CONFIG.grid_size) });
  if (query) params.set("q", query);
  else if (state.group !== "all") params.set("group", state.group);
  const { ok, data } = await api("GET", `/api/v1/products?${params}`).catch(() => ({ ok: false }));
  if (seq !== searchSeq) return; // a newer search answered first
  renderProducts(ok ? data : []);
}

function renderProducts(products) {
  const grid = $("products");
  grid.replaceChildren(...products.map((p) => {
    const tile = document.createElement("button");
    tile.type = "button";
    tile.className = "product-tile" + (p.commodity_group === "none" ? "" : " eligible");
    tile.dataset.id = p.id;
    tile.innerHTML = `<span class="name"></span><span class="price"></span><span class="stock"></span>`;
    tile.querySelector(".name").textContent = p.name;
    tile.querySelector(".price").textContent = `${rupiah(p.price)} / ${p.unit}`;
    tile.querySelector(".stock").textContent = `${T.stock}: ${String(p.on_hand).replace(".", ",")}`;
    tile.addEventListener("click", () => addProduct(p));
    return tile;
  }));
  if (!products.length) grid.textContent = T.no_products;
}

function setGroup(group) {
  state.group = group;
  document.querySelectorAll(".group-tab").forEach((b) => b.setAttribute("aria-pressed", b.dataset.group === group));
  $("search").value = "";
  loadProducts("");
}

// ---------- cart ----------
function addProduct(p, milli = 1000) {
  const line = state.cart.get(p.id);
  if (line) line.milli += milli;
  else state.cart.set(p.id, { product: p, milli });
  renderCart();
}

function setQuantity(id, milli) {
  if (!(milli > 0)) state.cart.delete(id);
  else state.cart.get(id).milli = milli;
  renderCart();
}

function totals() {
  let total = 0, eligible = 0;
  for (const { product, milli } of state.cart.values()) {
    const amount = lineAmount(product.price, milli);
    total += amount;
    if (product.commodity_group !== "none") eligible += amount;
  }
  return { total, eligible };
}

function renderCart() {
  const list = $("cart");
  list.replaceChildren(...[...state.cart.values()].map(({ product, milli }) => {
    const li = document.createElement("li");
    li.className = "cart-line" + (product.commodity_group === "none" ? " cash-only" : " eligible");
    li.dataset.id = product.id;
    li.innerHTML = `<span class="name"></span>
      <span class="qty"><button type="button" class="minus" aria-label="-">−</button>
      <button type="button" class="qty-value"></button>
      <button type="button" class="plus" aria-label="+">+</button></span>
      <span class="amount"></span>`;
    li.querySelector(".name").textContent = product.name;
    li.querySelector(".qty-value").textContent = `${milliText(milli).replace(".", ",")} ${product.unit}`;
    li.querySelector(".amount").textContent = rupiah(lineAmount(product.price, milli));
    const step = 1000;
    li.querySelector(".minus").addEventListener("click", () => setQuantity(product.id, milli - step));
    li.querySelector(".plus").addEventListener("click", () => setQuantity(product.id, milli + step));
    li.querySelector(".qty-value").addEventListener("click", () => openKeypad(product, milli));
    return li;
  }));
  const { total, eligible } = totals();
  $("total").textContent = rupiah(total);
  $("eligible").textContent = rupiah(eligible);
  $("cart-empty").hidden = state.cart.size > 0;
  for (const id of ["pay-cash", "pay-qris", "pay-transfer", "clear-cart"]) $(id).disabled = !state.cart.size;
  $("pay-bpnt").disabled = !eligible;
}

// ---------- decimal keypad for weighed goods ----------
let keypadFor = null;
function openKeypad(product, milli) {
  keypadFor = product;
  $("qty-title").textContent = `${product.name} (${product.unit})`;
  $("qty-value").textContent = milliText(milli).replace(".", ",");
  $("qty-dialog").showModal();
}
function keypadPress(key) {
  const out = $("qty-value");
  let text = out.textContent === "0" ? "" : out.textContent;
  if (key === "⌫") text = text.slice(0, -1);
  else if (key === ",") { if (!text.includes(",")) text = (text || "0") + ","; }
  else if (!/,\d{3}$/.test(text)) text += key;
  out.textContent = text || "0";
}

// ---------- payment ----------
function openPay(kind) {
  state.payKind = kind;
  state.kpm = null;
  $("pay-title").textContent = { cash: T.pay_cash, bpnt: T.pay_bpnt, qris: "QRIS", transfer: T.pay_transfer }[kind];
  $("bpnt-part").hidden = kind !== "bpnt";
  $("ref-part").hidden = !(kind === "qris" || kind === "transfer");
  $("cash-part").hidden = kind === "qris" || kind === "transfer";
  for (const id of ["card", "edc-ref", "reference", "cash-given", "bpnt-amount"]) $(id).value = "";
  $("kpm").hidden = true;
  clearErrors();
  renderBpntLines();
  updateDue();
  $("pay-dialog").showModal();
  (kind === "bpnt" ? $("card") : kind === "cash" ? $("cash-given") : $("reference")).focus();
}

function clearErrors() {
  for (const id of ["card-error", "bpnt-error", "pay-error"]) { $(id).hidden = true; $(id).textContent = ""; }
}
function showError(id, message) { $(id).textContent = message; $(id).hidden = false; }

function renderBpntLines() {
  $("bpnt-lines").replaceChildren(...[...state.cart.values()].map(({ product, milli }) => {
    const li = document.createElement("li");
    const ok = product.commodity_group !== "none";
    li.className = ok ? "eligible" : "cash-only";
    li.textContent = `${product.name}: ${rupiah(lineAmount(product.price, milli))} · ${ok ? T.paid_by_bpnt : T.needs_cash}`;
    return li;
  }));
}

function bpntAmount() {
  if (state.payKind !== "bpnt") return 0;
  const typed = parseInt($("bpnt-amount").value.replace(/\D/g, ""), 10);
  return Number.isFinite(typed) ? typed : 0;
}

function updateDue() {
  const { total } = totals();
  const due = Math.max(total - bpntAmount(), 0);
  $("cash-due").textContent = rupiah(due);
  const given = parseInt($("cash-given").value.replace(/\D/g, ""), 10);
  $("change").textContent = rupiah(Number.isFinite(given) ? Math.max(given - due, 0) : 0);
  return due;
}

async function lookupCard() {
  clearErrors();
  const raw = $("card").value.trim();
  if (!raw) return;
  const { ok, data } = await api("GET", `/api/v1/beneficiaries/lookup?card=${encodeURIComponent(raw)}`)
    .catch(() => ({ ok: false, data: null }));
  if (!ok) { showError("card-error", data?.error?.message || T.network_error); return; }
  state.kpm = data;
  $("card").value = data.masked_card; // never keep the full number on screen
  $("kpm-name").textContent = data.name;
  $("kpm-village").textContent = data.village;
  $("kpm-card").textContent = data.masked_card;
  $("kpm-remaining").textContent = rupiah(data.entitlement.remaining);
  $("kpm-period").textContent = data.entitlement.period;
  $("kpm").hidden = false;
  $("bpnt-amount").value = String(Math.min(totals().eligible, Math.max(data.entitlement.remaining, 0)));
  state.cardText = raw;
  updateDue();
  $("edc-ref").focus();
}

function saleBody() {
  const lines = [...state.cart.values()].map(({ product, milli }) => ({ product_id: product.id, quantity: milliText(milli) }));
  const tenders = [];
  const due = updateDue();
  if (state.payKind === "bpnt") {
    tenders.push({ kind: "bpnt", card: state.cardText || $("card").value.trim(), edc_ref: $("edc-ref").value.trim(), amount: bpntAmount() });
  }
  if (state.payKind === "qris" || state.payKind === "transfer") {
    tenders.push({ kind: state.payKind, reference: $("reference").value.trim() });
  } else if (due > 0 || state.payKind === "cash") {
    const given = parseInt($("cash-given").value.replace(/\D/g, ""), 10);
    tenders.push({ kind: "cash", amount: Number.isFinite(given) ? given : due });
  }
  return { client_ref: newClientRef(), lines, tenders };
}

// A random UUID for the sale. crypto.randomUUID exists only in a secure context, and the
// tablet reaches the shop computer over plain HTTP on the shop's network; getRandomValues
// is there in every context.
function newClientRef() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const FIELD_OF_ERROR = {
  card_not_registered: "card-error", invalid_card_number: "card-error",
  bpnt_balance_exceeded: "bpnt-error", not_eligible_for_bpnt: "bpnt-error",
};

async function submitSale(event) {
  event.preventDefault();
  clearErrors();
  if (state.payKind === "bpnt" && !state.kpm) { await lookupCard(); if (!state.kpm) return; }
  const body = saleBody();
  $("pay-submit").disabled = true;
  try {
    const result = await outbox.send(body);
    if (result.queued) { finishOffline(body); return; }
    if (result.ok) { finishSale(result.data); return; }
    const err = result.data?.error || {};
    showError(FIELD_OF_ERROR[err.code] || "pay-error", err.message || T.network_error);
  } finally {
    $("pay-submit").disabled = false;
  }
}

function finishOffline() {
  $("pay-dialog").close();
  state.cart.clear();
  renderCart();
  $("done-number").textContent = "";
  $("done-change").textContent = rupiah(Math.max(parseInt($("cash-given").value.replace(/\D/g, ""), 10) - updateDue(), 0) || 0);
  $("print-status").textContent = T.saved_offline;
  $("print-retry").hidden = true;
  $("receipt-preview").replaceChildren();
  $("done-dialog").showModal();
}

function finishSale(sale) {
  $("pay-dialog").close();
  state.cart.clear();
  renderCart();
  $("done-number").textContent = sale.number;
  $("done-change").textContent = rupiah(sale.change);
  renderReceipt(sale);
  watchPrint(sale);
  $("done-dialog").showModal();
  $("new-sale").focus();
}

// The receipt as the paper shows it (server-rendered, same lines as the printer); the plain
// summary below stays when the preview cannot be fetched.
async function renderReceipt(sale) {
  renderSummary(sale);
  const resp = await fetch(`/sales/${sale.id}/receipt`, { credentials: "same-origin" }).catch(() => null);
  if (resp && resp.ok) $("receipt-preview").innerHTML = await resp.text();
}

function renderSummary(sale) {
  const pre = document.createElement("pre");
  const rows = [sale.number, ...sale.lines.map((l) => `${l.name}\n  ${String(l.quantity).replace(".", ",")} x ${rupiah(l.unit_price)}  ${rupiah(l.amount)}`),
    `${T.total}: ${rupiah(sale.total)}`,
    ...sale.tenders.map((t) => `${t.kind.toUpperCase()}: ${rupiah(t.amount)}`),
    `${T.change}: ${rupiah(sale.change)}`];
  pre.textContent = rows.join("\n");
  $("receipt-preview").replaceChildren(pre);
}

async function watchPrint(sale) {
  const status = $("print-status");
  const job = sale.receipt?.print_job;
  $("print-retry").hidden = true;
  if (!job) { status.textContent = T.printer_off; return; }
  status.textContent = T.printing;
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const { ok, data } = await api("GET", `/api/v1/printer/jobs/${job.id ?? job}`).catch(() => ({ ok: false }));
    if (!ok) continue;
    if (data.state === "done") { status.textContent = T.printed; return; }
    if (data.state === "failed" || data.last_error) break;
  }
  status.textContent = T.printer_problem;
  $("print-retry").hidden = false;
  $("print-retry").onclick = async () => {
    const { ok, data } = await api("POST", `/api/v1/sales/${sale.id}/print`).catch(() => ({ ok: false }));
    if (ok) watchPrint({ ...sale, receipt: { print_job: data } });
  };
}

// ---------- outbox banner ----------
const outbox = new Outbox("/api/v1/sales", csrf, (count, refused) => {
  const banner = $("outbox-banner");
  banner.hidden = count === 0 && refused.length === 0;
  banner.textContent = [count ? T.waiting.replace("%(n)s", count) : "",
    ...refused.map((r) => `${T.refused_later}: ${r.message}`)].filter(Boolean).join(" · ");
});

// ---------- wiring ----------
function wire() {
  document.querySelectorAll(".group-tab").forEach((b) => b.addEventListener("click", () => setGroup(b.dataset.group)));
  let timer = null;
  $("search").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => loadProducts($("search").value.trim()), 150);
  });
  $("pay-cash").addEventListener("click", () => openPay("cash"));
  $("pay-bpnt").addEventListener("click", () => openPay("bpnt"));
  $("pay-qris").addEventListener("click", () => openPay("qris"));
  $("pay-transfer").addEventListener("click", () => openPay("transfer"));
  $("clear-cart").addEventListener("click", () => { state.cart.clear(); renderCart(); });
  $("pay-cancel").addEventListener("click", () => $("pay-dialog").close());
  $("pay-form").addEventListener("submit", submitSale);
  $("card-lookup").addEventListener("click", lookupCard);
  $("card").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); lookupCard(); } });
  for (const id of ["cash-given", "bpnt-amount"]) $(id).addEventListener("input", updateDue);
  document.querySelectorAll("[data-cash]").forEach((b) => b.addEventListener("click", () => {
    const due = updateDue();
    $("cash-given").value = b.dataset.cash === "exact" ? String(due) : b.dataset.cash;
    updateDue();
  }));
  document.querySelectorAll("#qty-dialog .key").forEach((k) => k.addEventListener("click", () => keypadPress(k.dataset.key)));
  $("qty-cancel").addEventListener("click", () => $("qty-dialog").close());
  $("qty-form").addEventListener("submit", () => {
    const milli = toMilli($("qty-value").textContent);
    if (keypadFor && Number.isFinite(milli)) setQuantity(keypadFor.id, milli);
  });
  $("new-sale").addEventListener("click", () => { $("done-dialog").close(); $("search").focus(); });
  new ScannerListener(addByCode, { passThrough: [$("card")] }).attach(document);
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    $("camera-scan").hidden = false;
    $("camera-scan").addEventListener("click", async () => {
      const { scanWithCamera } = await import("./camera.js");
      scanWithCamera($("camera-dialog"), $("camera-video"), addByCode)
        .catch(() => { $("camera-dialog").close(); showToast(T.camera_failed); });
    });
    $("camera-cancel").addEventListener("click", () => $("camera-dialog").close());
  }
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(CONFIG.service_worker).catch(() => {});
}

async function addByCode(code) {
  const { ok, data } = await api("GET", `/api/v1/products?q=${encodeURIComponent(code)}&limit=1`).catch(() => ({ ok: false }));
  const hit = ok && data.find((p) => p.barcode === code || p.sku === code);
  if (hit) addProduct(hit);
  else showToast(`${T.unknown_barcode}: ${code}`);
}

function showToast(text) {
  const toast = document.createElement("p");
  toast.className = "toast error";
  toast.setAttribute("role", "alert");
  toast.textContent = text;
  document.body.append(toast);
  setTimeout(() => toast.remove(), 4000);
}

wire();
renderCart();
renderProducts(CONFIG.products);
outbox.start();
document.body.dataset.ready = "1";
