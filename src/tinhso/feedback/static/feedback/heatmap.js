/* Field-report statistics: the heat map. The server counts reports per ~1 km cell
   (feedback_staff:heatmap, JSON); each cell is drawn as a coloured rectangle. No plugin, no
   tiles needed (a plain background when TINHSO_MAP_TILE_URL is empty); the page has a table of
   the busiest cells as a fallback. */
(function () {
  "use strict";
  var COLOURS = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];

  function colour(count, max) {
    if (max <= 1) { return COLOURS[2]; }
    // Logarithmic: one busy street should not wash every other cell out.
    var level = Math.log(count) / Math.log(max);
    return COLOURS[Math.min(COLOURS.length - 1, Math.floor(level * COLOURS.length))];
  }

  function draw(el, data) {
    var map = L.map(el, { scrollWheelZoom: false });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    } else {
      el.classList.add("fb-map-blank");
    }
    var label = el.dataset.label || "";
    var group = L.featureGroup();
    data.cells.forEach(function (c) {
      L.rectangle([[c.s, c.w], [c.n, c.e]], {
        color: colour(c.count, data.max), weight: 1, fillColor: colour(c.count, data.max), fillOpacity: 0.75
      }).bindTooltip(c.count + " " + label).addTo(group);
    });
    group.addTo(map);
    if (data.cells.length) {
      map.fitBounds(group.getBounds(), { padding: [12, 12], maxZoom: 14 });
    } else {
      map.setView([9.18, 105.15], 9);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("fb-heatmap");
    if (!el || !window.L || !window.fetch) { return; }
    fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { draw(el, data); } })
      .catch(function () { /* the table below stays */ });
  });
})();
