/* Field reports, officials' report page: the small location map, answer templates, picking the
   original of a duplicate. Works without it (plain forms, coordinates as text). */
(function () {
  "use strict";

  function smallMap() {
    var el = document.getElementById("fb-map");
    if (!el || !window.L) { return; }
    var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
    if (isNaN(lat) || isNaN(lon)) { return; }
    var map = L.map(el, { scrollWheelZoom: false }).setView([lat, lon], el.dataset.tiles ? 16 : 13);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    } else {
      el.classList.add("fb-map-blank");
    }
    L.circleMarker([lat, lon], { radius: 9, color: "#b03a2e", weight: 3, fillColor: "#e74c3c", fillOpacity: 0.8 })
      .addTo(map);
  }

  function templates() {
    var pick = document.getElementById("tpl-pick");
    if (!pick) { return; }
    var nojs = document.querySelectorAll(".fb-nojs");
    Array.prototype.forEach.call(nojs, function (b) { b.hidden = true; });
    pick.addEventListener("change", function () {
      var opt = pick.options[pick.selectedIndex];
      var body = opt ? opt.getAttribute("data-body") : null;
      if (body === null) { return; }
      var areas = document.querySelectorAll(pick.dataset.fill);
      Array.prototype.forEach.call(areas, function (area) {
        if (!area.value.trim() || window.confirm(pick.dataset.confirm || "OK?")) { area.value = body; }
        var details = area.closest("details");
        if (details) { details.open = true; }
      });
    });
  }

  function duplicates() {
    document.addEventListener("click", function (ev) {
      var btn = ev.target.closest("[data-pick-code]");
      if (!btn) { return; }
      var input = document.getElementById(btn.dataset.pickTarget);
      if (input) {
        input.value = btn.dataset.pickCode;
        var dup = document.querySelector('input[name="reason"][value="duplicate"]');
        if (dup) { dup.checked = true; }
        input.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    smallMap();
    templates();
    duplicates();
  });
})();
