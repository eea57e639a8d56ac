// Browser printing of the receipt preview (for shops with no ESC/POS printer).
document.querySelectorAll("[data-print-page]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
