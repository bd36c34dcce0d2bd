// The service worker of 我的班次, served as /logistics/rounds/sw.js so that it controls the pages under
// /logistics/rounds/. Pages: from the network, kept in the cache, and from the cache when there is no
// network. Static files whose names carry a hash (once collected): from the cache, else the network;
// others (development) like the page.
// Anything else (the API, POSTs) is left to the network: the page queues its scans itself.
"use strict";
const CACHE = "siliu-courier";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// A collected static file's name carries a hash of its content (app.3f2a9c1b7d4e.js): it never changes.
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

function kept(request, key) {
  return caches.open(CACHE).then((cache) => cache.match(key || request));
}

function fetchAndKeep(request, key) {
  return fetch(request).then((response) => {
    if (response.ok && !response.redirected) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(key || request, copy));
    }
    return response;
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const today = new URL("today/", self.registration.scope).pathname;
  if (url.pathname.startsWith("/static/") && HASHED.test(url.pathname)) {
    event.respondWith(kept(request).then((copy) => copy || fetchAndKeep(request)));
  } else if (url.pathname.startsWith("/static/") || (request.mode === "navigate" && url.pathname === today)) {
    // Unhashed files (development) and the page itself: fresh when there is a network.
    const key = url.pathname.startsWith("/static/") ? request : today;
    event.respondWith(
      fetchAndKeep(request, key).catch(() => kept(request, key).then((copy) => copy || Response.error()))
    );
  }
});
