/* The report form: the "Vị trí của tôi" button (geolocation) and the duplicate check flag.
   Everything else works without JavaScript (commune + address, a server-side check step). */
(function () {
  "use strict";
  var button = document.getElementById("fb-locate");
  var lat = document.getElementById("id-lat");
  var lon = document.getElementById("id-long");
  var status = document.getElementById("fb-locate-status");
  var checked = document.getElementById("id-nearby-checked");
  var category = document.getElementById("id-category");

  if (button && lat && lon && navigator.geolocation) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (status) { status.textContent = button.dataset.labelWait; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        lat.dispatchEvent(new Event("change"));
        if (status) { status.textContent = lat.value + ", " + lon.value; }
        document.body.dispatchEvent(new CustomEvent("fb-point"));
      }, function () {
        if (status) { status.textContent = button.dataset.labelDenied; }
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }
  [lat, lon].forEach(function (input) {
    if (input) {
      input.addEventListener("change", function () { document.body.dispatchEvent(new CustomEvent("fb-point")); });
    }
  });
  // The nearby reports were shown live: the server need not show them again before filing.
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (checked && e.target && e.target.id === "fb-nearby" && lat.value && lon.value && category && category.value) {
      checked.value = "1";
    }
  });
}());
