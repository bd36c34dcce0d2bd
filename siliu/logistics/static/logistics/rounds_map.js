// A day's delivery rounds drawn with ECharts on longitude/latitude axes: one colour per vehicle, each
// trip from the outlet through its stops and back; stations left out in grey.
(function () {
  "use strict";
  const element = document.getElementById("rounds-map");
  if (!element) return;
  const data = JSON.parse(document.getElementById("rounds-map-data").textContent);
  const colours = ["#c0392b", "#2e86c1", "#1e8449", "#8e44ad", "#d35400", "#16a085", "#2c3e50", "#b7950b"];
  const depot = data.outlet ? [data.outlet.longitude, data.outlet.latitude] : null;
  const points = [];
  const lines = [];
  const stopSeries = data.routes.map((route, index) => {
    const colour = colours[index % colours.length];
    const trips = new Map();
    route.stops.forEach((stop, position) => {
      const point = [stop.longitude, stop.latitude];
      points.push(point);
      if (!trips.has(stop.trip)) trips.set(stop.trip, []);
      trips.get(stop.trip).push({ point, position });
    });
    trips.forEach((stops) => {
      const coords = [depot, ...stops.map((stop) => stop.point), depot].filter(Boolean);
      lines.push({ coords, lineStyle: { color: colour }, name: route.vehicle.name });
    });
    return {
      name: route.vehicle.name, type: "scatter", z: 3, symbolSize: 9, itemStyle: { color: colour },
      label: { show: true, position: "right", fontSize: 10, formatter: (item) => String(item.data.order) },
      data: route.stops.map((stop, position) => ({
        name: stop.name, value: [stop.longitude, stop.latitude], order: position + 1, arrives: stop.arrives_at,
      })),
    };
  });
  data.unserved.forEach((item) => points.push([item.longitude, item.latitude]));
  if (depot) points.push(depot);
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  const pad = 0.01;
  const chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: {
      trigger: "item",
      formatter: (item) =>
        item.seriesType === "lines" ? item.data.name
          : `${item.data.name}${item.data.arrives ? "<br>" + item.data.arrives : ""}${item.data.reason ? "<br>" + item.data.reason : ""}`,
    },
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 40 },
    xAxis: {
      type: "value", name: element.dataset.labelLongitude, nameLocation: "middle", nameGap: 28, scale: true,
      min: lons.length ? Math.min(...lons) - pad : undefined, max: lons.length ? Math.max(...lons) + pad : undefined,
      axisLabel: { formatter: (v) => v.toFixed(2) },
    },
    yAxis: {
      type: "value", name: element.dataset.labelLatitude, scale: true,
      min: lats.length ? Math.min(...lats) - pad : undefined, max: lats.length ? Math.max(...lats) + pad : undefined,
      axisLabel: { formatter: (v) => v.toFixed(2) },
    },
    dataZoom: [{ type: "inside", xAxisIndex: 0 }, { type: "inside", yAxisIndex: 0 }],
    series: [
      { type: "lines", coordinateSystem: "cartesian2d", polyline: true, z: 1, data: lines, lineStyle: { width: 2, opacity: 0.8 } },
      ...stopSeries,
      {
        name: element.dataset.labelUnserved, type: "scatter", z: 2, symbolSize: 7, itemStyle: { color: "#999" },
        data: data.unserved.map((item) => ({ name: item.name, value: [item.longitude, item.latitude], reason: item.reason_label })),
      },
      {
        name: data.outlet ? data.outlet.name : "", type: "scatter", z: 4, symbol: "diamond", symbolSize: 16,
        itemStyle: { color: "#000" }, label: { show: true, position: "right", formatter: "{b}" },
        data: depot ? [{ name: data.outlet.name, value: depot }] : [],
      },
    ],
  });
  element.dataset.routeCount = String(data.routes.length);
  element.dataset.ready = "true";
  window.addEventListener("resize", () => chart.resize());
})();
