// Picking the place of a report on the map: a tap puts a marker there and fills the form's hidden
// lng/lat (WGS-84, as the grid map is drawn in WGS-84). The phone's position button (needs/locate.js)
// fills the same fields; whichever was used last wins.
(function () {
  "use strict";

  document.addEventListener("jusha:map-ready", function (event) {
    const box = event.target;
    if (!box.matches("[data-case-pick]")) return;
    const form = box.closest("form");
    const map = event.detail.map;
    let marker = null;
    const lng = form.querySelector("input[name=lng]");
    const lat = form.querySelector("input[name=lat]");
    const crs = form.querySelector("input[name=crs]");
    if (lng.value && lat.value) marker = window.L.marker([Number(lat.value), Number(lng.value)]).addTo(map);
    map.on("click", function (e) {
      lng.value = e.latlng.lng.toFixed(6);
      lat.value = e.latlng.lat.toFixed(6);
      if (crs) crs.value = "wgs84";
      if (marker) marker.setLatLng(e.latlng);
      else marker = window.L.marker(e.latlng).addTo(map);
    });
  });
})();
