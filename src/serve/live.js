// warraq serve: live reload. Served at /__warraq/live.js and added to HTML responses
// only (the files on disk are what `warraq build` writes). Error text is put in the
// page with textContent, never parsed as HTML.
(function () {
  "use strict";
  if (window.__warraqLive || !window.EventSource) return;
  window.__warraqLive = true;
  var OVERLAY = "__warraq-overlay";
  var script = document.currentScript;
  // The output version the page was served at: a different one on (re)connection
  // means the page is stale.
  var version = script ? script.getAttribute("data-version") : null;

  function showErrors(lines) {
    var box = document.getElementById(OVERLAY);
    if (!box) {
      box = document.createElement("div");
      box.id = OVERLAY;
      box.setAttribute("dir", "ltr");
      box.setAttribute("role", "alert");
      box.style.cssText = "__OVERLAY_CSS__";
      (document.body || document.documentElement).appendChild(box);
    }
    box.replaceChildren();
    var title = document.createElement("strong");
    title.textContent = "__OVERLAY_TITLE__";
    var pre = document.createElement("pre");
    pre.style.cssText = "white-space:pre-wrap;margin:.5em 0 0";
    pre.textContent = lines.join("\n");
    box.appendChild(title);
    box.appendChild(pre);
  }

  function clearErrors() {
    var box = document.getElementById(OVERLAY);
    if (box) box.remove();
  }

  function swapStylesheets() {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("__warraq", String(Date.now()));
      links[i].href = url.href;
    }
  }

  function seen(data) {
    var d = JSON.parse(data);
    if (version !== null && d.version !== version) {
      location.reload();
      return null;
    }
    version = d.version;
    return d;
  }

  var events = new EventSource("/__warraq/events");
  window.__warraqLive = events;
  events.addEventListener("reload", function () {
    location.reload();
  });
  events.addEventListener("css", function (e) {
    version = JSON.parse(e.data).version;
    swapStylesheets();
  });
  events.addEventListener("ok", function (e) {
    if (seen(e.data)) clearErrors();
  });
  events.addEventListener("error", function (e) {
    // EventSource also fires a plain `error` (no data) when the connection drops; it
    // reconnects by itself.
    if (typeof e.data !== "string") return;
    var d = seen(e.data);
    if (d) showErrors(d.diagnostics);
  });
})();
