// Paying: cash with the change (or what is still missing), BPNT on the card that is on the
// screen, QRIS and transfer; then the receipt. A sale made while the Wi-Fi is down waits in
// the outbox, and its change is worked out from what was in the cart.
"use strict";

import {
  $, T, amountOf, api, fill, groupDigits, lineAmount, milliText, quickCash, rupiah, showAmount,
} from "./till-util.js";

const FIELD_OF_ERROR = {
  card_not_registered: "card-error", invalid_card_number: "card-error",
  card_token_invalid: "card-error", card_token_expired: "card-error", card_token_mismatch: "card-error",
  bpnt_balance_exceeded: "bpnt-error", not_eligible_for_bpnt: "bpnt-error",
};

export class Payment {
  constructor(cart, outbox, { onRefused, onSold }) {
    this.cart = cart;
    this.outbox = outbox;
    this.onRefused = onRefused;
    this.onSold = onSold;
    this.kind = null;
    // The look-up of the card now in the card field, and only that card. The sale pays with
    // its signed card_token and shows its masked number: the full number is never kept.
    this.kpm = null;
    this.lookupSeq = 0;
    this.busy = false;
  }

  wire() {
    $("pay-cancel").addEventListener("click", () => $("pay-dialog").close());
    $("pay-form").addEventListener("submit", (e) => { e.preventDefault(); this.submit(); });
    $("card-lookup").addEventListener("click", () => this.lookUp());
    $("card").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); this.lookUp(); } });
    $("card").addEventListener("input", () => this.forgetCard());
    for (const id of ["cash-given", "bpnt-amount"]) {
      $(id).addEventListener("input", () => { groupDigits($(id)); this.updateDue(); });
    }
    $("quick").addEventListener("click", (e) => {
      const b = e.target.closest("[data-cash]");
      if (!b) return;
      showAmount($("cash-given"), b.dataset.cash === "exact" ? this.updateDue() : Number(b.dataset.cash));
      this.updateDue();
    });
    $("new-sale").addEventListener("click", () => { $("done-dialog").close(); $("search").focus(); });
  }

  open(kind) {
    this.kind = kind;
    this.forgetCard();
    $("pay-title").textContent = { cash: T.pay_cash, bpnt: T.pay_bpnt, qris: "QRIS", transfer: T.pay_transfer }[kind];
    $("bpnt-part").hidden = kind !== "bpnt";
    $("ref-part").hidden = !(kind === "qris" || kind === "transfer");
    $("cash-part").hidden = kind === "qris" || kind === "transfer";
    for (const id of ["card", "edc-ref", "reference", "cash-given", "bpnt-amount"]) $(id).value = "";
    this.clearErrors();
    this.renderBpntLines();
    this.updateDue();
    $("pay-dialog").showModal();
    (kind === "bpnt" ? $("card") : kind === "cash" ? $("cash-given") : $("reference")).focus();
  }

  clearErrors() {
    for (const id of ["card-error", "bpnt-error", "edc-error", "pay-error"]) { $(id).hidden = true; $(id).textContent = ""; }
  }

  showError(id, message) { $(id).textContent = message; $(id).hidden = false; }

  renderBpntLines() {
    $("bpnt-lines").replaceChildren(...this.cart.values().map(({ product, milli }) => {
      const li = document.createElement("li");
      const ok = product.commodity_group !== "none";
      li.className = ok ? "eligible" : "cash-only";
      li.textContent = `${product.name}: ${rupiah(lineAmount(product.price, milli))} · ${ok ? T.paid_by_bpnt : T.needs_cash}`;
      return li;
    }));
  }

  bpntAmount() {
    if (this.kind !== "bpnt") return 0;
    const typed = amountOf($("bpnt-amount").value);
    return Number.isFinite(typed) ? typed : 0;
  }

  /** What is left to pay in cash; shows the change, or how much is missing. */
  updateDue() {
    const due = Math.max(this.cart.totals().total - this.bpntAmount(), 0);
    $("cash-due").textContent = rupiah(due);
    const given = amountOf($("cash-given").value);
    const short = Number.isFinite(given) && given < due;
    $("change-label").textContent = short ? T.short : T.change;
    $("change-row").classList.toggle("short", short);
    $("change").textContent = rupiah(Number.isFinite(given) ? Math.abs(given - due) : 0);
    this.renderQuick(due);
    return due;
  }

  renderQuick(due) {
    const amounts = quickCash(due);
    const box = $("quick");
    if (box.dataset.for === String(due)) return;
    box.dataset.for = String(due);
    box.replaceChildren(...amounts.map((n, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "btn";
      b.dataset.cash = i === 0 ? "exact" : String(n);
      b.textContent = i === 0 ? T.exact : rupiah(n);
      return b;
    }));
  }

  // ---------- the card ----------
  forgetCard() {
    this.kpm = null;
    this.lookupSeq += 1; // an answer still on its way is for a card no longer on the screen
    $("kpm").hidden = true;
    $("card-error").hidden = true;
    if (this.kind === "bpnt") { $("bpnt-amount").value = ""; this.updateDue(); }
  }

  async lookUp() {
    this.clearErrors();
    const raw = $("card").value.trim();
    if (!raw) { this.showError("card-error", T.card_empty); $("card").focus(); return false; }
    const seq = ++this.lookupSeq;
    // POST: the number stays out of URLs, logs and the browser's history
    const { ok, data } = await api("POST", "/api/v1/beneficiaries/lookup", { card: raw })
      .catch(() => ({ ok: false, data: null }));
    if (seq !== this.lookupSeq) return false;
    if (!ok) { this.showError("card-error", data?.error?.message || T.network_error); return false; }
    this.kpm = data;
    $("card").value = data.masked_card; // never keep the full number on screen
    $("kpm-name").textContent = data.name;
    $("kpm-village").textContent = data.village;
    $("kpm-card").textContent = data.masked_card;
    // A shop that leaves the balance to the bank's EDC has none to show (remaining null).
    const remaining = data.entitlement?.remaining ?? null;
    $("kpm-remaining").textContent = remaining === null ? "" : rupiah(remaining);
    $("kpm-period").textContent = data.entitlement?.period || "";
    $("kpm").hidden = false;
    const payable = this.cart.totals().eligible;
    showAmount($("bpnt-amount"), remaining === null ? payable : Math.min(payable, Math.max(remaining, 0)));
    if (data.notice?.message) this.showError("bpnt-error", data.notice.message);
    else if (remaining !== null && remaining <= 0) this.showError("bpnt-error", this.zeroBalance());
    this.updateDue();
    $("edc-ref").focus();
    return true;
  }

  zeroBalance() { return fill(T.zero_balance, { period: this.kpm.entitlement?.period || "" }); }

  // ---------- the sale ----------
  body() {
    const lines = this.cart.values().map(({ product, milli }) => ({ product_id: product.id, quantity: milliText(milli) }));
    const tenders = [];
    const due = this.updateDue();
    if (this.kind === "bpnt") {
      const { card_token, masked_card, id } = this.kpm;
      tenders.push({ kind: "bpnt", card_token, masked_card, beneficiary_id: id, edc_ref: $("edc-ref").value.trim(), amount: this.bpntAmount() });
    }
    if (this.kind === "qris" || this.kind === "transfer") {
      tenders.push({ kind: this.kind, reference: $("reference").value.trim() });
    } else if (due > 0 || this.kind === "cash") {
      const given = amountOf($("cash-given").value);
      tenders.push({ kind: "cash", amount: Number.isFinite(given) ? given : due });
    }
    return { client_ref: newClientRef(), lines, tenders };
  }

  /** Whether the sale may be sent; says why not next to the field to fix. */
  ready() {
    if (this.kind === "bpnt") {
      if (!$("card").value.trim()) { this.showError("card-error", T.card_empty); return false; }
      if (this.bpntAmount() <= 0) {
        const remaining = this.kpm.entitlement?.remaining ?? null;
        this.showError("bpnt-error", this.kpm.notice?.message
          || (remaining !== null && remaining <= 0 ? this.zeroBalance() : T.bpnt_amount_empty));
        return false;
      }
      if (!$("edc-ref").value.trim()) { this.showError("edc-error", T.edc_empty); $("edc-ref").focus(); return false; }
    }
    const given = amountOf($("cash-given").value);
    const due = this.updateDue();
    if (!$("cash-part").hidden && Number.isFinite(given) && given < due) {
      this.showError("pay-error", fill(T.cash_short, { amount: rupiah(due - given) }));
      return false;
    }
    return true;
  }

  async submit() {
    if (this.busy) return; // a second tap while the first is on its way
    this.clearErrors();
    // The card on the screen is charged, and only after its holder's name has been shown.
    if (this.kind === "bpnt" && !this.kpm) { await this.lookUp(); return; }
    if (!this.ready()) return;
    const body = this.body();
    const change = changeOf(body, this.cart.totals().total);
    this.busy = true;
    $("pay-submit").disabled = true;
    try {
      this.cart.sending = body.client_ref;
      this.cart.save();
      const result = await this.outbox.send(body);
      if (result.queued) { this.finish(null, change, result.blocked); return; }
      if (result.ok) { this.finish(result.data, result.data.change); return; }
      this.cart.sending = null;
      this.cart.save();
      const err = result.data?.error || {};
      this.showError(FIELD_OF_ERROR[err.code] || "pay-error", err.message || T.network_error);
      this.onRefused(err);
    } finally {
      this.busy = false;
      $("pay-submit").disabled = false;
    }
  }

  finish(sale, change, blocked = "") {
    $("pay-dialog").close();
    this.cart.clear();
    this.forgetCard();
    $("done-number").textContent = sale ? sale.number : "";
    $("done-change").textContent = rupiah(change);
    $("print-retry").hidden = true;
    $("receipt-preview").replaceChildren();
    if (sale) { renderReceipt(sale); watchPrint(sale); } else $("print-status").textContent = blocked ? `${blocked} ${T.no_shift_waiting}` : T.saved_offline;
    $("done-dialog").showModal();
    $("new-sale").focus();
    this.onSold();
  }
}

