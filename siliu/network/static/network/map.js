// The outlet network drawn with ECharts on plain longitude/latitude axes (no map tiles needed).
(function () {
  "use strict";
  const element = document.getElementById("network-map");
  const data = JSON.parse(document.getElementById("network-map-data").textContent);
  const byCode = new Map(data.outlets.map((outlet) => [outlet.code, outlet]));
  const style = {
    county_hub: { color: "#c0392b", size: 18, symbol: "diamond" },
    township_office: { color: "#1e8449", size: 12, symbol: "rect" },
    village_station: { color: "#2e86c1", size: 6, symbol: "circle" },
  };
  const roads = data.links
    .filter((link) => byCode.has(link.source) && byCode.has(link.target))
    .map((link) => ({
      coords: [byCode.get(link.source).value, byCode.get(link.target).value],
      distance_km: link.distance_km,
    }));
  const lons = data.outlets.map((o) => o.value[0]);
  const lats = data.outlets.map((o) => o.value[1]);
  const pad = 0.02;
  const chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: {
      trigger: "item",
      formatter: (item) =>
        item.seriesType === "lines"
          ? `${item.data.distance_km} km`
          : `${echarts.format.encodeHTML(item.data.name)}<br>${item.data.code}` +
            (item.data.services || [])
              .map((service) => `<br><span class="badge text-bg-info">${echarts.format.encodeHTML(data.services[service])}</span>`)
              .join(""),
    },
    legend: { top: 0, data: data.kinds.map((kind) => kind.label) },
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
      {
        type: "lines", coordinateSystem: "cartesian2d", data: roads, silent: false, z: 1,
        lineStyle: { color: "#999", width: 1, opacity: 0.7 },
      },
      ...data.kinds.map((kind) => ({
        name: kind.label, type: "scatter", z: 2,
        symbol: style[kind.value].symbol, symbolSize: style[kind.value].size,
        itemStyle: { color: style[kind.value].color },
        label: { show: kind.value !== "village_station", position: "right", formatter: "{b}", fontSize: 11 },
        data: data.outlets.filter((o) => o.kind === kind.value),
      })),
    ],
  });
  chart.on("click", (item) => {
    if (item.seriesType === "scatter") {
      window.location.href = element.dataset.detailUrl.replace("CODE", encodeURIComponent(item.data.code));
    }
  });
  element.dataset.outletCount = String(data.outlets.length);
  element.dataset.ready = "true";
  window.addEventListener("resize", () => chart.resize());
})();
