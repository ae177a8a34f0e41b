// Jusha charts: turns every [data-jusha-chart="bar"|"line"] element into an ECharts chart.
//
//   data-jusha-chart  "bar" or "line"
//   data-source       id of a <script type="application/json"> holding {"labels": [...], "values": [...]}
//                     (Django's json_script filter writes exactly that), or, for several series with a
//                     legend, {"labels": [...], "series": [{"name": "...", "values": [...]}], "unit": "%"}
//                     (a null value is a gap: nothing to divide by)
//
// Renders as SVG (crisper, and readable by tests), follows the page's font and size (so the
// elderly mode's larger text carries over), resizes with the window, and sets data-ready="true".
(() => {
  "use strict";

  const charts = new Set();

  function cssVar(el, name, fallback) {
    const value = getComputedStyle(el).getPropertyValue(name).trim();
    return value || fallback;
  }

  function readData(el) {
    const source = document.getElementById(el.dataset.source || "");
    if (!source) throw new Error(`no data element #${el.dataset.source}`);
    const data = JSON.parse(source.textContent || "{}");
    const labels = Array.isArray(data.labels) ? data.labels.map(String) : [];
    const numbers = (list) => (Array.isArray(list) ? list.map((v) => (v == null ? null : Number(v))) : []);
    const series = Array.isArray(data.series)
      ? data.series.map((s) => ({ name: String(s.name || ""), values: numbers(s.values) }))
      : [{ name: "", values: numbers(data.values) }];
    return { labels, series, unit: typeof data.unit === "string" ? data.unit : "" };
  }

  function render(el) {
    const echarts = window.echarts;
    if (!echarts) throw new Error("ECharts is not loaded");
    const kind = el.dataset.jushaChart === "line" ? "line" : "bar";
    const { labels, series, unit } = readData(el);
    const several = series.length > 1;
    // A few distinguishable colours after the brand's, for charts with a legend.
    const palette = ["#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a"];
    const style = getComputedStyle(el);
    const fontSize = Math.max(12, Math.round(parseFloat(style.fontSize) * 0.875)) || 14;
    const text = cssVar(el, "--text", "#1f1f1f");
    const muted = cssVar(el, "--muted", "#525252");
    const brand = cssVar(el, "--brand", "#c62828");

    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      aria: { enabled: false }, // the element carries its own role="img" and aria-label
      textStyle: { fontFamily: style.fontFamily, fontSize, color: text },
      grid: { left: 8, right: 16, top: several ? 56 : 32, bottom: 8, containLabel: true },
      // One scrolling line: a wrapped legend would run into the plot on a narrow phone.
      legend: several ? { type: "scroll", top: 0, textStyle: { color: text, fontSize } } : undefined,
      tooltip: { trigger: "axis", textStyle: { fontSize } },
      xAxis: {
        type: "category",
        data: labels,
        axisLabel: { color: text, fontSize, interval: 0, hideOverlap: true, rotate: labels.length > 6 ? 30 : 0 },
        axisLine: { lineStyle: { color: muted } },
        axisTick: { alignWithLabel: true },
      },
      yAxis: {
        type: "value",
        minInterval: unit ? undefined : 1,
        axisLabel: { color: muted, fontSize, formatter: unit ? `{value}${unit}` : "{value}" },
        splitLine: { lineStyle: { color: "#e0e0e0" } },
      },
      series: series.map((s, i) => {
        const color = i === 0 ? brand : palette[(i - 1) % palette.length];
        return {
          name: s.name,
          type: kind,
          data: s.values,
          itemStyle: { color },
          lineStyle: kind === "line" ? { color, width: 3 } : undefined,
          symbolSize: kind === "line" ? 8 : undefined,
          barMaxWidth: 48,
          // Numbers on every bar stay readable for one series; with several, the tooltip tells them.
          label: { show: !several, position: "top", color: text, fontSize },
        };
      }),
    });
    charts.add(chart);
    el.dataset.ready = "true";
  }

  function init() {
    for (const el of document.querySelectorAll("[data-jusha-chart]")) {
      if (el.dataset.ready) continue;
      try {
        render(el);
      } catch (err) {
        console.error("Jusha chart:", err);
        el.dataset.ready = "error";
      }
    }
  }

  let pending = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => charts.forEach((chart) => chart.isDisposed() ? charts.delete(chart) : chart.resize()));
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  document.addEventListener("htmx:afterSettle", init);
})();
