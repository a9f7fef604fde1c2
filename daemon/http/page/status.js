// The status page's behaviour: sorting, filtering, copying SQL, ticking ages, and live updates
// from /api/v1/events. It builds no markup of its own: when a target changes, it fetches that
// target's freshly rendered row (/targets/NAME/row) or page from the daemon and swaps it in, so
// the daemon (status_page.cpp) is the page's one renderer. The page works without it.
"use strict";
(function () {

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  // Only re-words the ages the daemon rendered as the seconds pass, in age_text's steps.
  function ageText(seconds) {
    if (seconds < 0) return "never";
    if (seconds < 120) return seconds + " s ago";
    if (seconds < 7200) return Math.floor(seconds / 60) + " min ago";
    if (seconds < 172800) return Math.floor(seconds / 3600) + " h ago";
    return Math.floor(seconds / 86400) + " d ago";
  }

  function tickAges() {
    var now = Date.now();
    document.querySelectorAll("time[datetime]").forEach(function (t) {
      var at = Date.parse(t.getAttribute("datetime"));
      if (isNaN(at)) return;
      var seconds = Math.max(0, Math.round((now - at) / 1000));
      t.textContent = ageText(seconds);
      var cell = t.closest("td.age");
      if (cell) cell.setAttribute("data-value", String(seconds));
    });
  }

  // ---- overview: sort, filter, live rows ----------------------------------------------------
  function setupTable(table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, column) {
      var label = th.querySelector(".th");
      var button = el("button", { type: "button" }, [label.textContent]);
      th.replaceChild(button, label);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.getAttribute("data-type") === "number";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].getAttribute("data-value") || a.cells[column].textContent;
          var y = b.cells[column].getAttribute("data-value") || b.cells[column].textContent;
          var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
          return ascending ? order : -order;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    var box = document.querySelector(".filter");
    var input = document.getElementById("filter");
    if (box && input) {
      box.hidden = false;
      input.addEventListener("input", function () {
        Array.prototype.forEach.call(table.tBodies[0].rows, applyFilter);
      });
    }
  }

  function applyFilter(row) {
    var input = document.getElementById("filter");
    var needle = input ? input.value.trim().toLowerCase() : "";
    row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
  }

  function findRow(name) {
    var table = document.getElementById("targets");
    if (!table) return null;
    var rows = table.tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute("data-target") === name) return rows[i];
    return null;
  }

  // Each fetch is numbered, and for every row (or page) it asks for, only the newest asker may
  // swap: an older, slower answer arriving later is dropped.
  var asked = {}, fetches = 0;
  function fetchFragment(url, keys, wrap, apply) {
    var ticket = ++fetches;
    keys.forEach(function (key) { asked[key] = ticket; });
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var parsed = new DOMParser().parseFromString(wrap ? wrap(html) : html, "text/html");
        apply(parsed, function (key) { return asked[key] === ticket; });
        tickAges();
      }, function () { /* the next event or a reload brings it */ });
  }

  function recount() {
    var rows = document.getElementById("targets").tBodies[0].rows, down = 0, drifting = 0;
    Array.prototype.forEach.call(rows, function (r) {
      if (r.className === "down") down++;
      else if (r.className !== "ok") drifting++;
    });
    document.getElementById("count-down").textContent = String(down);
    document.getElementById("count-drifting").textContent = String(drifting);
  }

  // Swaps in the fresh rows where the current ones stand, so the reader's sorting and filter stay.
  function swapRows(parsed, newest) {
    parsed.querySelectorAll("tr[data-target]").forEach(function (fresh) {
      var name = fresh.getAttribute("data-target");
      var row = findRow(name);
      if (!row || !newest("row:" + name)) return;
      var imported = document.importNode(fresh, true);
      applyFilter(imported);
      row.parentNode.replaceChild(imported, row);
    });
    recount();
  }

  // A row alone is no HTML document: the parser keeps a <tr> only inside a table.
  function inTable(row) { return "<table><tbody>" + row + "</tbody></table>"; }

  // Changes are gathered for a moment: a few fetch their rows, a burst (the first events after
  // connecting name every target) fetches the overview once instead of one row per target.
  var changed = {}, flushTimer = null;
  var ROWS_ONE_BY_ONE = 10;
  function updateRow(name) {
    if (!findRow(name)) return;
    changed[name] = true;
    if (flushTimer === null) flushTimer = setTimeout(flushRows, 200);
  }
  function flushRows() {
    var names = Object.keys(changed);
    changed = {};
    flushTimer = null;
    if (names.length > ROWS_ONE_BY_ONE) {
      var all = Array.prototype.map.call(document.getElementById("targets").tBodies[0].rows,
        function (r) { return "row:" + r.getAttribute("data-target"); });
      fetchFragment("/", all, null, swapRows);
      return;
    }
    names.forEach(function (name) {
      fetchFragment("/targets/" + encodeURIComponent(name) + "/row", ["row:" + name], inTable, swapRows);
    });
  }

  function updateTarget(name) {
    if (document.body.getAttribute("data-target") !== name) return;
    fetchFragment("/targets/" + encodeURIComponent(name), ["page"], null, function (parsed, newest) {
      var fresh = parsed.getElementById("target-live");
      var current = document.getElementById("target-live");
      if (newest("page") && fresh && current)
        current.parentNode.replaceChild(document.importNode(fresh, true), current);
    });
  }

  // ---- copy buttons ----------------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy") : null;
    if (!button) return;
    var code = document.getElementById(button.getAttribute("data-copy"));
    if (!code) return;
    var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy SQL"; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(code.textContent).then(done, function () {});
    } else {
      var range = document.createRange();
      range.selectNodeContents(code);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
    }
  });

  // ---- live updates --------------------------------------------------------------------------
  var live = document.getElementById("live");
  function connect() {
    if (!window.EventSource) return;
    var source = new EventSource("/api/v1/events");
    source.onopen = function () { live.textContent = "live"; };
    source.onerror = function () { live.textContent = "reconnecting…"; };
    source.addEventListener("target", function (event) {
      var target;
      try { target = JSON.parse(event.data); } catch (e) { return; }
      if (!target || typeof target.name !== "string") return;
      updateRow(target.name);
      updateTarget(target.name);
    });
  }

  var table = document.getElementById("targets");
  if (table) setupTable(table);
  if (live) live.textContent = "connecting…";
  tickAges();
  setInterval(tickAges, 1000);
  connect();
})();
