// Rupiah amount fields show thousand separators as they are typed (the server reads
// "150.000" as 150000). Imported by the till; on other pages it formats the shift's amount
// fields (and any input marked data-rupiah) by itself.
"use strict";

const digitsOf = (text) => parseInt(String(text).replace(/\D/g, ""), 10);

/** An amount as the field shows it: "150.000" (empty for no amount). */
export const showAmount = (input, n) => { input.value = Number.isFinite(n) ? n.toLocaleString("id-ID") : ""; };

/** Regroup a field's digits in thousands, keeping the caret behind the same digit. */
export function groupDigits(input) {
  const caret = input.selectionStart ?? input.value.length;
  const digitsAfter = input.value.slice(caret).replace(/\D/g, "").length;
  showAmount(input, digitsOf(input.value));
  let pos = input.value.length, seen = 0;
  while (pos > 0 && seen < digitsAfter) { pos -= 1; if (/\d/.test(input.value[pos])) seen += 1; }
  if (document.activeElement === input) input.setSelectionRange(pos, pos);
}

const FIELDS = "input[data-rupiah], input[name=opening_float], input[name=amount], input[name=counted_cash]";
for (const input of document.querySelectorAll(FIELDS)) {
  input.addEventListener("input", () => groupDigits(input));
  if (input.value) showAmount(input, digitsOf(input.value));
}
