// Keyboard-wedge barcode scanners type a fast burst of keys ending in Enter. Tell such a
// burst from a person typing, undo what it typed into the focused field, and report the code.
//
// A burst is at least `minLength` keys at an average of at most `maxAverageMs` apart, none
// more than `maxGapMs` apart: a busy tablet may delay one key, a person never keeps pace.
"use strict";

export class ScannerListener {
  constructor(onScan, { maxAverageMs = 30, maxGapMs = 120, minLength = 6, passThrough = [] } = {}) {
    this.onScan = onScan;
    this.maxAverageMs = maxAverageMs;
    this.maxGapMs = maxGapMs;
    this.minLength = minLength;
    this.passThrough = passThrough; // fields that read bursts themselves (the card swipe field)
    this.reset();
  }

  reset() {
    this.buffer = "";
    this.first = 0;
    this.last = 0;
    this.target = null;
    this.before = null;
  }

  attach(root) {
    root.addEventListener("keydown", (e) => this.onKey(e), true);
    return this;
  }

  isBurst(now) {
    const keys = this.buffer.length;
    return keys >= this.minLength && now - this.last <= this.maxGapMs &&
      (now - this.first) / keys <= this.maxAverageMs;
  }

  onKey(e) {
    if (this.passThrough.includes(e.target)) return;
    const now = performance.now();
    if (e.key === "Enter") {
      const isScan = this.isBurst(now);
      const code = this.buffer, target = this.target, before = this.before;
      this.reset();
      if (!isScan) return;
      e.preventDefault();
      e.stopPropagation();
      if (target && before !== null) target.value = before; // the digits never land in a field
      if (!document.querySelector("dialog[open]")) this.onScan(code);
      return;
    }
    if (e.key.length !== 1 || e.ctrlKey || e.altKey || e.metaKey) { this.reset(); return; }
    if (!this.buffer || now - this.last > this.maxGapMs) {
      this.buffer = "";
      this.first = now;
      this.target = e.target;
      this.before = "value" in e.target ? e.target.value : null;
    }
    this.buffer += e.key;
    this.last = now;
  }
}
