// The till: product grid and search, barcode scanners, the cart (kept on the tablet, parked
// and recalled), and paying (pay.js); sales made while the Wi-Fi is down wait in the outbox.
"use strict";
import { Cart, totalsOf } from "./cart.js";
import { Outbox } from "./outbox.js";
import { Payment } from "./pay.js";
import { ScannerListener } from "./scanner.js";
import {
  $, CONFIG, CSRF, T, api, ask, fill, isWeighed, lineAmount, qtyText, rupiah, toMilli, toast,
} from "./till-util.js";

// ---------- stock states ----------
// The product search tells what is on hand and how much of it has expired. The till shows
// it and warns at the tap; the server decides (it refuses expired goods without a manager's
// approval, and goods below zero unless the product allows it), and the till shows why.
const milliOf = (decimal) => toMilli(String(decimal ?? 0)) || 0;
const expiredOf = (p) => milliOf(p.expired_on_hand);
/** What may be sold of a product without a manager: on hand and not expired. */
const sellable = (p) => milliOf(p.on_hand) - expiredOf(p);
function stockState(p) {
  if (sellable(p) > 0) return expiredOf(p) > 0 ? "some-expired" : "ok";
  return expiredOf(p) > 0 ? "expired" : "out";
}
function stockLabel(p) {
  const state = stockState(p);
  if (state === "out") return T.out_of_stock;
  if (state === "expired") return fill(T.all_expired, { qty: qtyText(expiredOf(p)) });
  const text = `${T.stock}: ${qtyText(sellable(p))}`;
  return state === "some-expired" ? `${text} · ${fill(T.some_expired, { qty: qtyText(expiredOf(p)) })}` : text;
}

// ---------- catalogue ----------
let group = CONFIG.groups[0][0];
let searchSeq = 0;
async function loadProducts(query) {
  const seq = ++searchSeq;
  const params = new URLSearchParams({ limit: String(CONFIG.grid_size) });
  if (query) params.set("q", query);
  else if (group !== "all") params.set("group", group);
  const { ok, data } = await api("GET", `/api/v1/products?${params}`).catch(() => ({ ok: false }));
  if (seq !== searchSeq) return null; // a newer search answered first
  if (ok) { renderProducts(data); cart.refresh(data); }
  return ok ? data : null;
}

function renderProducts(products) {
  const grid = $("products");
  grid.replaceChildren(...products.map((p) => {
    const tile = document.createElement("button");
    tile.type = "button";
    tile.className = `product-tile stock-${stockState(p)}` + (p.commodity_group === "none" ? "" : " eligible");
    tile.dataset.id = p.id;
    tile.innerHTML = `<span class="name"></span><span class="price"></span><span class="stock"></span>`;
    tile.querySelector(".name").textContent = p.name;
    tile.querySelector(".price").textContent = `${rupiah(p.price)} / ${p.unit}`;
    tile.querySelector(".stock").textContent = stockLabel(p);
    tile.addEventListener("click", () => addProduct(p));
    return tile;
  }));
  if (!products.length) grid.textContent = T.no_products;
}

function setGroup(next) {
  group = next;
  document.querySelectorAll(".group-tab").forEach((b) => b.setAttribute("aria-pressed", b.dataset.group === next));
  $("search").value = "";
  loadProducts("");
}

// ---------- cart ----------
const cart = new Cart(CONFIG.storage_key, () => renderCart());
const refusedIds = new Set(); // products of the lines the server refused at the last payment

/** What to tell the cashier when `milli` of `p` is more than may be sold as it is. */
function stockWarning(p, milli) {
  if (milli <= sellable(p)) return null;
  if (expiredOf(p)) {
    return sellable(p) <= 0 ? fill(T.refuse_expired, { product: p.name })
      : fill(T.refuse_more, { product: p.name, qty: qtyText(sellable(p)), unit: p.unit });
  }
  return sellable(p) > 0 ? fill(T.low_stock, { product: p.name, qty: qtyText(sellable(p)), unit: p.unit })
    : fill(T.refuse_out, { product: p.name });
}

/** The product's newest facts when ours say no: stock may have arrived since the grid loaded. */
async function fresh(p) {
  const { ok, data } = await api("GET", `/api/v1/products?q=${encodeURIComponent(p.sku)}&limit=5`).catch(() => ({ ok: false }));
  const hit = ok && data.find((x) => x.id === p.id);
  if (hit) cart.refresh([hit]);
  return hit || p;
}

async function changeQuantity(p, milli) {
  if (milli > cart.milliOf(p.id) && stockWarning(p, milli)) {
    p = await fresh(p); // stock may have arrived since the grid was loaded
    const warning = stockWarning(p, milli);
    if (warning) toast(warning, "warning");
  }
  if (cart.lines.has(p.id)) cart.setQuantity(p.id, milli);
  else if (milli > 0) cart.add(p, milli);
}

const addProduct = (p) => changeQuantity(p, cart.milliOf(p.id) + 1000);

