/**
 * A grouped horizontal bar chart as a standalone SVG, for benchmark results: one group of
 * bars per measure, one bar (and colour) per contender, each bar labelled with its value.
 * Drawn by Vega-Lite and Vega headless, with `leanrec/mem`'s renderer.
 */
import type { TopLevelSpec } from 'vega-lite';
import { render } from '../../src/mem/plot.ts';

/** One bar. */
export interface Bar {
  /** The measure (one group of bars), e.g. `point lookups/s`. */
  group: string;
  /** The contender (one colour). */
  series: string;
  value: number;
  /** The text beside the bar. */
  label: string;
}

/** Options of {@link groupedBarChart}. */
export interface GroupedBarOptions {
  title: string;
  subtitle?: string;
  /** Title of the value axis. */
  axis: string;
  /** Logarithmic value axis (for measures spanning orders of magnitude). @defaultValue false */
  log?: boolean;
  /** Order of the groups, top to bottom. @defaultValue first appearance */
  groups?: readonly string[];
  /** Order of the series within a group (and in the legend). @defaultValue first appearance */
  series?: readonly string[];
  /** Width of the plot area in pixels. @defaultValue 560 */
  width?: number;
}

/** The powers of ten from `low` to `high`. */
function powers(low: number, high: number): number[] {
  const out: number[] = [];
  for (let p = low; p <= high * 1.0001; p *= 10) out.push(p);
  return out;
}

/** The SVG document of a grouped bar chart of `bars` (bars with a non-finite value are left out). */
export async function groupedBarChart(
  bars: readonly Bar[],
  options: GroupedBarOptions,
): Promise<string> {
  const values = bars.filter((b) => Number.isFinite(b.value) && (!options.log || b.value > 0));
  const groups = options.groups ?? [...new Set(values.map((b) => b.group))];
  const series = options.series ?? [...new Set(values.map((b) => b.series))];
  // A log axis has no zero: bars start at the power of ten below the smallest value.
  const low = 10 ** Math.floor(Math.log10(Math.min(...values.map((b) => b.value))));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...values.map((b) => b.value))));
  const scale = options.log ? { type: 'log' as const, domain: [low, high] } : { zero: true };
  const data = values.map((b) => ({ ...b, base: options.log ? low : 0 }));
  // Checked against Vega-Lite's type here (the bench has vega-lite); render takes plain data.
  const spec = {
    title:
      options.subtitle === undefined
        ? options.title
        : { text: options.title, subtitle: options.subtitle },
    width: options.width ?? 560,
    height: { step: 14 },
    background: 'white',
    data: { values: data },
    encoding: {
      y: {
        field: 'group',
        type: 'nominal',
        sort: [...groups],
        title: null,
        axis: { labelLimit: 0 },
      },
      yOffset: { field: 'series', type: 'nominal', sort: [...series] },
      x: {
        field: 'value',
        type: 'quantitative',
        title: options.axis,
        scale,
        axis: { format: '~s', ...(options.log ? { values: powers(low, high) } : {}) },
      },
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x2: { field: 'base' },
          color: {
            field: 'series',
            type: 'nominal',
            sort: [...series],
            title: null,
            legend: { orient: 'top' },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 9 },
        encoding: { text: { field: 'label', type: 'nominal' } },
      },
    ],
  } satisfies TopLevelSpec;
  return render(spec);
}
