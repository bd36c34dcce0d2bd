// The coverage map: every village drawn on plain longitude/latitude axes (as the network map, no tiles),
// green where an exhibition was held in the year, grey where none has been yet.
(function () {
  "use strict";
  const element = document.getElementById("coverage-map");
  if (!element) return;
  const data = JSON.parse(document.getElementById("coverage-map-data").textContent);
  const points = data.villages;
  const lons = points.map((village) => village.value[0]);
  const lats = points.map((village) => village.value[1]);
  const pad = 0.02;
  const series = (covered, name, color, size) => ({
    name, type: "scatter", symbolSize: size, itemStyle: { color, borderColor: "#fff", borderWidth: 1 },
    label: { show: covered, position: "right", formatter: "{b}", fontSize: 11 },
    data: points.filter((village) => village.covered === covered),
  });
  const chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: {
      trigger: "item",
      formatter: (item) => `${echarts.format.encodeHTML(item.data.township)} ${echarts.format.encodeHTML(item.data.name)}`
        + `<br>${echarts.format.encodeHTML(item.seriesName)}`
        + (item.data.held ? ` · ${item.data.held} ${echarts.format.encodeHTML(data.labels.held)}` : ""),
    },
    legend: { top: 0, data: [data.labels.covered, data.labels.uncovered] },
    grid: { left: 50, right: 20, top: 40, bottom: 40 },
    xAxis: {
      type: "value", name: element.dataset.labelLongitude, nameLocation: "middle", nameGap: 28, scale: true,
      min: lons.length ? Math.min(...lons) - pad : undefined,
      max: lons.length ? Math.max(...lons) + pad : undefined,
      axisLabel: { formatter: (v) => v.toFixed(2) },
    },
    yAxis: {
      type: "value", name: element.dataset.labelLatitude, scale: true,
      min: lats.length ? Math.min(...lats) - pad : undefined,
      max: lats.length ? Math.max(...lats) + pad : undefined,
      axisLabel: { formatter: (v) => v.toFixed(2) },
    },
    dataZoom: [{ type: "inside", xAxisIndex: 0 }, { type: "inside", yAxisIndex: 0 }],
    series: [
      series(false, data.labels.uncovered, "#7f8c8d", 9),
      series(true, data.labels.covered, "#1e8449", 13),
    ],
  });
  element.dataset.villageCount = String(points.length);
  element.dataset.coveredCount = String(points.filter((village) => village.covered).length);
  element.dataset.ready = "true";
  window.addEventListener("resize", () => chart.resize());
})();
