// The command screen (一屏指挥): draws the map, tiles, charts and league table from the JSON the page
// embeds, redraws them when a filter changes or the map moves (data.json), and polls the change feed
// (GET /api/command/changes?after=<cursor>) every POLL_MS: new events go to the stream, their cases'
// markers move, and the tiles are counted again. A failed poll keeps the cursor, so the next one
// catches up with nothing missed. Dispatch uses the suggestion and dispatch endpoints of the same API.
(() => {
  "use strict";

  const POLL_MS = 2000;
  const STREAM_KEEP = 60;
  const COLORS = { waiting: "#0b57d0", dispatched: "#e37400", handled: "#2e7d32", parked: "#616161", overdue: "#c62828" };
  const STAGE_OF = { reported: "waiting", accepted: "waiting", filed: "waiting", dispatched: "dispatched",
    handling: "dispatched", handled: "handled", verified: "handled", parked: "parked" };

  const root = document.querySelector("[data-testid=command-screen]");
  if (!root) return;
  const text = root.dataset;
  const form = document.getElementById("cmd-filters");
  const streamList = root.querySelector("[data-testid=command-stream]");
  const statusLine = root.querySelector("[data-testid=command-status]");
  const errorLine = root.querySelector("[data-testid=command-error]");
  const truncatedLine = root.querySelector("[data-testid=command-truncated]");
  const mayDispatch = text.mayDispatch === "1";
  let cursor = Number(text.cursor) || 0;
  let map = null;
  const markers = new Map(); // case id -> Leaflet marker
  let caseLayer = null;
  const charts = {};

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (err) {
      return "";
    }
  }

  function el(tag, content, className) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content != null) node.textContent = String(content);
    return node;
  }

  function caseUrl(template, id) {
    return template.replace("/0/", `/${id}/`);
  }

  function filterQuery(withBounds) {
    const params = new URLSearchParams(new FormData(form));
    if (withBounds && map) params.set("bbox", map.getBounds().toBBoxString());
    return params;
  }

  // --- tiles, charts, league -------------------------------------------------------------------
  function drawKpis(kpis) {
    for (const node of root.querySelectorAll("[data-kpi]")) {
      const value = kpis[node.dataset.kpi];
      if (value != null) node.textContent = String(value);
    }
  }

  function chartOption(kind, data) {
    const style = getComputedStyle(root);
    const fontSize = Math.max(12, Math.round(parseFloat(style.fontSize) * 0.8)) || 14;
    const palette = ["#c62828", "#0b57d0", "#2e7d32", "#e37400", "#6a1b9a", "#00838f"];
    const series = kind === "trend"
      ? data.series.map((s, i) => ({ name: s.name, type: "line", data: s.values, color: palette[i % palette.length] }))
      : [{ name: "", type: "bar", data: data.values, color: palette[0], label: { show: true, position: "right" } }];
    const category = { type: "category", data: data.labels, axisLabel: { fontSize } };
    const value = { type: "value", minInterval: 1, axisLabel: { fontSize } };
    return {
      animation: false,
      aria: { enabled: false },
      textStyle: { fontFamily: style.fontFamily, fontSize },
      legend: kind === "trend" ? { top: 0, textStyle: { fontSize } } : undefined,
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 24, top: kind === "trend" ? 40 : 8, bottom: 8, containLabel: true },
      xAxis: kind === "trend" ? category : value,
      yAxis: kind === "trend" ? value : { ...category, inverse: true },
      series,
    };
  }

  function drawCharts(data) {
    if (!window.echarts) return;
    for (const node of root.querySelectorAll("[data-chart]")) {
      const kind = node.dataset.chart;
      if (!charts[kind]) charts[kind] = window.echarts.init(node, null, { renderer: "svg" });
      charts[kind].setOption(chartOption(kind, data[kind]), true);
      node.dataset.ready = "true";
    }
  }

  function drawLeague(rows) {
    const body = root.querySelector("[data-testid=command-league] tbody");
    body.replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      tr.dataset.community = row.community;
      tr.append(el("th", row.name), el("td", row.open), el("td", row.overdue, row.overdue ? "cmd-bad" : ""), el("td", row.closed));
      tr.firstChild.scope = "row";
      return tr;
    }));
  }

  // --- the map ---------------------------------------------------------------------------------
  function colorOf(item) {
    return item.overdue ? COLORS.overdue : COLORS[STAGE_OF[item.status] || "waiting"];
  }

  function popupFor(item) {
    const box = el("div", null, "cmd-popup");
    box.dataset.case = item.id;
    box.append(el("strong", item.number), el("div", `${item.category} · ${item.community}`),
      el("div", item.status_label + (item.overdue ? ` · ${text.textOverdue}` : ""), item.overdue ? "cmd-bad" : ""));
    if (item.address) box.append(el("div", item.address));
    const link = el("a", text.textOpen);
    link.href = item.url;
    box.append(link);
    if (mayDispatch && item.status === "filed") box.append(dispatchBox(item));
    return box;
  }

  function placeCase(item) {
    if (!caseLayer) return;
    let marker = markers.get(item.id);
    const style = { className: "cmd-case", radius: item.urgency > 1 ? 9 : 7, color: "#ffffff", weight: 2, fillColor: colorOf(item), fillOpacity: 0.95 };
    if (marker) {
      marker.setLatLng([item.lat, item.lng]).setStyle(style);
    } else {
      marker = window.L.circleMarker([item.lat, item.lng], style).addTo(caseLayer);
      markers.set(item.id, marker);
      // Built when opened, from the case as it is then; binding again would close an open popup.
      marker.bindPopup(() => popupFor(marker.item));
    }
    marker.item = item;
  }

  function dropCase(id) {
    const marker = markers.get(id);
    if (marker) {
      caseLayer.removeLayer(marker);
      markers.delete(id);
    }
  }

  function drawCases(result) {
    if (!caseLayer) return;
    const keep = new Set(result.cases.map((c) => c.id));
    for (const id of [...markers.keys()]) if (!keep.has(id)) dropCase(id);
    result.cases.forEach(placeCase);
    root.querySelector("#cmd-map").dataset.caseCount = String(markers.size);
    truncatedLine.hidden = !result.truncated;
    truncatedLine.textContent = result.truncated
      ? text.textTruncated.replace("%(shown)s", result.cases.length).replace("%(total)s", result.total) : "";
  }

  function drawMap(layers, first) {
    const L = window.L;
    if (!L) return;
    const node = root.querySelector("#cmd-map");
    map = L.map(node, { zoomControl: true, attributionControl: false });
    const grids = L.geoJSON(layers.grids, {
      style: { color: "#8e1414", weight: 1.5, fillColor: "#fdecea", fillOpacity: 0.35 },
      onEachFeature: (feature, layer) => layer.bindTooltip(`${feature.properties.name} · ${feature.properties.community}`),
    }).addTo(map);
    for (const d of layers.devices) {
      L.circleMarker([d.lat, d.lng], { radius: 5, color: "#00838f", weight: 2, fillColor: "#ffffff", fillOpacity: 1 })
        .bindTooltip(`${d.name} (${d.code})`).addTo(map);
    }
    for (const w of layers.workers) {
      L.circleMarker([w.lat, w.lng], { radius: 6, color: "#6a1b9a", weight: 2, fillColor: w.on_duty ? "#ce93d8" : "#ffffff", fillOpacity: 1 })
        .bindTooltip(w.name).addTo(map);
    }
    caseLayer = L.layerGroup().addTo(map);
    drawCases(first.map);
    const bounds = grids.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
    else if (first.map.cases.length) map.fitBounds(first.map.cases.map((c) => [c.lat, c.lng]), { padding: [24, 24], maxZoom: 16 });
    else map.setView([30.3, 120.35], 13);
    let moved = 0;
    map.on("moveend", () => { clearTimeout(moved); moved = setTimeout(() => refresh(true), 300); });
    node.dataset.ready = "true";
  }

  // --- fetching ----------------------------------------------------------------------------------
  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  function drawAll(data) {
    drawKpis(data.kpis);
    drawCharts(data);
    drawLeague(data.league);
    drawCases(data.map);
  }

  let refreshing = null;
  async function refresh(withBounds) {
    const query = filterQuery(withBounds).toString();
    refreshing = query;
    try {
      const data = await getJSON(`${text.dataUrl}?${query}`);
      if (refreshing === query) drawAll(data);
    } catch (err) {
      console.error("command screen:", err);
    }
  }

  // --- dispatch ------------------------------------------------------------------------------------
  function dispatchBox(item) {
    const box = el("div", null, "cmd-dispatch");
    box.dataset.testid = "command-dispatch";
    const line = el("p", null, "cmd-suggestion");
    const message = el("p", null, "cmd-dispatch-message");
    message.setAttribute("role", "status");
    const button = el("button", text.textDispatch, "button small");
    button.type = "button";
    button.disabled = true;
    box.append(line, button, message);
    getJSON(caseUrl(text.suggestionUrl, item.id)).then((s) => {
      if (s.assignee == null) {
        line.textContent = text.textNobody;
        button.remove();
        return;
      }
      line.textContent = `${text.textSuggested} ${s.name} (${s.reasons.join(", ")})`;
      button.disabled = false;
      button.addEventListener("click", () => dispatch(item, s.assignee, button, message));
    }).catch(() => { line.textContent = text.textError; button.remove(); });
    return box;
  }

  async function dispatch(item, assignee, button, message) {
    button.disabled = true;
    try {
      const response = await fetch(caseUrl(text.dispatchUrl, item.id), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ assignee }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        message.textContent = body.detail || text.textError;
        message.dataset.code = body.code || String(response.status);
        message.className = "cmd-dispatch-message cmd-bad";
        return;
      }
      message.textContent = text.textDispatched;
      message.dataset.code = "dispatched";
      button.remove();
      placeCase(body.case);
    } catch (err) {
      message.textContent = text.textError;
      button.disabled = false;
    }
  }

  // --- the live stream ---------------------------------------------------------------------------
  function showEvent(event) {
    const item = document.createElement("li");
    item.dataset.event = event.id;
    item.dataset.case = event.case.id;
    item.dataset.step = event.step;
    const time = el("time", new Date(event.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }));
    time.dateTime = event.at;
    const link = el("a", event.case.number);
    link.href = event.case.url;
    item.append(time, el("span", event.step_label, "cmd-step"), link,
      el("span", `${event.case.category} · ${event.case.community}`, "cmd-where"));
    if (event.case.overdue) item.append(el("span", text.textOverdue, "cmd-bad"));
    // Only the newest line about a case offers to dispatch it, and only while it is filed.
    for (const stale of streamList.querySelectorAll(`li[data-case="${event.case.id}"] .cmd-dispatch-open`)) stale.remove();
    if (mayDispatch && event.case.status === "filed") {
      const open = el("button", text.textDispatch, "button small secondary cmd-dispatch-open");
      open.type = "button";
      open.addEventListener("click", () => open.replaceWith(dispatchBox(event.case)), { once: true });
      item.append(open);
    }
    streamList.prepend(item);
    while (streamList.children.length > STREAM_KEEP) streamList.lastElementChild.remove();
  }

  async function poll() {
    let more = false;
    try {
      const result = await getJSON(`${text.changesUrl}?after=${cursor}`);
      for (const event of result.events) {
        showEvent(event);
        if (event.open) placeCase(event.case);
        else dropCase(event.case.id);
      }
      cursor = result.cursor;
      root.dataset.cursor = String(cursor);
      more = result.more;
      statusLine.textContent = "";
      if (result.events.length) refresh(true);
    } catch (err) {
      statusLine.textContent = text.textOffline;
    }
    setTimeout(poll, more ? 0 : POLL_MS);
  }

  function start() {
    const first = JSON.parse(document.getElementById("command-data").textContent);
    const layers = JSON.parse(document.getElementById("command-layers").textContent);
    try {
      drawMap(layers, first);
    } catch (err) {
      console.error("command screen map:", err);
    }
    drawKpis(first.kpis);
    drawCharts(first);
    drawLeague(first.league);
    form.addEventListener("change", () => {
      history.replaceState(null, "", `?${filterQuery(false)}`);
      refresh(true);
    });
    window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
    root.dataset.live = "true";
    setTimeout(poll, POLL_MS);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
