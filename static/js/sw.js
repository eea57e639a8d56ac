// Service worker of the till: keeps the app shell so a reload during a Wi-Fi drop still
// opens the till. Pages: network first, cache as fallback. Assets: from the cache, refreshed in
// the background. API: never cached.
"use strict";
const CACHE = "ewarung-till-v3"; // v3: a /till/ redirected to the shift page is never kept as the till
const SHELL = ["/till/", "/static/css/app.css", "/static/css/till.css", "/static/css/printer.css",
  "/static/js/till.js", "/static/js/till-util.js", "/static/js/amounts.js", "/static/js/cart.js",
  "/static/js/pay.js", "/static/js/outbox.js", "/static/js/scanner.js", "/static/js/camera.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  if (event.request.mode === "navigate") {
    event.respondWith(fetch(event.request).then((resp) => {
      if (resp.ok && !resp.redirected && url.pathname === "/till/") caches.open(CACHE).then((c) => c.put("/till/", resp.clone()));
      return resp;
    }).catch(() => caches.match("/till/")));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    // Stale while revalidate: instant from the cache, refreshed for the next load, so a new
    // version of the till reaches the tablet without anyone clearing its cache.
    event.respondWith(caches.open(CACHE).then(async (cache) => {
      const hit = await cache.match(event.request);
      const fresh = fetch(event.request).then((resp) => {
        if (resp.ok) cache.put(event.request, resp.clone());
        return resp;
      }).catch(() => hit);
      return hit || fresh;
    }));
  }
});
