// 经营概况: the seller's monthly sales (goods value as bars, orders as points on a second axis) and
// parcels (sent; delivered on time and late, stacked). The table below the charts holds the figures.
(function () {
  "use strict";
  const source = document.getElementById("profile-chart-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const months = data.months.map((month) => month.slice(2));
  const charts = [];

  const draw = (id, option) => {
    const element = document.getElementById(id);
    if (!element) {
      return null;
    }
    const chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(Object.assign({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: months, axisLabel: { hideOverlap: true } },
    }, option));
    charts.push(chart);
    return element;
  };

  const sales = document.getElementById("profile-sales-chart");
  if (sales) {
    const tenThousand = sales.dataset.labelTenThousand;
    draw("profile-sales-chart", {
      yAxis: [
        {
          type: "value",
          splitNumber: 3,
          axisLabel: { formatter: (value) => (value >= 10000 ? `${value / 10000}${tenThousand}` : String(value)) },
        },
        { type: "value", splitNumber: 3, minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        { name: sales.dataset.labelGmv, type: "bar", data: data.gmv_yuan, itemStyle: { color: "#146c43" } },
        {
          name: sales.dataset.labelOrders, type: "scatter", yAxisIndex: 1, data: data.orders,
          symbolSize: 9, itemStyle: { color: "#fd7e14" },
        },
      ],
    });
  }

  const parcels = document.getElementById("profile-parcels-chart");
  if (parcels) {
    draw("profile-parcels-chart", {
      yAxis: { type: "value", splitNumber: 3, minInterval: 1 },
      series: [
        { name: parcels.dataset.labelSent, type: "bar", data: data.parcels_sent, itemStyle: { color: "#0d6efd" } },
        {
          name: parcels.dataset.labelOnTime, type: "bar", stack: "delivered", data: data.parcels_on_time,
          itemStyle: { color: "#198754" },
        },
        {
          name: parcels.dataset.labelLate, type: "bar", stack: "delivered", data: data.parcels_late,
          itemStyle: { color: "#dc3545" },
        },
      ],
    });
  }
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
