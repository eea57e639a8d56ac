// What the till's modules share: its configuration and strings, calls to the server, money
// and quantities as the cashier reads and types them (Rp12.500, 1,5 kg), toasts and questions.
"use strict";

export { groupDigits, showAmount } from "./amounts.js";

export const CONFIG = JSON.parse(document.getElementById("till-config").textContent);
export const T = CONFIG.text;
export const $ = (id) => document.getElementById(id);
const csrf = document.querySelector('meta[name="csrf-token"]').content;
export const CSRF = csrf;

export async function api(method, path, body) {
  const resp = await fetch(path, {
    method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = resp.status === 204 ? null : await resp.json().catch(() => null);
  return { status: resp.status, ok: resp.ok, data };
}

export const rupiah = (n) => (n < 0 ? "-Rp" : "Rp") + Math.abs(n).toLocaleString("id-ID");
/** Digits typed into an amount field ("50.000" → 50000); NaN when there are none. */
export const amountOf = (text) => parseInt(String(text).replace(/\D/g, ""), 10);
/** A message's %(name)s filled in. */
export const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => values[k]);

// Quantities are kept as integer thousandths, so 1,5 kg × Rp13.333 rounds like the server.
export const toMilli = (text) => {
  const m = String(text).trim().replace(",", ".").match(/^(-?\d+)(?:\.(\d{0,3}))?$/);
  if (!m) return NaN;
  const frac = Number((m[2] || "").padEnd(3, "0"));
  return m[1].startsWith("-") ? Number(m[1]) * 1000 - frac : Number(m[1]) * 1000 + frac;
};
/** The API's form of a quantity: "1.5", "2". */
export const milliText = (milli) => {
  const sign = milli < 0 ? "-" : "", abs = Math.abs(milli);
  const whole = Math.floor(abs / 1000), frac = abs % 1000;
  return sign + (frac ? `${whole}.${String(frac).padStart(3, "0").replace(/0+$/, "")}` : String(whole));
};
/** A quantity as the cashier reads it: "1,5", "11" (never "11,000"). */
export const qtyText = (milli) => milliText(milli).replace(".", ",");
export const lineAmount = (price, milli) => Math.floor((price * milli + 500) / 1000);
export const isWeighed = (unit) => CONFIG.fractional_units.includes(unit);

/** Notes a customer may hand over for `due`: the exact amount, then the next round sums. */
export function quickCash(due) {
  const out = [due];
  for (const step of [5000, 10000, 50000, 100000]) {
    const next = Math.ceil(due / step) * step;
    if (next > due && !out.includes(next)) out.push(next);
  }
  return out;
}

export function toast(text, kind = "error") {
  const note = document.createElement("p");
  note.className = `toast ${kind}`;
  note.setAttribute("role", "alert");
  note.textContent = text;
  document.body.append(note);
  setTimeout(() => note.remove(), 4000);
}

/** Ask a yes/no question in the till's own dialog; resolves true on "yes". */
export function ask(question, yes) {
  const dialog = $("confirm-dialog");
  $("confirm-text").textContent = question;
  $("confirm-ok").textContent = yes;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
    $("confirm-cancel").focus();
  });
}
