// Keyboard-wedge barcode scanners type a fast burst of keys ending in Enter. Tell such a
// burst from a person typing, undo what it typed into the focused field, and report the code.
"use strict";

export class ScannerListener {
  constructor(onScan, { maxGapMs = 35, minLength = 6, passThrough = [] } = {}) {
    this.onScan = onScan;
    this.maxGapMs = maxGapMs;
    this.minLength = minLength;
    this.passThrough = passThrough; // fields that read bursts themselves (the card swipe field)
    this.reset();
  }

  reset() {
    this.buffer = "";
    this.last = 0;
    this.target = null;
    this.before = null;
  }

  attach(root) {
    root.addEventListener("keydown", (e) => this.onKey(e), true);
    return this;
  }

  onKey(e) {
    if (this.passThrough.includes(e.target)) return;
    const now = performance.now();
    const fast = now - this.last <= this.maxGapMs;
    if (e.key === "Enter") {
      const isScan = fast && this.buffer.length >= this.minLength;
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
    if (!fast) {
      this.buffer = "";
      this.target = e.target;
      this.before = "value" in e.target ? e.target.value : null;
    }
    this.buffer += e.key;
    this.last = now;
  }
}
