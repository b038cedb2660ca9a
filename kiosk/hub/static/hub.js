/* The hub dashboard's live updates: poll the page's JSON, refresh the figures in place, draw the
   daily visits chart as inline SVG. No library, nothing fetched from outside. Every value goes
   into the page as text (textContent), never as HTML. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var body = document.body;
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var updated = document.getElementById("updated");
  var lastTime = null;

  function fmtNumber(n) {
    var sign = n < 0 ? "-" : "";
    var a = Math.abs(n);
    if (Math.round(a) !== a) {
      return sign + a.toFixed(1).replace(".", ",");
    }
    return sign + String(a).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function fmtPct(x, signed) {
    if (x === null || x === undefined) { return "\u2014"; }
    var parts = Math.abs(x).toFixed(1).split(".");
    var text = fmtNumber(Number(parts[0])) + (parts[1] === "0" ? "" : "," + parts[1]) + "%";
    if (x < 0) { return "-" + text; }
    return (signed ? "+" : "") + text;
  }

  function show(value, fmt) {
    if (fmt === "pct") { return fmtPct(value, false); }
    if (fmt === "signed") { return fmtPct(value, true); }
    if (fmt === "met") {
      if (value === null || value === undefined) { return labels.no_data; }
      return value ? labels.met : labels.not_met;
    }
    if (value === null || value === undefined) { return "\u2014"; }
    if (fmt === "device" && labels["device_" + value]) { return labels["device_" + value]; }
    if (typeof value === "number") { return fmtNumber(value); }
    if (typeof value === "boolean") { return value ? labels.yes : labels.no; }
    return String(value);
  }

  function lookup(data, key) {
    var parts = key.split(".");
    var value = data;
    for (var i = 0; i < parts.length; i++) {
      if (value === null || typeof value !== "object" || !(parts[i] in value)) { return undefined; }
      value = value[parts[i]];
    }
    return value;
  }

  function setBadge(cell, status) {
    var badge = document.createElement("span");
    badge.className = "badge badge-" + (labels[status] ? status : "offline");
    badge.textContent = labels[status] || String(status);
    cell.replaceChildren(badge);
  }

  function setCell(el, value) {
    if (value === undefined) { return; }
    var key = el.getAttribute("data-k") || el.getAttribute("data-live");
    if (key === "status") { setBadge(el, value); return; }
    el.textContent = show(value, el.getAttribute("data-fmt"));
  }

  function ownedBy(el, scope) {
    return el.closest("[data-id]") === scope;
  }

  function fillLists(data) {
    var lists = document.querySelectorAll("[data-list]");
    for (var i = 0; i < lists.length; i++) {
      var list = lists[i];
      var items = data[list.getAttribute("data-list")] || [];
      var byId = {};
      items.forEach(function (item) { byId[item.code || item.kiosk_id] = item; });
      var rows = list.querySelectorAll("[data-id]");
      if (rows.length !== items.length) { location.reload(); return false; }
      for (var r = 0; r < rows.length; r++) {
        var item = byId[rows[r].getAttribute("data-id")];
        if (!item) { location.reload(); return false; }
        var cells = rows[r].querySelectorAll("[data-k]");
        for (var c = 0; c < cells.length; c++) {
          if (ownedBy(cells[c], rows[r])) { setCell(cells[c], lookup(item, cells[c].getAttribute("data-k"))); }
        }
      }
    }
    return true;
  }

  function fill(data) {
    document.querySelectorAll("[data-live]").forEach(function (el) {
      setCell(el, lookup(data, el.getAttribute("data-live")));
    });
    document.querySelectorAll("[data-hide-zero]").forEach(function (el) {
      el.hidden = !lookup(data, el.getAttribute("data-hide-zero"));
    });
    document.querySelectorAll("[data-bar]").forEach(function (el) {
      var value = Number(lookup(data, el.getAttribute("data-bar"))) || 0;
      el.setAttribute("width", String(Math.max(0, Math.min(100, value))));
    });
    if (fillLists(data) && data.daily) { drawChart(data.daily); }
  }

  function svg(name, attributes, parent) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (k) { el.setAttribute(k, String(attributes[k])); });
    if (parent) { parent.appendChild(el); }
    return el;
  }

  function niceMax(n) {
    if (n <= 5) { return 5; }
    var step = Math.pow(10, Math.floor(Math.log10(n)));
    var nice = [1, 2, 2.5, 5, 10].map(function (f) { return f * step; }).find(function (m) { return m >= n; });
    return nice || 10 * step;
  }

  function drawChart(daily) {
    var box = document.getElementById("chart");
    if (!box) { return; }
    var W = 900, H = 260, left = 48, right = 8, top = 12, bottom = 30;
    var plotW = W - left - right, plotH = H - top - bottom;
    var max = niceMax(Math.max.apply(null, daily.map(function (d) { return d.visits; }).concat([0])));
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, "class": "chart-svg", role: "img" });
    svg("title", {}, root).textContent = labels.chart;
    for (var t = 0; t <= 5; t++) {
      var y = top + plotH - (plotH * t) / 5;
      svg("line", { x1: left, x2: W - right, y1: y, y2: y, "class": "grid-line" }, root);
      var tick = svg("text", { x: left - 6, y: y + 4, "class": "axis", "text-anchor": "end" }, root);
      tick.textContent = fmtNumber(Math.round((max * t) / 5));
    }
    var slot = plotW / Math.max(daily.length, 1);
    daily.forEach(function (d, i) {
      var h = (plotH * d.visits) / max;
      var bar = svg("rect", {
        x: (left + i * slot + slot * 0.15).toFixed(1), y: (top + plotH - h).toFixed(1),
        width: (slot * 0.7).toFixed(1), height: h.toFixed(1), "class": "bar"
      }, root);
      svg("title", {}, bar).textContent = d.label + ": " + fmtNumber(d.visits) + " " + labels.visits;
      if (i % 5 === 0 || i === daily.length - 1) {
        var x = svg("text", { x: (left + i * slot + slot / 2).toFixed(1), y: H - 10, "class": "axis", "text-anchor": "middle" }, root);
        x.textContent = d.label;
      }
    });
    box.replaceChildren(root);
  }

  function poll() {
    var api = body.getAttribute("data-api");
    var every = Number(body.getAttribute("data-poll") || "10") * 1000;
    fetch(api, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        fill(data);
        lastTime = data.time;
        updated.textContent = labels.updated.replace("{time}", data.time);
        updated.classList.remove("stale");
      })
      .catch(function () {
        updated.textContent = labels.stale.replace("{time}", lastTime || "\u2014");
        updated.classList.add("stale");
      })
      .finally(function () { setTimeout(poll, every); });
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  if (body.getAttribute("data-api")) { poll(); }
}());
