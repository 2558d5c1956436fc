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
      drawn.push(chart);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (c) { c.resize(); });
    });
  });
})();
