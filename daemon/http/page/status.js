// The status page's behaviour: sorting, filtering, copying SQL, and live updates from
// /api/v1/events. The page works without it; every string from the daemon is set as text.
"use strict";
(function () {
  var SEVERITIES = ["critical", "warning", "info"];
  var KIND_SEVERITY = {
    missing_type: "critical", missing_value: "critical", case_mismatch: "critical",
    default_mismatch: "critical", snapshot_conflict: "critical", unexpected_value: "warning",
    naming_violation: "warning", revision_mismatch: "warning", order_mismatch: "info",
    unexpected_type: "info"
  };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

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

  function timeNode(iso) {
    if (!iso) return el("span", { "class": "muted" }, ["never"]);
    return el("time", { datetime: iso, title: iso }, [ageText(Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000)))]);
  }

  function counts(target) {
    var c = { critical: 0, warning: 0, info: 0 };
    (target.drift || []).forEach(function (i) { c[i.severity || KIND_SEVERITY[i.kind] || "info"]++; });
    return c;
  }

  function stateNodes(target) {
    var nodes = [el("span", { "class": "badge " + (target.up ? "up" : "down") }, [target.up ? "up" : "down"])];
    var error = target.error || (target.up ? null : (target.polled_at ? "poll failed" : "not polled yet"));
    if (error) { nodes.push(" "); nodes.push(el("span", { "class": "error" }, [error])); }
    return nodes;
  }

  function replaceChildren(node, children) {
    while (node.firstChild) node.removeChild(node.firstChild);
    children.forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
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
        var needle = input.value.trim().toLowerCase();
        Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
          r.hidden = needle !== "" && r.textContent.toLowerCase().indexOf(needle) < 0;
        });
      });
    }
  }

  function findRow(name) {
    var table = document.getElementById("targets");
    if (!table) return null;
    var rows = table.tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute("data-target") === name) return rows[i];
    return null;
  }

  function updateRow(target) {
    var row = findRow(target.name);
    if (!row) return;
    var c = counts(target);
    row.className = !target.up ? "down" : c.critical ? "critical" : c.warning ? "warning" : c.info ? "info" : "ok";
    var state = row.querySelector("td.state");
    state.setAttribute("data-value", target.up ? "1" : "0");
    replaceChildren(state, stateNodes(target));
    replaceChildren(row.querySelector("td.age"), [timeNode(target.polled_at)]);
    SEVERITIES.forEach(function (s) {
      var cell = row.querySelector('td[data-severity="' + s + '"]');
      cell.textContent = String(c[s]);
      cell.setAttribute("data-value", String(c[s]));
      cell.className = "num" + (c[s] ? " " + s : "");
    });
    var rows = document.getElementById("targets").tBodies[0].rows, down = 0, drifting = 0;
    Array.prototype.forEach.call(rows, function (r) {
      if (r.className === "down") down++;
      else if (r.className !== "ok") drifting++;
    });
    document.getElementById("count-down").textContent = String(down);
    document.getElementById("count-drifting").textContent = String(drifting);
  }

  // ---- one target: its drift, rebuilt from the event's JSON -----------------------------------
  function side(value) {
    if (value === null || value === undefined) return "—";
    if (Array.isArray(value)) return "[" + value.map(function (v) { return JSON.stringify(v); }).join(", ") + "]";
    return JSON.stringify(value);
  }

  function impactText(impact) {
    return impact.map(function (i) {
      if (i.rows === null) return 'rows holding "' + i.value + '": unknown (' + i.how + ")";
      return (i.estimated ? "~" : "") + i.rows + (i.rows === 1 ? " row holds " : " rows hold ") + '"' + i.value + '" (' + i.how + ")";
    }).join("; ");
  }

  function itemNode(item, index) {
    var severity = item.severity || KIND_SEVERITY[item.kind] || "info";
    var id = "item-" + index;
    var facts = el("dl", {}, [
      el("dt", {}, ["snapshot"]), el("dd", {}, [item.snapshot || "—"]),
      el("dt", {}, ["expected"]), el("dd", {}, [el("code", {}, [side(item.expected)])]),
      el("dt", {}, ["actual"]), el("dd", {}, [el("code", {}, [side(item.actual)])])
    ]);
    if (item.code_fix) { facts.appendChild(el("dt", {}, ["code fix"])); facts.appendChild(el("dd", {}, [item.code_fix])); }
    if (item.used_by && item.used_by.length) {
      facts.appendChild(el("dt", {}, ["used by"]));
      facts.appendChild(el("dd", {}, [el("ul", { "class": "plain" }, item.used_by.map(function (u) { return el("li", {}, [el("code", {}, [u])]); }))]));
    }
    if (item.impact && item.impact.length) { facts.appendChild(el("dt", {}, ["rows"])); facts.appendChild(el("dd", {}, [impactText(item.impact)])); }
    var children = [
      el("h3", { id: id }, [el("span", { "class": "badge " + severity }, [severity]), " ", el("code", {}, [item.kind]), " ",
        item.enum ? item.schema + "." + item.enum : "(migration)"]),
      el("p", { "class": "message" }, [item.message]), facts
    ];
    if (item.remediation_sql) {
      var sqlId = "sql-" + index;
      children.push(el("div", { "class": "sql" }, [
        el("div", { "class": "sql-bar" }, [el("span", {}, ["remediation SQL"]), el("button", { type: "button", "class": "copy", "data-copy": sqlId }, ["Copy SQL"])]),
        el("pre", {}, [el("code", { id: sqlId }, [item.remediation_sql])])
      ]));
    }
    return el("article", { "class": "item " + severity, "aria-labelledby": id }, children);
  }

  function updateTarget(target) {
    if (document.body.getAttribute("data-target") !== target.name) return;
    replaceChildren(document.getElementById("target-state"), stateNodes(target));
    replaceChildren(document.getElementById("target-age"), [timeNode(target.polled_at)]);
    document.getElementById("target-revision").textContent = target.migration_revision || "—";
    document.getElementById("drift-count").textContent = String(target.drift.length);
    var list = document.getElementById("drift");
    var items = target.drift.map(itemNode);
    if (!items.length) {
      items = [target.up ? el("p", { "class": "ok-note" }, ["No drift: the database matches its snapshots."])
                         : el("p", { "class": "muted" }, ["Unknown while the target is down."])];
    }
    replaceChildren(list, items);
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
      updateRow(target);
      updateTarget(target);
    });
  }

  var table = document.getElementById("targets");
  if (table) setupTable(table);
  if (live) live.textContent = "connecting…";
  tickAges();
  setInterval(tickAges, 1000);
  connect();
})();
