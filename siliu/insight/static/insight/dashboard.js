// 县域统计 and 县域概况: the trade up against down as bars (this period and the one before), and the
// village stations on plain longitude/latitude axes, coloured by their orders and parcels in the period.
// The figures themselves are on the page; the charts show their proportions.
(function () {
  "use strict";
  if (typeof echarts === "undefined") {
    return;
  }
  const charts = [];

  const flows = document.getElementById("insight-flows");
  if (flows) {
    const data = JSON.parse(document.getElementById("insight-flows-data").textContent);
    const colours = ["#146c43", "#8fbc8f"];
    const chart = echarts.init(flows, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, data: data.series.map((series) => series.name) },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, width: 110, overflow: "break" } },
      yAxis: {
        type: "value",
        splitNumber: 3,
        axisLabel: {
          hideOverlap: true,
          // 10,000 yuan and more in 万 (ten thousands), so that the labels fit a phone.
          formatter: (value) => (value >= 10000 ? `${value / 10000}${flows.dataset.labelTenThousand}` : String(value)),
        },
      },
      series: data.series.map((series, index) => ({
        name: series.name, type: "bar", data: series.yuan, itemStyle: { color: colours[index % colours.length] },
      })),
    });
    flows.dataset.ready = "true";
    charts.push(chart);
  }

  const map = document.getElementById("insight-map");
  if (map) {
    const data = JSON.parse(document.getElementById("insight-map-data").textContent);
    // No business in grey; then light to dark as the station is busier.
    const colours = ["#adb5bd", "#9ec5fe", "#3d8bfd", "#0a3d91"];
    const sizes = [6, 8, 11, 14];
    const lons = data.stations.map((station) => station.value[0]);
    const lats = data.stations.map((station) => station.value[1]);
    const pad = 0.02;
    const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const chart = echarts.init(map, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: (item) =>
          `${escape(item.data.name)}<br>${escape(item.data.township)}<br>`
          + `${escape(data.labels.orders)} ${item.data.orders} · ${escape(data.labels.parcels)} ${item.data.parcels}`,
      },
      legend: { top: 0, data: data.levels },
      // Room for the legend, on two lines on a phone.
      grid: { left: 50, right: 32, top: map.clientWidth < 576 ? 84 : 56, bottom: 40 },
      xAxis: {
        type: "value", name: map.dataset.labelLongitude, nameLocation: "middle", nameGap: 28, scale: true,
        min: lons.length ? Math.min(...lons) - pad : undefined,
        max: lons.length ? Math.max(...lons) + pad : undefined,
        axisLabel: { formatter: (v) => v.toFixed(2), hideOverlap: true },
      },
      yAxis: {
        type: "value", name: map.dataset.labelLatitude, scale: true,
        min: lats.length ? Math.min(...lats) - pad : undefined,
        max: lats.length ? Math.max(...lats) + pad : undefined,
        axisLabel: { formatter: (v) => v.toFixed(2) },
      },
      dataZoom: [{ type: "inside", xAxisIndex: 0 }, { type: "inside", yAxisIndex: 0 }],
      series: data.levels.map((label, level) => ({
        name: label, type: "scatter", symbolSize: sizes[level], z: 2 + level,
        itemStyle: { color: colours[level], borderColor: "#fff", borderWidth: 0.5 },
        data: data.stations.filter((station) => station.level === level),
      })),
    });
    map.dataset.stationCount = String(data.stations.length);
    map.dataset.ready = "true";
    charts.push(chart);
  }

  // Redrawn when their box changes size (the window, or larger text).
  const observer = new ResizeObserver(() => charts.forEach((chart) => chart.resize()));
  charts.forEach((chart) => observer.observe(chart.getDom()));
})();
