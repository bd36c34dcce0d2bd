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
    grid: { left: 48, right: 24, top: 8, bottom: 28 },
    xAxis: { type: "value", name: element.dataset.labelYuan, nameLocation: "middle", nameGap: 20 },
    yAxis: { type: "category", data: data.labels, inverse: true },
    series: [{
      type: "bar",
      data: data.yuan.map((value, index) => ({ value, itemStyle: { color: colours[index % colours.length] } })),
    }],
  });
  window.addEventListener("resize", () => chart.resize());
})();
