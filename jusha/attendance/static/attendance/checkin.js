// Adds the phone's position (WGS-84, as browsers report it) to a check-in form whose activity has a
// geofence, then sends it. Without permission or a fix the form goes anyway and the server explains.
document.querySelectorAll("form[data-geofence]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (form.dataset.located) return;
    event.preventDefault();
    const send = () => { form.dataset.located = "1"; form.requestSubmit(); };
    if (!navigator.geolocation) { send(); return; }
    navigator.geolocation.getCurrentPosition((where) => {
      form.elements.lng.value = where.coords.longitude;
      form.elements.lat.value = where.coords.latitude;
      send();
    }, send, { enableHighAccuracy: true, timeout: 10000, maximumAge: 0 });
  });
});
