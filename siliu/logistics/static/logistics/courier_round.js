// 我的班次: the courier's scans at a stop. Each scan is written to IndexedDB first, with its own event
// ids, and sent through POST /api/v1/scans whenever there is a network (now, on the `online` event, and
// every 30 s); the server stores an event id once, so a batch sent again (an answer lost on the way) is
// recorded once. Each scan shows whether it is waiting, sent, or refused with the server's message.
// A service worker keeps the page and its files for when the phone has no network. No framework.
(function () {
  "use strict";
  const box = document.getElementById("scan-box");
  if (!box) return;
  const label = box.dataset;
  const form = document.getElementById("scan-form");
  const numberInput = document.getElementById("scan-number");
  const stopSelect = document.getElementById("scan-stop");
  const queueList = document.getElementById("scan-queue");
  const network = document.getElementById("scan-network");
  const errorLine = document.getElementById("scan-error");
  const homeFields = document.getElementById("scan-home");
  const failedFields = document.getElementById("scan-failed");
  const RETRY_MS = 30000; // a regular try, however things went
  const FIRST_BACKOFF_MS = 2000; // after a failed try: 2 s, 4 s, … up to RETRY_MS
  let backoff = FIRST_BACKOFF_MS;
  const STORE = "scans";

  // --- the queue in IndexedDB -------------------------------------------------------------------
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        // One queue per courier (the device id names the user): on a shared phone, nobody sends
        // another's scans under their own login.
        const request = indexedDB.open("siliu-" + box.dataset.device, 1);
        request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return dbPromise;
  }
  function withStore(mode, work) {
    return db().then((database) => new Promise((resolve, reject) => {
      const transaction = database.transaction(STORE, mode);
      const result = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      transaction.onerror = () => reject(transaction.error);
    }));
  }
  const allScans = () => withStore("readonly", (store) => store.getAll());
  const putScans = (scans) => withStore("readwrite", (store) => { scans.forEach((scan) => store.put(scan)); });

  // --- a scan: one or two events ----------------------------------------------------------------
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 14);
  }
  function eventsFor(scan) {
    const base = { tracking_number: scan.number, outlet: scan.stop, occurred_at: scan.occurredAt };
    const event = (code, extra) => Object.assign({ event_id: scan.id + ":" + code, code }, base, extra || {});
    switch (scan.action) {
      case "station": return [event("EDH")]; // 到达自提点: left at the station for the recipient
      case "home": return [event("EMI", { proof: { signature_name: scan.signature } })]; // 妥投
      case "pickup": return [event("EDE")]; // 揽收: taken from the station on the van
      // 开始投递 then 投递未成功, with the reason and what happens next
      default: return [event("EDG"), event("EMH", { reason_code: scan.reason, action_code: scan.next })];
    }
  }

  function render(scans) {
    scans.sort((a, b) => (a.occurredAt < b.occurredAt ? 1 : -1));
    queueList.replaceChildren(...scans.map((scan) => {
      const item = document.createElement("li");
      item.className = "border-bottom py-1";
      item.dataset.testid = "scan-item";
      item.dataset.state = scan.state;
      const badge = document.createElement("span");
      badge.className = "badge me-1 " + ({ sent: "text-bg-success", refused: "text-bg-danger" }[scan.state] || "text-bg-secondary");
      badge.textContent = label["label" + scan.state[0].toUpperCase() + scan.state.slice(1)];
      const text = document.createElement("span");
      text.className = "font-monospace";
      text.textContent = scan.number;
      item.append(badge, text, " · " + label["label" + scan.action[0].toUpperCase() + scan.action.slice(1)] + " · " + scan.stopName);
      if (scan.message) {
        const why = document.createElement("div");
        why.className = scan.state === "refused" ? "text-danger" : "text-muted";
        why.textContent = scan.message;
        item.append(why);
      }
      return item;
    }));
  }
  const refresh = () => allScans().then(render);

  // --- sending ------------------------------------------------------------------------------------
  let sending = false;
  function send() {
    if (sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    return allScans().then((scans) => {
      const waiting = scans.filter((scan) => scan.state === "queued").slice(0, 400);
      if (!waiting.length) return null;
      return fetch(box.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf, Accept: "application/json" },
        body: JSON.stringify({ device_id: box.dataset.device, events: waiting.flatMap((scan) => scan.events) }),
      }).then((response) => response.json().then((body) => {
        if (!response.ok) {
          // The batch itself was not taken (signed out, throttled…): keep every scan and say why.
          waiting.forEach((scan) => { scan.message = label.labelNotSent + "：" + (body.message || response.status); });
          return putScans(waiting);
        }
        const results = new Map(body.results.map((result) => [result.event_id, result]));
        waiting.forEach((scan) => {
          const mine = scan.events.map((event) => results.get(event.event_id)).filter(Boolean);
          if (mine.length !== scan.events.length) return;
          const refused = mine.find((result) => result.status !== "created" && result.status !== "duplicate");
          scan.state = refused ? "refused" : "sent";
          scan.message = refused ? refused.message : "";
        });
        return putScans(waiting);
      }));
    }).then(() => { backoff = FIRST_BACKOFF_MS; }, () => {
      // No answer (no network after all, or the answer was lost): the scans stay queued, with the same
      // event ids, and go again soon; the server records an event id once.
      setTimeout(send, backoff);
      backoff = Math.min(backoff * 2, RETRY_MS);
    }).then(() => { sending = false; return refresh(); });
  }

  function showNetwork() {
    network.textContent = navigator.onLine ? label.labelOnline : label.labelOffline;
    network.classList.toggle("text-danger", !navigator.onLine);
  }
  window.addEventListener("online", () => { showNetwork(); send(); });
  window.addEventListener("offline", showNetwork);
  setInterval(send, RETRY_MS);

  // --- the form -----------------------------------------------------------------------------------
  function action() {
    return document.getElementById("scan-action").value;
  }
  function showFields() {
    homeFields.hidden = action() !== "home";
    failedFields.hidden = action() !== "failed";
  }
  form.addEventListener("change", showFields);
  // Where the van is: the last stop reached (the first stop before any).
  const reached = Array.from(stopSelect.options).filter((option) => option.dataset.arrived);
  if (reached.length) stopSelect.value = reached[reached.length - 1].value;

  function fail(message) {
    errorLine.textContent = message;
    errorLine.hidden = false;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errorLine.hidden = true;
    const number = numberInput.value.trim().toUpperCase();
    if (!number) return fail(label.labelNeedNumber);
    const signature = document.getElementById("scan-signature").value.trim();
    if (action() === "home" && !signature) return fail(label.labelNeedName);
    const scan = {
      id: newId(),
      number,
      action: action(),
      stop: stopSelect.value,
      stopName: stopSelect.selectedOptions[0].dataset.name,
      signature,
      reason: document.getElementById("scan-reason").value,
      next: document.getElementById("scan-next").value,
      occurredAt: new Date().toISOString(),
      state: "queued",
      message: "",
    };
    scan.events = eventsFor(scan);
    putScans([scan]).then(refresh).then(send);
    numberInput.value = "";
    numberInput.focus();
  });

  // --- the camera, where the browser reads barcodes -----------------------------------------------
  const cameraButton = document.getElementById("scan-camera");
  const video = document.getElementById("scan-video");
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    cameraButton.hidden = false;
    let stream = null;
    const stop = () => {
      if (stream) stream.getTracks().forEach((track) => track.stop());
      stream = null;
      video.hidden = true;
    };
    cameraButton.addEventListener("click", () => {
      if (stream) return stop();
      const detector = new window.BarcodeDetector({ formats: ["code_128"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then((media) => {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        return video.play().then(function look() {
          if (!stream) return null;
          return detector.detect(video).then((codes) => {
            if (codes.length) {
              numberInput.value = codes[0].rawValue;
              stop();
              numberInput.focus();
              return null;
            }
            return new Promise((resolve) => setTimeout(resolve, 250)).then(look);
          });
        });
      }).catch(() => { stop(); fail(label.labelCameraFailed); });
    });
  }

  // --- offline: a service worker, and this page and its files in its cache -----------------------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(box.dataset.worker).then(() => {
      if (!window.caches) return null;
      const files = [location.pathname]
        .concat(Array.from(document.scripts, (script) => script.src).filter(Boolean))
        .concat(Array.from(document.querySelectorAll('link[rel="stylesheet"]'), (link) => link.href));
      return caches.open("siliu-courier").then((cache) => cache.addAll(files)).then(() => {
        box.dataset.offlineReady = "true";
        document.getElementById("scan-offline-ready").hidden = false;
      });
    }).catch(() => null);
  }

  showFields();
  showNetwork();
  refresh().then(send);
})();
