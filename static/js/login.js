// PIN pad for the cashier tiles: taps type into the PIN field; OK (or the 4th-6th digit + OK) submits.
"use strict";
(() => {
  const form = document.getElementById("pin-form");
  if (!form) return;
  const pin = form.querySelector("#pin");
  form.querySelectorAll(".pinpad .key").forEach((key) => {
    key.addEventListener("click", () => {
      const k = key.dataset.key;
      if (k === "⌫") pin.value = pin.value.slice(0, -1);
      else if (k === "OK") form.requestSubmit();
      else if (pin.value.length < 6) pin.value += k;
    });
  });
  form.querySelectorAll("input[name=username]").forEach((radio) => {
    radio.addEventListener("change", () => { pin.value = ""; pin.focus(); });
  });
  // After a wrong PIN the same cashier stays chosen: only the PIN is typed again.
  if (form.querySelector("input[name=username]:checked")) pin.focus();
})();