function renderCart() {
  const list = $("cart");
  list.replaceChildren(...cart.values().map(({ product, milli }) => {
    const li = document.createElement("li");
    li.className = `cart-line stock-${stockState(product)}` + (product.commodity_group === "none" ? " cash-only" : " eligible")
      + (refusedIds.has(String(product.id)) ? " refused" : "");
    li.dataset.id = product.id;
    li.innerHTML = `<span class="name"></span>
      <span class="qty"><button type="button" class="minus">−</button>
      <button type="button" class="qty-button"></button>
      <button type="button" class="plus">+</button></span>
      <span class="amount"></span>`;
    li.querySelector(".name").textContent = product.name;
    li.querySelector(".minus").setAttribute("aria-label", T.less);
    li.querySelector(".plus").setAttribute("aria-label", T.more);
    li.querySelector(".qty-button").textContent = `${qtyText(milli)} ${product.unit}`;
    li.querySelector(".amount").textContent = rupiah(lineAmount(product.price, milli));
    li.querySelector(".minus").addEventListener("click", () => changeQuantity(product, milli - 1000));
    li.querySelector(".plus").addEventListener("click", () => changeQuantity(product, milli + 1000));
    li.querySelector(".qty-button").addEventListener("click", () => openKeypad(product, milli));
    return li;
  }));
  const { total, eligible } = cart.totals();
  $("total").textContent = rupiah(total);
  $("eligible").textContent = rupiah(eligible);
  $("cart-empty").hidden = cart.size > 0;
  for (const id of ["pay-cash", "pay-qris", "pay-transfer", "clear-cart", "park-sale"]) $(id).disabled = !cart.size;
  $("pay-bpnt").disabled = !eligible;
  $("parked-open").hidden = !cart.parked.length;
  $("parked-count").textContent = String(cart.parked.length);
}

/** Mark the lines the server refused (by product, or by a field lines.N...), and show
 * their newest stock. */
function markRefusedLines(err) {
  const details = err.details || {};
  const rows = document.querySelectorAll(".cart-line");
  refusedIds.clear();
  for (const id of [details.product_id, ...(details.lines || []).map((l) => l.product_id)]) if (id) refusedIds.add(String(id));
  for (const field of Object.keys(details.fields || {})) {
    const index = /^lines\.(\d+)/.exec(field)?.[1];
    if (index !== undefined && rows[index]) refusedIds.add(rows[index].dataset.id);
  }
  renderCart();
  document.querySelector(".cart-line.refused")?.scrollIntoView({ block: "nearest" });
  if (refusedIds.size) loadProducts($("search").value.trim());
}

// ---------- keypad: the first key replaces the quantity shown, the next ones add digits ----------
let keypadFor = null, keypadFresh = true;
function openKeypad(product, milli) {
  keypadFor = product;
  keypadFresh = true;
  $("qty-title").textContent = `${product.name} (${product.unit})`;
  $("qty-shown").textContent = qtyText(milli);
  $("qty-shown").classList.add("fresh");
  $("qty-error").hidden = true;
  const comma = document.querySelector("#qty-dialog .key[data-key=',']");
  comma.disabled = !isWeighed(product.unit);
  $("qty-dialog").showModal();
}

function keypadPress(key) {
  const out = $("qty-shown");
  let text = keypadFresh ? "" : out.textContent.replace(/^0$/, "");
  keypadFresh = false;
  out.classList.remove("fresh");
  $("qty-error").hidden = true;
  if (key === "⌫") text = (out.textContent === "0" ? "" : out.textContent).slice(0, -1);
  else if (key === ",") {
    if (!isWeighed(keypadFor.unit)) return keypadRefuse();
    if (!text.includes(",")) text = (text || "0") + ",";
  } else if (!/,\d{3}$/.test(text) && text.length < 9) text += key;
  out.textContent = text || "0";
}

function keypadRefuse() {
  $("qty-error").textContent = fill(T.whole_only, { product: keypadFor.name, unit: keypadFor.unit });
  $("qty-error").hidden = false;
}

function keypadDone(event) {
  event.preventDefault();
  const milli = toMilli($("qty-shown").textContent);
  if (!Number.isFinite(milli)) return;
  if (!isWeighed(keypadFor.unit) && milli % 1000) { keypadRefuse(); return; }
  $("qty-dialog").close();
  changeQuantity(keypadFor, milli);
}

// ---------- parking ----------
const timeOf = (at) => new Date(at).toLocaleTimeString(CONFIG.locale, { hour: "2-digit", minute: "2-digit" });
const defaultName = () => fill(T.customer_n, { n: cart.parked.length + 1 });

function openPark() {
  $("park-name").value = "";
  $("park-name").placeholder = defaultName();
  $("park-dialog").showModal();
  $("park-name").focus();
}

