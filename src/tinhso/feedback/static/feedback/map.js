/* Maps of field reports (no inline script: strict CSP). Leaflet is loaded only when a map is on
   the page. data-mode="browse": markers of the visible area from the JSON endpoint (the list
   below the map is the accessible alternative). data-mode="pick": tap to choose the point of a
   report; fills the lat/long inputs and fires "fb-point" on <body> (htmx looks for duplicates).
   Without tiles (TINHSO_MAP_TILE_URL empty) the map shows the markers on a plain background. */
(function () {
  "use strict";
  var maps = document.querySelectorAll(".fb-map[data-mode]");
  if (!maps.length) { return; }

  var COLORS = { submitted: "#b45309", assigned: "#1d4ed8", in_progress: "#1d4ed8",
    resolved: "#15803d", closed: "#15803d", refused: "#6b7280" };

  function loadLeaflet(el, done) {
    if (window.L) { done(); return; }
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = el.dataset.leafletCss;
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = el.dataset.leafletJs;
    js.onload = done;
    document.head.appendChild(js);
  }

  function provinceBounds(el) {
    var p = (el.dataset.bbox || "").split(",").map(Number);
    return window.L.latLngBounds([p[0], p[1]], [p[2], p[3]]);
  }

  function baseMap(el) {
    var L = window.L;
    var bounds = provinceBounds(el);
    el.textContent = "";
    var map = L.map(el, { keyboard: true, maxBounds: bounds.pad(0.5), minZoom: 7, zoomSnap: 0.5 });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("fb-map-plain");
      map.attributionControl.setPrefix(false);
      L.rectangle(bounds, { weight: 1, color: "#64748b", dashArray: "4 4", fill: false, interactive: false }).addTo(map);
    }
    map.fitBounds(bounds);
    return map;
  }

  function popup(point, data, base) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = base + encodeURIComponent(point[2]) + "/";
    link.textContent = point[2];
    var cat = document.createElement("div");
    cat.textContent = (data.categories || {})[point[4]] || "";
    var st = document.createElement("div");
    st.textContent = (data.statuses || {})[point[3]] || point[3];
    box.appendChild(link);
    box.appendChild(cat);
    box.appendChild(st);
    return box;
  }

  function browse(el) {
    var L = window.L;
    var map = baseMap(el);
    var layer = L.layerGroup().addTo(map);
    var status = document.getElementById("fb-map-status");
    var timer = null;
    var controller = null;
    function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }
    function load() {
      var b = map.getBounds();
      var bbox = [clamp(b.getSouth(), -90, 90), clamp(b.getWest(), -180, 180),
        clamp(b.getNorth(), -90, 90), clamp(b.getEast(), -180, 180)].map(function (n) { return n.toFixed(5); }).join(",");
      var url = el.dataset.pointsUrl + "?bbox=" + bbox + (el.dataset.query ? "&" + el.dataset.query : "");
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      fetch(url, { credentials: "same-origin", signal: controller ? controller.signal : undefined })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (data) {
          layer.clearLayers();
          data.points.forEach(function (p) {
            L.circleMarker([p[0], p[1]], { radius: 7, weight: 2, color: "#fff", fillOpacity: 0.9,
              fillColor: COLORS[p[3]] || "#334155" }).bindPopup(popup(p, data, el.dataset.detailUrl)).addTo(layer);
          });
          if (status) {
            status.textContent = data.count + " " + el.dataset.labelCount +
              (data.truncated ? ". " + el.dataset.labelTruncated : "");
          }
        })
        .catch(function (err) {
          if (err && err.name === "AbortError") { return; }
          if (status) { status.textContent = el.dataset.labelError; }
        });
    }
    map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(load, 250); });
    load();
  }

  function pick(el) {
    var L = window.L;
    var map = baseMap(el);
    var lat = document.getElementById(el.dataset.latInput);
    var lon = document.getElementById(el.dataset.longInput);
    var marker = null;
    function show(latlng, zoom) {
      if (!marker) {
        marker = L.circleMarker(latlng, { radius: 9, weight: 3, color: "#fff", fillColor: "#c2410c", fillOpacity: 1 }).addTo(map);
      } else {
        marker.setLatLng(latlng);
      }
      if (zoom) { map.setView(latlng, Math.max(map.getZoom(), 16)); }
    }
    function fromInputs(zoom) {
      var a = parseFloat(lat.value), b = parseFloat(lon.value);
      if (isFinite(a) && isFinite(b)) {
        show([a, b], zoom);
        var st = document.getElementById("fb-locate-status");
        if (st && el.dataset.labelPicked) { st.textContent = el.dataset.labelPicked + ": " + lat.value + ", " + lon.value; }
      }
    }
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      show(e.latlng, false);
      var st = document.getElementById("fb-locate-status");
      if (st) { st.textContent = el.dataset.labelPicked + ": " + lat.value + ", " + lon.value; }
      document.body.dispatchEvent(new CustomEvent("fb-point"));
    });
    [lat, lon].forEach(function (input) {
      // Typed coordinates move the marker too (on change, and as they are typed).
      input.addEventListener("change", function () { fromInputs(true); });
      input.addEventListener("input", function () { fromInputs(false); });
    });
    fromInputs(true);
  }

  function start(el) {
    loadLeaflet(el, function () {
      if (el.dataset.mode === "pick") { pick(el); } else { browse(el); }
    });
  }

  Array.prototype.forEach.call(maps, function (el) {
    if ("IntersectionObserver" in window) {
      var seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); start(el); }
      }, { rootMargin: "200px" });
      seen.observe(el);
    } else {
      start(el);
    }
  });
}());
