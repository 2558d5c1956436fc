// Hatchery: draws the charts whose ECharts options a page carries in
// <script type="application/json" id="chart-data">. Loaded only with ECharts.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var data = document.getElementById("chart-data");
    if (!data || typeof echarts === "undefined") { return; }
    var drawn = [];
    JSON.parse(data.textContent).forEach(function (c) {
      var el = document.getElementById(c.id);
      if (!el) { return; }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(c.option);
      drawn.push({ el: el, chart: chart });
    });
    // A chart follows its own box, not only the window: a box narrowed by
    // the layout (a column folded away, a print page) redraws as well.
    if (window.ResizeObserver) {
      var watch = new ResizeObserver(function (entries) {
        entries.forEach(function (e) { echarts.getInstanceByDom(e.target).resize(); });
      });
      drawn.forEach(function (d) { watch.observe(d.el); });
    } else {
      window.addEventListener("resize", function () {
        drawn.forEach(function (d) { d.chart.resize(); });
      });
    }
  });
})();