function renderParked() {
  $("parked-list").replaceChildren(...cart.parked.map((sale, i) => {
    const li = document.createElement("li");
    li.innerHTML = `<span class="who"></span><span class="what muted"></span>
      <button type="button" class="btn btn-primary recall"></button>
      <button type="button" class="btn btn-ghost discard"></button>`;
    li.querySelector(".who").textContent = sale.name;
    const { total } = totalsOf(sale.lines);
    li.querySelector(".what").textContent = `${timeOf(sale.at)} · ${fill(T.n_items, { n: sale.lines.length })} · ${rupiah(total)}`;
    li.querySelector(".recall").textContent = T.recall;
    li.querySelector(".discard").textContent = T.discard;
    li.querySelector(".recall").addEventListener("click", () => {
      cart.recall(i, defaultName());
      $("parked-dialog").close();
    });
    li.querySelector(".discard").addEventListener("click", async () => {
      $("parked-dialog").close();
      if (await ask(fill(T.discard_ask, { name: sale.name }), T.discard)) cart.discard(i);
      if (cart.parked.length) openParked();
    });
    return li;
  }));
}

function openParked() { renderParked(); $("parked-dialog").showModal(); }

// ---------- barcodes ----------
async function addByCode(code) {
  const { ok, data } = await api("GET", `/api/v1/products?q=${encodeURIComponent(code)}&limit=1`).catch(() => ({ ok: false }));
  const hit = ok && data.find((p) => p.barcode === code || p.sku.toUpperCase() === code.toUpperCase());
  if (hit) addProduct(hit);
  else toast(`${T.unknown_barcode}: ${code}`);
  return Boolean(hit);
}

// A barcode typed by hand and Enter adds the item, as a scanner's burst does.
async function searchEnter(e) {
  if (e.key !== "Enter") return;
  e.preventDefault();
  const typed = $("search").value.trim();
  if (!/^\S*\d\S*$/.test(typed) || typed.length < 4) return;
  if (await addByCode(typed)) { $("search").value = ""; loadProducts(""); }
}

// ---------- outbox banner ----------
const outbox = new Outbox("/api/v1/sales", CSRF, (count, refused, blocked) => {
  const banner = $("outbox-banner");
  banner.hidden = count === 0 && refused.length === 0;
  banner.textContent = [count ? fill(T.waiting, { n: count }) : "",
    count && blocked ? `${blocked} ${T.no_shift_waiting}` : "",
    ...refused.map((r) => `${T.refused_later}: ${r.message}`)].filter(Boolean).join(" · ");
});
const payment = new Payment(cart, outbox, {
  onRefused: markRefusedLines,
  onSold: () => loadProducts($("search").value.trim()), // the stock on the tiles has changed
});

// ---------- wiring ----------
function wire() {
  document.querySelectorAll(".group-tab").forEach((b) => b.addEventListener("click", () => setGroup(b.dataset.group)));
  let timer = null;
  $("search").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => loadProducts($("search").value.trim()), 150);
  });
  $("search").addEventListener("keydown", searchEnter);
  for (const kind of ["cash", "bpnt", "qris", "transfer"]) {
    $(`pay-${kind}`).addEventListener("click", () => { refusedIds.clear(); renderCart(); payment.open(kind); });
  }
  payment.wire();
  $("clear-cart").addEventListener("click", async () => {
    if (await ask(fill(T.clear_ask, { n: cart.size }), T.clear)) cart.clear();
  });
  $("park-sale").addEventListener("click", openPark);
  $("park-form").addEventListener("submit", () => cart.park($("park-name").value.trim() || defaultName()));
  $("parked-open").addEventListener("click", openParked);
  $("park-cancel").addEventListener("click", () => $("park-dialog").close());
  $("parked-close").addEventListener("click", () => $("parked-dialog").close());
  document.querySelectorAll("#qty-dialog .key").forEach((k) => k.addEventListener("click", () => keypadPress(k.dataset.key)));
  $("qty-dialog").addEventListener("keydown", (e) => {
    const key = e.key === "Backspace" ? "⌫" : e.key === "." ? "," : e.key;
    if (/^[0-9,⌫]$/.test(key)) { e.preventDefault(); keypadPress(key); }
    if (key === "Enter") { e.preventDefault(); $("qty-form").requestSubmit(); } // not a click on the focused key
  });
  $("qty-form").addEventListener("submit", keypadDone);
  $("qty-cancel").addEventListener("click", () => $("qty-dialog").close());
  new ScannerListener(addByCode, { passThrough: [$("card")] }).attach(document);
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    $("camera-scan").hidden = false;
    $("camera-scan").addEventListener("click", async () => {
      const { scanWithCamera } = await import("./camera.js");
      scanWithCamera($("camera-dialog"), $("camera-video"), addByCode)
        .catch(() => { $("camera-dialog").close(); toast(T.camera_failed); });
    });
    $("camera-cancel").addEventListener("click", () => $("camera-dialog").close());
  }
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(CONFIG.service_worker).catch(() => {});
}

// A sale handed to the outbox just before a reload is on its way: its cart is done.
if (cart.sending) {
  if (outbox.pending().some((i) => i.body.client_ref === cart.sending)) cart.clear();
  else { cart.sending = null; cart.save(); }
}
wire();
renderCart();
renderProducts(CONFIG.products);
cart.refresh(CONFIG.products);
outbox.start();
document.body.dataset.ready = "1";
