// The cart and the parked sales, kept in the tablet's storage under the signed-in cashier
// and the outlet, so a reload, a language switch or another page never loses a sale in
// progress. Only products and quantities are kept: never a card number.
"use strict";

import { lineAmount } from "./till-util.js";

const PRODUCT_FIELDS = ["id", "sku", "barcode", "name", "unit", "price", "commodity_group",
  "on_hand", "expired_on_hand", "allow_negative"];
const MAX_PARKED = 20;

const snapshot = (p) => Object.fromEntries(PRODUCT_FIELDS.map((k) => [k, p[k]]));

export function totalsOf(lines) {
  let total = 0, eligible = 0;
  for (const { product, milli } of lines) {
    const amount = lineAmount(product.price, milli);
    total += amount;
    if (product.commodity_group !== "none") eligible += amount;
  }
  return { total, eligible };
}

export class Cart {
  constructor(key, onChange) {
    this.key = key;
    this.onChange = onChange;
    this.lines = new Map();
    this.parked = [];
    this.sending = null; // the client_ref of a sale handed to the outbox, until it is settled
    this.load();
  }

  load() {
    let kept = null;
    try { kept = JSON.parse(localStorage.getItem(this.key)); } catch { kept = null; }
    if (!kept) return;
    this.lines = new Map((kept.lines || []).map((l) => [l.product.id, l]));
    this.parked = kept.parked || [];
    this.sending = kept.sending || null;
  }

  save() {
    const kept = { lines: [...this.lines.values()], parked: this.parked, sending: this.sending };
    try { localStorage.setItem(this.key, JSON.stringify(kept)); } catch { /* storage full: the cart stays in memory */ }
    this.onChange();
  }

  get size() { return this.lines.size; }
  values() { return [...this.lines.values()]; }
  totals() { return totalsOf(this.lines.values()); }
  milliOf(id) { return this.lines.get(id)?.milli || 0; }

  add(product, milli = 1000) {
    const line = this.lines.get(product.id);
    if (line) { line.milli += milli; line.product = snapshot(product); }
    else this.lines.set(product.id, { product: snapshot(product), milli });
    this.save();
  }

  setQuantity(id, milli) {
    if (!(milli > 0)) this.lines.delete(id);
    else this.lines.get(id).milli = milli;
    this.save();
  }

  /** Newer facts about products in the cart (price, stock), keeping the quantities. */
  refresh(products) {
    let changed = false;
    for (const p of products) {
      const line = this.lines.get(p.id);
      if (!line) continue;
      const now = snapshot(p);
      changed ||= JSON.stringify(now) !== JSON.stringify(line.product);
      line.product = now;
    }
    if (changed) this.save();
  }

  clear() { this.lines.clear(); this.sending = null; this.save(); }

  park(name) {
    if (!this.lines.size) return;
    this.parked.push({ name, at: Date.now(), lines: this.values() });
    this.parked = this.parked.slice(-MAX_PARKED);
    this.lines.clear();
    this.save();
  }

  /** Bring a parked sale back; what is in the cart now is parked under `nameForCurrent`. */
  recall(index, nameForCurrent) {
    const [sale] = this.parked.splice(index, 1);
    if (!sale) return;
    if (this.lines.size) this.parked.push({ name: nameForCurrent, at: Date.now(), lines: this.values() });
    this.lines = new Map(sale.lines.map((l) => [l.product.id, l]));
    this.save();
  }

  discard(index) { this.parked.splice(index, 1); this.save(); }
}
