// Scanning a barcode with the tablet's camera, where the browser has BarcodeDetector
// (Android Chrome). Loaded only when the cashier taps the camera button.
"use strict";

const WANTED = ["ean_13", "ean_8", "upc_a", "upc_e", "code_128", "code_39", "qr_code"];

export async function scanWithCamera(dialog, video, onCode) {
  const supported = await BarcodeDetector.getSupportedFormats();
  const detector = new BarcodeDetector({ formats: WANTED.filter((f) => supported.includes(f)) });
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  let running = true;
  const stop = () => {
    running = false;
    stream.getTracks().forEach((t) => t.stop());
    video.srcObject = null;
    if (dialog.open) dialog.close();
  };
  dialog.addEventListener("close", stop, { once: true });
  video.srcObject = stream;
  dialog.showModal();
  await video.play();
  while (running) {
    const found = await detector.detect(video).catch(() => []);
    if (found.length && running) {
      stop();
      onCode(found[0].rawValue);
      return;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}
