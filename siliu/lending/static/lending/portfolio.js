// The portfolio page: principal outstanding by five-category class as horizontal bars (the table above
// holds the figures; the chart only shows their proportions).
(function () {
  "use strict";
  const element = document.getElementById("portfolio-chart");
  if (!element || typeof echarts === "undefined") {
    return;
  }
  const data = JSON.parse(document.getElementById("portfolio-chart-data").textContent);
  const colours = ["#198754", "#0d6efd", "#fd7e14", "#dc3545", "#6c1a24"];
  const chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: {
      type: "value",
      splitNumber: 3,
      axisLabel: {
        hideOverlap: true,
        // 10,000 yuan and more in 万 (ten thousands), so that the labels fit a phone.
        formatter: (value) => (value >= 10000 ? `${value / 10000}${element.dataset.labelTenThousand}` : String(value)),
      },
    },
    yAxis: { type: "category", data: data.labels, inverse: true },
    series: [{
      type: "bar",
      data: data.yuan.map((value, index) => ({ value, itemStyle: { color: colours[index % colours.length] } })),
    }],
  });
  window.addEventListener("resize", () => chart.resize());
})();
