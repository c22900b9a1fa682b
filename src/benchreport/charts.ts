/** Cost-against-size charts as SVG, drawn by Vega-Lite (compiled to Vega, rendered headless). */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from './types.js';

/** The Vega-Lite spec of a chart: one line with points per series. */
export function chartSpec(c: ChartSpec): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: c.title,
    width: 520,
    height: 300,
    background: 'white',
    data: { values: c.points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: c.xTitle, scale: c.logX ? { type: 'log' } : { zero: false } },
      y: { field: 'y', type: 'quantitative', title: c.yTitle, scale: c.logY ? { type: 'log' } : {} },
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as TopLevelSpec;
}

export async function renderSvg(c: ChartSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(chartSpec(c)).spec), { renderer: 'none' });
  try { return await view.toSVG(); } finally { view.finalize(); }
}
