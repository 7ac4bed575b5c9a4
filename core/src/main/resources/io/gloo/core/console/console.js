// Live updates for the Gloo Gateway console. Every page works without this script; with it, the page's <main> is
// replaced by a fresh render whenever the server's change token moves (a snapshot published, a status changed, a
// proxy ACKed or NACKed). Polling, not server-sent events: one small GET every 2 s holds no admin thread.
(function () {
  "use strict";
  var main = document.getElementById("main");
  var live = document.getElementById("live");
  if (!main || !window.fetch) {
    return;
  }
  var busy = false;

  function typing() {
    var el = document.activeElement;
    return el && main.contains(el) && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
  }

  function refresh() {
    return fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) {
          return;
        }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("main");
        if (fresh) {
          main.innerHTML = fresh.innerHTML;
          main.setAttribute("data-token", fresh.getAttribute("data-token"));
          if (live) {
            live.textContent = "Updated " + new Date().toLocaleTimeString();
          }
        }
      });
  }

  function poll() {
    if (busy || typing()) {
      return;
    }
    busy = true;
    fetch("/ui/token", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (token) {
        if (token !== null && token.trim() !== main.getAttribute("data-token")) {
          return refresh();
        }
      })
      .catch(function () {
        if (live) {
          live.textContent = "The control plane does not answer; retrying.";
        }
      })
      .then(function () { busy = false; });
  }

  window.setInterval(poll, 2000);
})();
