// The ECharts build Siliu vendors as static/vendor/echarts.custom.min.js: only what the pages draw.
// network/map.js and logistics/rounds_map.js use scatter and lines series on a cartesian grid of value
// axes, with tooltip, legend and inside data zoom, drawn on canvas. A page that needs another series or
// component adds it here and runs tools/build-echarts.sh.
import * as echarts from "echarts/core";
import { LinesChart, ScatterChart } from "echarts/charts";
import {
  DataZoomInsideComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  LinesChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomInsideComponent,
  CanvasRenderer,
]);

export * from "echarts/core";
