// The loan calculator: sliders beside the amount and term fields (shown only with JavaScript; the form
// works as a plain GET without it), a new schedule when a slider is let go or the product changes, and
// the schedule's principal and interest per installment as stacked bars (the table holds the figures).
(function () {
  "use strict";
  const form = document.getElementById("calculator-form");
  if (form) {
    form.querySelectorAll("[data-slider]").forEach((wrapper) => {
      const slider = wrapper.querySelector("input[type=range]");
      const field = document.getElementById(slider.dataset.sliderFor);
      const value = Number.parseFloat(field.value);
      if (Number.isFinite(value)) {
        slider.value = String(value);
      }
      wrapper.hidden = false;
      // A product's terms (6, 12, 24 months): the term slider stops only at those.
      const allowed = (slider.dataset.allowed || "").split(",").filter(Boolean).map(Number);
      const snapped = () => {
        const value = Number(slider.value);
        if (!allowed.length) {
          return String(value);
        }
        const nearest = allowed.reduce((best, term) => (Math.abs(term - value) < Math.abs(best - value) ? term : best));
        slider.value = String(nearest);
        return String(nearest);
      };
      slider.addEventListener("input", () => {
        field.value = snapped();
      });
      slider.addEventListener("change", () => {
        field.value = snapped();
        form.requestSubmit();
      });
      field.addEventListener("input", () => {
        const typed = Number.parseFloat(field.value);
        if (Number.isFinite(typed)) {
          slider.value = String(typed);
        }
      });
    });
    form.querySelectorAll("[data-submit-on-change]").forEach((select) => {
      select.addEventListener("change", () => form.requestSubmit());
    });
  }

  const element = document.getElementById("schedule-chart");
  if (!element || typeof echarts === "undefined") {
    return;
  }
  const data = JSON.parse(document.getElementById("schedule-chart-data").textContent);
  const chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, data: [element.dataset.labelPrincipal, element.dataset.labelInterest] },
    grid: { left: 56, right: 12, top: 36, bottom: 36 },
    xAxis: {
      type: "category", data: data.labels, name: element.dataset.labelInstallment,
      nameLocation: "middle", nameGap: 24,
    },
    yAxis: { type: "value", axisLabel: { formatter: (v) => v.toLocaleString() } },
    dataZoom: data.labels.length > 60 ? [{ type: "inside", xAxisIndex: 0 }] : [],
    series: [
      {
        name: element.dataset.labelPrincipal, type: "bar", stack: "total",
        itemStyle: { color: "#2e86c1" }, data: data.principal,
      },
      {
        name: element.dataset.labelInterest, type: "bar", stack: "total",
        itemStyle: { color: "#c0392b" }, data: data.interest,
      },
    ],
  });
  element.dataset.installmentCount = String(data.labels.length);
  element.dataset.ready = "true";
  window.addEventListener("resize", () => chart.resize());
})();
