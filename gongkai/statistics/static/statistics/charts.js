/* 统计图表: draws every [data-chart] element from its json_script data with the vendored Apache
   ECharts (static/statistics/vendor). No inline script or style (CSP): the data comes from
   <script type="application/json">, sizes from statistics.css. The table below each chart holds
   the same numbers and is the accessible view; the chart carries aria (description + decals). */
(function () {
  "use strict";
  var FONT = '-apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", ' +
    '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif';
  var reduceMotion = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  var instances = [];

  function unitOf(data) {
    var units = data.series.map(function (s) { return s.unit; });
    return units.every(function (u) { return u === units[0]; }) ? units[0] : "";
  }

  function option(data) {
    var o = {
      animation: !reduceMotion,
      aria: { enabled: true, label: { description: data.description }, decal: { show: true } },
      textStyle: { fontFamily: FONT, fontSize: 14 },
      // richText tooltips are drawn on the canvas: no HTML with inline style (CSP style-src 'self').
      tooltip: { trigger: data.kind === "pie" ? "item" : "axis", renderMode: "richText", confine: true },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 32, top: 48, bottom: 8, containLabel: true }
    };
    if (data.kind === "pie") {
      o.series = [{
        type: "pie", name: data.series[0].name, radius: ["35%", "65%"], top: 32,
        label: { formatter: "{b}：{c}" },
        data: data.categories.map(function (c, i) {
          var v = data.series[0].data[i];
          // A zero slice has no area: keep it in the data (same numbers as the table), hide its label.
          return v ? { name: c, value: v } : { name: c, value: v, label: { show: false }, labelLine: { show: false } };
        })
      }];
      return o;
    }
    var horizontal = data.kind === "hbar";
    var unit = unitOf(data);
    var category = {
      type: "category", data: data.categories, inverse: horizontal,
      axisLabel: { width: horizontal ? 220 : 140, overflow: "truncate", hideOverlap: true }
    };
    var value = { type: "value", name: unit, minInterval: unit === "%" ? 0 : 1, max: unit === "%" ? 100 : null };
    o.xAxis = horizontal ? value : category;
    o.yAxis = horizontal ? category : value;
    o.series = data.series.map(function (s) {
      return {
        name: s.name, data: s.data, type: data.kind === "line" ? "line" : "bar", barMaxWidth: 48,
        stack: data.kind === "stacked" ? "total" : undefined,
        label: { show: data.categories.length <= 12 && data.kind !== "stacked", position: horizontal ? "right" : "top" }
      };
    });
    return o;
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || !window.echarts) return;
    el.hidden = false;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option(JSON.parse(source.textContent)));
    el.setAttribute("data-rendered", "true");
    instances.push(chart);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) window.clearTimeout(pending);
      pending = window.setTimeout(function () { instances.forEach(function (c) { c.resize(); }); }, 150);
    });
  });
})();