/** The change of a sale as it was sent: cash handed over less what cash had to pay. */
export function changeOf(body, total) {
  const cash = body.tenders.find((t) => t.kind === "cash");
  if (!cash) return 0;
  const others = body.tenders.filter((t) => t.kind !== "cash").reduce((sum, t) => sum + (t.amount || 0), 0);
  return Math.max(cash.amount - Math.max(total - others, 0), 0);
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

// The receipt as the paper shows it (server-rendered, same lines as the printer); the plain
// summary below stays when the preview cannot be fetched.
async function renderReceipt(sale) {
  const pre = document.createElement("pre");
  pre.textContent = [sale.number,
    ...sale.lines.map((l) => `${l.name}\n  ${String(l.quantity).replace(".", ",")} x ${rupiah(l.unit_price)}  ${rupiah(l.amount)}`),
    `${T.total}: ${rupiah(sale.total)}`,
    ...sale.tenders.map((t) => `${t.kind.toUpperCase()}: ${rupiah(t.amount)}`),
    `${T.change}: ${rupiah(sale.change)}`].join("\n");
  $("receipt-preview").replaceChildren(pre);
  const resp = await fetch(`/sales/${sale.id}/receipt`, { credentials: "same-origin" }).catch(() => null);
  if (resp && resp.ok) $("receipt-preview").innerHTML = await resp.text();
}

// The printer's state in words for the cashier; what went wrong in detail is for the admin.
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
    else status.textContent = T.printer_problem;
  };
}
