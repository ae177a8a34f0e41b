// Jusha maps: turns every [data-jusha-map] element into a Leaflet map of the grids.
//
//   data-grids-url         GeoJSON FeatureCollection of grid polygons (WGS-84; properties code, name, community)
//   data-points-url        optional GeoJSON points, drawn as circle markers
//   data-problems-url      optional GeoJSON of problem areas (an import's overlaps, gaps, repairs), drawn
//                          hatched in amber above the grids; properties problem, name
//   data-tile-url          optional tile URL template; empty = no tiles, a plain light background
//   data-tile-attribution  attribution for the tiles
//   data-center, data-zoom optional "lat,lng" and zoom used when there is nothing to fit
//   data-leaflet-images    optional URL of Leaflet's marker images (default: ../vendor/leaflet/images/
//                          next to this script)
//   data-error-text        optional message jusha.css shows in the box when the map cannot be drawn
//
// When drawn it sets data-ready="true" and data-feature-count (grids plus points); on failure
// data-ready="error". Everything it needs is served by us: it works without tiles or network.
(() => {
  "use strict";

  const scriptUrl = document.currentScript ? document.currentScript.src : "";
  const BRAND = "#c62828";
  const BRAND_DARK = "#8e1414";
  const POINT = "#0b57d0";
  const PROBLEM = "#e37400";
  const ALWAYS_LABEL_UP_TO = 40; // more grids than this: names show once zoomed in a little
  const LABEL_ZOOM_STEP = 2;

  function imagePath(el) {
    if (el.dataset.leafletImages) return el.dataset.leafletImages;
    if (scriptUrl) return new URL("../vendor/leaflet/images/", scriptUrl).href;
    return null;
  }

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/geo+json, application/json" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  // Popups and tooltips take HTML; build them from text so names can never inject markup.
  function textNode(tag, text, className) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    node.textContent = text == null ? "" : String(text);
    return node;
  }

  function popupFor(props, fallbackTitle) {
    const box = document.createElement("div");
    box.appendChild(textNode("strong", props.name || props.title || fallbackTitle || ""));
    if (props.community) box.appendChild(textNode("span", props.community));
    if (props.code) box.appendChild(textNode("div", props.code, "jusha-map-code"));
    return box;
  }

  function parseCenter(value) {
    const parts = (value || "").split(",").map(Number);
    return parts.length === 2 && parts.every(Number.isFinite) ? parts : [30.3, 120.35];
  }

  async function draw(el) {
    const L = window.L;
    if (!L) throw new Error("Leaflet is not loaded");
    const path = imagePath(el);
    if (path) L.Icon.Default.imagePath = path.endsWith("/") ? path : `${path}/`;

    const tileUrl = (el.dataset.tileUrl || "").trim();
    const large = el.classList.contains("map-large");
    const map = L.map(el, {
      attributionControl: Boolean(tileUrl),
      scrollWheelZoom: large, // a small map in a scrolling phone page must not trap the wheel
      zoomSnap: 0.5,
    });
    el.jushaMap = map;
    map.setView(parseCenter(el.dataset.center), Number(el.dataset.zoom) || 13);
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }

    const [grids, points, problems] = await Promise.all([
      el.dataset.gridsUrl ? getJSON(el.dataset.gridsUrl) : null,
      el.dataset.pointsUrl ? getJSON(el.dataset.pointsUrl) : null,
      el.dataset.problemsUrl ? getJSON(el.dataset.problemsUrl) : null,
    ]);

    let count = 0;
    const bounds = L.latLngBounds([]);

    if (grids) {
      const layer = L.geoJSON(grids, {
        style: () => ({ color: BRAND, weight: 2, opacity: 0.9, fillColor: BRAND, fillOpacity: 0.08 }),
        onEachFeature: (feature, lyr) => {
          const props = feature.properties || {};
          count += 1;
          if (props.name) {
            lyr.bindTooltip(textNode("span", props.name), {
              permanent: true,
              direction: "center",
              className: "jusha-map-label",
              opacity: 1,
            });
          }
          lyr.bindPopup(popupFor(props));
          lyr.on({
            mouseover: () => lyr.setStyle({ fillOpacity: 0.22, weight: 3 }),
            mouseout: () => lyr.setStyle({ fillOpacity: 0.08, weight: 2 }),
          });
        },
      }).addTo(map);
      if (layer.getBounds().isValid()) bounds.extend(layer.getBounds());
    }

    if (problems) {
      const layer = L.geoJSON(problems, {
        style: () => ({ color: PROBLEM, weight: 2, dashArray: "4 3", fillColor: PROBLEM, fillOpacity: 0.45 }),
        onEachFeature: (feature, lyr) => {
          count += 1;
          lyr.bindPopup(popupFor(feature.properties || {}));
        },
      }).addTo(map);
      if (layer.getBounds().isValid()) bounds.extend(layer.getBounds());
      el.dataset.problemCount = String((problems.features || []).length);
    }

    if (points) {
      const layer = L.geoJSON(points, {
        pointToLayer: (feature, latlng) => L.circleMarker(latlng, {
          radius: 7, color: "#fff", weight: 2, fillColor: POINT, fillOpacity: 1,
        }),
        onEachFeature: (feature, lyr) => {
          count += 1;
          const props = feature.properties || {};
          if (props.name || props.title) lyr.bindPopup(popupFor(props));
        },
      }).addTo(map);
      if (layer.getBounds().isValid()) bounds.extend(layer.getBounds());
    }

    if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17, animate: false });

    // Many grids: their name labels would pile up, so show them only once zoomed in.
    const gridCount = grids ? (grids.features || []).length : 0;
    if (gridCount > ALWAYS_LABEL_UP_TO) {
      const labelZoom = map.getZoom() + LABEL_ZOOM_STEP;
      const toggle = () => el.classList.toggle("jusha-map-labels-hidden", map.getZoom() < labelZoom);
      map.on("zoomend", toggle);
      toggle();
    }

    el.dataset.featureCount = String(count);
    el.dataset.ready = "true";
    el.dispatchEvent(new CustomEvent("jusha:map-ready", { bubbles: true, detail: { map, count } }));
  }

  function init() {
    for (const el of document.querySelectorAll("[data-jusha-map]")) {
      if (el.dataset.ready) continue;
      el.dataset.ready = "pending";
      draw(el).catch((err) => {
        console.error("Jusha map:", err);
        el.dataset.ready = "error";
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  // Maps that arrive in htmx swaps get drawn too.
  document.addEventListener("htmx:afterSettle", init);
})();
