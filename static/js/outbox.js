// Sales wait here while the server cannot be reached, and are re-sent with backoff. The
// server's idempotency (client_ref) makes a re-send that already landed answer with the same sale.
// A sale the server refuses because the cashier has no open shift (409 no_open_shift) is kept
// too: the customer has paid, so it waits until the shift is opened, and the cashier is told.
"use strict";

const KEY = "ewarung.outbox.v1";
const REFUSED_KEY = "ewarung.outbox.refused.v1";
const MAX_DELAY_MS = 60000;

export class Outbox {
  constructor(url, csrf, onChange) {
    this.url = url;
    this.csrf = csrf;
    this.onChange = onChange;
    this.inFlight = new Set();
    this.timer = null;
    this.blocked = ""; // the server's message while it refuses sales for want of an open shift
  }

  load(key) { try { return JSON.parse(localStorage.getItem(key)) || []; } catch { return []; } }
  save(key, items) { localStorage.setItem(key, JSON.stringify(items)); }
  pending() { return this.load(KEY); }
  notify() { this.onChange(this.pending().length, this.load(REFUSED_KEY), this.blocked); }

  // Keep the sale before the first attempt, so a reload or a crash cannot lose it.
  async send(body) {
    const items = this.pending();
    items.push({ body, attempts: 0, nextAt: 0 });
    this.save(KEY, items);
    const result = await this.attempt(body.client_ref);
    this.notify();
    return result;
  }

  async attempt(ref) {
    if (this.inFlight.has(ref)) return { queued: true };
    const item = this.pending().find((i) => i.body.client_ref === ref);
    if (!item) return { queued: false, ok: false };
    this.inFlight.add(ref);
    try {
      const resp = await fetch(this.url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": this.csrf, Accept: "application/json" },
        body: JSON.stringify(item.body),
      });
      if (resp.status >= 500 || resp.status === 408 || resp.status === 429) throw new Error(`status ${resp.status}`);
      const data = await resp.json().catch(() => null);
      if (resp.status === 409 && data?.error?.code === "no_open_shift") {
        this.blocked = data.error.message;
        this.reschedule(ref);
        return { queued: true, blocked: this.blocked };
      }
      this.blocked = "";
      this.remove(ref);
      return { queued: false, ok: resp.ok, status: resp.status, data };
    } catch {
      this.reschedule(ref);
      return { queued: true };
    } finally {
      this.inFlight.delete(ref);
    }
  }

  remove(ref) { this.save(KEY, this.pending().filter((i) => i.body.client_ref !== ref)); }

  reschedule(ref) {
    const items = this.pending();
    const item = items.find((i) => i.body.client_ref === ref);
    if (!item) return;
    item.attempts += 1;
    item.nextAt = Date.now() + Math.min(1000 * 2 ** item.attempts, MAX_DELAY_MS);
    this.save(KEY, items);
  }

  async flush(force = false) {
    for (const item of this.pending()) {
      if (!force && item.nextAt > Date.now()) continue;
      const result = await this.attempt(item.body.client_ref);
      if (!result.queued && !result.ok && result.data) {
        const refused = this.load(REFUSED_KEY);
        refused.push({ client_ref: item.body.client_ref, message: result.data.error?.message || String(result.status) });
        this.save(REFUSED_KEY, refused);
      }
    }
    this.notify();
  }

  start() {
    this.notify();
    window.addEventListener("online", () => this.flush(true));
    const tick = async () => { await this.flush(); this.timer = setTimeout(tick, 1000); };
    tick();
  }
}
