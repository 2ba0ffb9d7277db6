"use strict";
(function () {
  function key(cell) {
    var raw = cell ? cell.getAttribute("data-sort") : null;
    var text = cell ? (raw !== null ? raw : cell.textContent.trim()) : "";
    var num = text === "" ? null : Number(text);
    return { num: num !== null && isFinite(num) ? num : null, text: text };
  }
  function compare(a, b) {
    var an = a.num !== null, bn = b.num !== null;
    if (an && bn) return a.num - b.num;
    if (an !== bn) return an ? -1 : 1;
    return a.text.localeCompare(b.text);
  }
  function sortBy(table, th, col) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    rows.sort(function (r, s) {
      var c = compare(key(r.cells[col]), key(s.cells[col]));
      return ascending ? c : -c;
    });
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, col) {
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(table, th, col); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(table, th, col); }
      });
    });
  });
  var plots = document.querySelectorAll("figure svg");
  var drawn = Array.prototype.filter.call(plots, function (svg) {
    var box = svg.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && svg.querySelectorAll("path, polyline, rect, text").length > 0;
  });
  document.body.setAttribute("data-plots-ok", drawn.length === plots.length ? String(plots.length) : "no");
})();
