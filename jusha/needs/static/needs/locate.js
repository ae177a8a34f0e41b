// "Use my current location" on the need form: the phone's GPS position (WGS-84) goes into the hidden
// lng/lat fields, and the places API says which community it falls in (or that it is outside).
// Without JavaScript or permission, the resident chooses the community from the list instead.
(function () {
  "use strict";

  function setUp(box) {
    const button = box.querySelector("[data-locate-button]");
    const status = box.querySelector("[data-locate-status]");
    const form = box.closest("form");
    if (!button || !form || !("geolocation" in navigator)) return;
    const lng = form.querySelector("input[name=lng]");
    const lat = form.querySelector("input[name=lat]");
    const crs = form.querySelector("input[name=crs]");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.waiting || "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        lng.value = pos.coords.longitude.toFixed(6);
        lat.value = pos.coords.latitude.toFixed(6);
        if (crs) crs.value = "wgs84";
        const url = box.dataset.locateUrl + "?lng=" + lng.value + "&lat=" + lat.value + "&crs=wgs84";
        fetch(url, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) { status.textContent = data ? data.message : ""; })
          .catch(function () { status.textContent = ""; });
      }, function () {
        lng.value = "";
        lat.value = "";
        status.textContent = button.dataset.failed || "";
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-need-locate]").forEach(setUp);
  });
})();
