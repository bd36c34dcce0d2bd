// The ECharts build Siliu vendors as static/vendor/echarts.custom.min.js: only what the pages draw.
// network/map.js and logistics/rounds_map.js use scatter and lines series on a cartesian grid of value
// axes, lending/schedule_chart.js a stacked bar series on a category axis, with tooltip, legend and
// inside data zoom, drawn on canvas. A page that needs another series or
// component adds it here and runs tools/build-echarts.sh.
import * as echarts from "echarts/core";
import { BarChart, LinesChart, ScatterChart } from "echarts/charts";
import {
  DataZoomInsideComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  LinesChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomInsideComponent,
  CanvasRenderer,
]);

export * from "echarts/core";
