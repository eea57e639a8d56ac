// The print button of the monthly report page: the browser's own print (A4, see kube.css).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
