// The service worker of 我的班次, served as /logistics/rounds/sw.js so that it controls the pages under
// /logistics/rounds/. Pages: from the network, kept in the cache, and from the cache when there is no
// network. Static files (their names carry a hash once collected): from the cache, else the network.
// Anything else (the API, POSTs) is left to the network: the page queues its scans itself.
"use strict";
const CACHE = "siliu-courier";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.open(CACHE).then((cache) => cache.match(request).then((kept) => kept || fetch(request).then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    }))));
  } else if (request.mode === "navigate" && url.pathname === new URL("today/", self.registration.scope).pathname) {
    event.respondWith(fetch(request).then((response) => {
      if (response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
      }
      return response;
    }).catch(() => caches.open(CACHE).then((cache) => cache.match(url.pathname)).then((kept) => kept || Response.error())));
  }
});
