/**
 * Charts of memory: a memstats series ({@link sampleMemory}'s TSV) as an SVG line chart,
 * a store's memory breakdown as an SVG bar chart, and a plain-text table with a sparkline
 * for terminals.
 *
 * The SVG charts are drawn by Vega-Lite and Vega, headless (no browser, no canvas). Both
 * are optional peer dependencies, imported on the first chart only: importing `leanrec/mem`
 * stays light, an app that draws no chart need not install them, and no public type
 * mentions theirs (their `.d.ts` need the DOM lib, which a Node app's tsconfig lacks).
 */
import { LeanrecError } from '../errors.ts';
import type { StoreMemory } from '../store/types.ts';
import type { MemorySample } from './sampler.ts';

/** The series {@link memstatsChart} draws and {@link memstatsTable} summarises, in order. */
export const MEMSTATS_SERIES = ['rss', 'heapTotal', 'heapUsed', 'external'] as const;

/** Options of {@link memstatsChart}. */
export interface MemstatsChartOptions {
  /** The chart's title. @defaultValue `'memory'` */
  title?: string;
  /** Width of the plot area in pixels. @defaultValue 720 */
  width?: number;
  /** Height of the plot area in pixels. @defaultValue 320 */
  height?: number;
  /**
   * At most this many points per line: longer series are bucketed, each bucket drawn at
   * its maximum (peaks survive). @defaultValue 2000
   */
  maxPoints?: number;
}

/** Options of {@link breakdownChart}. */
export interface BreakdownChartOptions {
  /** The chart's title. @defaultValue `'store memory'` */
  title?: string;
  /** Width of the plot area in pixels. @defaultValue 480 */
  width?: number;
  /** At most this many bars besides "other". @defaultValue 15 */
  maxBars?: number;
  /** Parts under this share of the total go to "other". @defaultValue 0.01 */
  minShare?: number;
}

/**
 * A Vega-Lite specification as plain data (what `vega-lite`'s `TopLevelSpec` describes),
 * kept as our own loose type so that leanrec's declarations do not depend on Vega's.
 */
export type ChartSpec = { readonly [key: string]: unknown };

const MiB = 1024 * 1024;

/**
 * An SVG line chart of a memstats series: rss, heapTotal, heapUsed and external in MiB
 * over seconds, with every mark as a labelled dashed vertical rule (the sampler's own
 * `start` on the first sample and `stop` on the last are left out).
 *
 * @param samples - Samples in time order, e.g. from {@link parseMemstats}.
 * @returns A standalone SVG document (`<svg …>…</svg>`).
 * @throws LeanrecError `E_ARGUMENT` when there are no samples or a size is not positive.
 * @example
 * ```ts
 * import { readFile, writeFile } from 'node:fs/promises'
 * import { memstatsChart, parseMemstats } from 'leanrec/mem'
 *
 * const samples = parseMemstats(await readFile('memstats.tsv', 'utf8'))
 * await writeFile('mem.svg', await memstatsChart(samples, { title: 'ingest' }))
 * ```
 */
export async function memstatsChart(
  samples: readonly MemorySample[],
  options: MemstatsChartOptions = {},
): Promise<string> {
  if (samples.length === 0)
    throw new LeanrecError('E_ARGUMENT', 'memstatsChart: there are no samples to plot');
  const width = positive('width', options.width ?? 720);
  const height = positive('height', options.height ?? 320);
  const maxPoints = positive('maxPoints', options.maxPoints ?? 2000);

  const points: { t: number; series: string; mib: number }[] = [];
  for (const bucket of buckets(samples, Math.max(2, Math.floor(maxPoints)))) {
    const t = bucket[0]!.tMs / 1000;
    for (const name of MEMSTATS_SERIES) {
      let max = 0;
      for (const s of bucket) max = Math.max(max, s[name]);
      points.push({ t, series: name, mib: max / MiB });
    }
  }
  const marks = userMarks(samples).map((m, i) => ({
    t: m.tMs / 1000,
    label: m.mark,
    // Stagger the labels over three rows so neighbours overlap less.
    row: 4 + (i % 3) * 13,
  }));

  const spec: ChartSpec = {
    title: options.title ?? 'memory',
    width,
    height,
    background: 'white',
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'seconds' },
          y: { field: 'mib', type: 'quantitative', title: 'MiB' },
          color: {
            field: 'series',
            type: 'nominal',
            sort: [...MEMSTATS_SERIES],
            title: null,
            legend: { orient: 'top' },
          },
        },
      },
      ...(marks.length === 0
        ? []
        : [
            {
              data: { values: marks },
              mark: { type: 'rule' as const, color: '#888', strokeDash: [4, 3] },
              encoding: { x: { field: 't', type: 'quantitative' as const } },
            },
            {
              data: { values: marks },
              mark: {
                type: 'text' as const,
                align: 'left' as const,
                baseline: 'top' as const,
                dx: 3,
                fontSize: 10,
                color: '#444',
              },
              encoding: {
                x: { field: 't', type: 'quantitative' as const },
                y: { field: 'row', type: 'quantitative' as const, scale: null },
                text: { field: 'label', type: 'nominal' as const },
              },
            },
          ]),
    ],
  };
  return render(spec);
}

/**
 * An SVG bar chart of a store's memory, part by part: the largest parts sorted by bytes,
 * coloured by kind, and the small ones (under `minShare` of the total, or past `maxBars`)
 * added up as one "other" bar.
 *
 * @param memory - What `store.memory()` reports.
 * @returns A standalone SVG document (`<svg …>…</svg>`).
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises'
 * import { breakdownChart } from 'leanrec/mem'
 *
 * await writeFile('store.svg', await breakdownChart(store.memory(), { title: 'Packages' }))
 * ```
 */
export async function breakdownChart(
  memory: StoreMemory,
  options: BreakdownChartOptions = {},
): Promise<string> {
  const width = positive('width', options.width ?? 480);
  const maxBars = Math.max(1, Math.floor(options.maxBars ?? 15));
  const minShare = options.minShare ?? 0.01;
  const parts = memory.parts.filter((p) => p.bytes > 0).sort((a, b) => b.bytes - a.bytes);
  const total = parts.reduce((sum, p) => sum + p.bytes, 0);
  const bars: { name: string; kind: string; bytes: number; label: string }[] = [];
  let otherBytes = 0;
  let otherCount = 0;
  for (const p of parts) {
    if (bars.length < maxBars && p.bytes >= total * minShare)
      bars.push({ name: p.name, kind: p.kind, bytes: p.bytes, label: formatBytes(p.bytes) });
    else {
      otherBytes += p.bytes;
      otherCount++;
    }
  }
  if (otherCount > 0)
    bars.push({
      name: `other (${otherCount} part${otherCount === 1 ? '' : 's'})`,
      kind: 'other',
      bytes: otherBytes,
      label: formatBytes(otherBytes),
    });

  const spec: ChartSpec = {
    title: {
      text: options.title ?? 'store memory',
      subtitle: `total ${formatBytes(memory.total)}, ${memory.records.toLocaleString('en-US')} records`,
    },
    width,
    height: { step: 20 },
    background: 'white',
    data: { values: bars },
    encoding: {
      y: { field: 'name', type: 'nominal', sort: null, title: null },
      x: { field: 'bytes', type: 'quantitative', title: 'bytes', axis: { format: '~s' } },
    },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: { color: { field: 'kind', type: 'nominal', legend: { orient: 'bottom' } } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 },
        encoding: { text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
  return render(spec);
}

/**
 * A plain-text summary of a memstats series for a terminal: min, max and last of every
 * series, the marks with their times, and a sparkline of rss (`▁▂▃▄▅▆▇█`).
 *
 * @example
 * ```ts
 * console.log(memstatsTable(parseMemstats(readFileSync('memstats.tsv', 'utf8'))))
 * // series        min        max       last
 * // rss       48.2 MiB  131.0 MiB   97.5 MiB
 * // …
 * // rss  ▁▁▂▃▅▇██▆▅  (1,204 samples, 120.3 s)
 * ```
 */
export function memstatsTable(samples: readonly MemorySample[], sparkWidth = 60): string {
  if (samples.length === 0) return 'no samples\n';
  const names = [...MEMSTATS_SERIES, 'arrayBuffers'] as const;
  const rows: string[][] = [['series', 'min', 'max', 'last']];
  for (const name of names) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const s of samples) {
      min = Math.min(min, s[name]);
      max = Math.max(max, s[name]);
    }
    rows.push([name, formatBytes(min), formatBytes(max), formatBytes(samples.at(-1)![name])]);
  }
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  let text = '';
  for (const r of rows)
    text += `${r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]!) : cell.padStart(w[c]!))).join('  ')}\n`;

  const marked = samples.filter((s) => s.mark !== undefined);
  if (marked.length > 0) {
    const times = marked.map((s) => `${(s.tMs / 1000).toFixed(3)} s`);
    const tw = Math.max(...times.map((t) => t.length));
    text += 'marks\n';
    marked.forEach((s, i) => {
      text += `  ${times[i]!.padStart(tw)}  ${s.mark}\n`;
    });
  }
  const seconds = (samples.at(-1)!.tMs - samples[0]!.tMs) / 1000;
  text += `rss  ${sparkline(
    samples.map((s) => s.rss),
    sparkWidth,
  )}  (${samples.length.toLocaleString('en-US')} samples, ${seconds.toFixed(1)} s)\n`;
  return text;
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/**
 * `values` as a line of block characters, at most `width` long (longer series are
 * bucketed, each bucket shown at its maximum), scaled from the minimum to the maximum.
 *
 * @example
 * ```ts
 * sparkline([1, 2, 3, 8]) // '▁▂▃█'
 * ```
 */
export function sparkline(values: readonly number[], width = 60): string {
  if (values.length === 0) return '';
  const n = Math.max(1, Math.min(Math.floor(width), values.length));
  const cells: number[] = [];
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * values.length) / n);
    const to = Math.max(from + 1, Math.floor(((i + 1) * values.length) / n));
    let max = Number.NEGATIVE_INFINITY;
    for (let j = from; j < to; j++) max = Math.max(max, values[j]!);
    cells.push(max);
  }
  const lo = Math.min(...cells);
  const hi = Math.max(...cells);
  return cells
    .map((v) => BLOCKS[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * (BLOCKS.length - 1))])
    .join('');
}

/** Marks a user made: without the sampler's `start` (first sample) and `stop` (last). */
function userMarks(samples: readonly MemorySample[]): (MemorySample & { mark: string })[] {
  const last = samples.length - 1;
  return samples.filter(
    (s, i): s is MemorySample & { mark: string } =>
      s.mark !== undefined &&
      !(i === 0 && s.mark === 'start') &&
      !(i === last && s.mark === 'stop'),
  );
}

/** `samples` cut into at most `n` consecutive, non-empty buckets. */
function buckets(samples: readonly MemorySample[], n: number): MemorySample[][] {
  if (samples.length <= n) return samples.map((s) => [s]);
  const out: MemorySample[][] = [];
  for (let i = 0; i < n; i++)
    out.push(
      samples.slice(
        Math.floor((i * samples.length) / n),
        Math.floor(((i + 1) * samples.length) / n),
      ),
    );
  return out;
}

function positive(name: string, n: number): number {
  if (!(n > 0) || !Number.isFinite(n))
    throw new LeanrecError('E_ARGUMENT', `${name} must be a positive number, got ${n}`);
  return n;
}

function formatBytes(n: number): string {
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** The optional peer dependencies that draw the SVG charts. */
export const CHART_PEERS = ['vega', 'vega-lite'] as const;

/**
 * Compiles a Vega-Lite spec and renders it to SVG headless; imports Vega and Vega-Lite on
 * first use. Internal (not exported by `leanrec/mem`); the benchmarks draw their charts
 * with it.
 *
 * @throws LeanrecError `E_MISSING_PEER` when `vega` or `vega-lite` is not installed (the
 * message says which and how to install them).
 */
export async function render(spec: ChartSpec): Promise<string> {
  const vega = await importPeer<typeof import('vega')>('vega');
  const vegaLite = await importPeer<typeof import('vega-lite')>('vega-lite');
  const compiled = vegaLite.compile(spec as unknown as import('vega-lite').TopLevelSpec);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Imports an optional peer, turning "not installed" into an `E_MISSING_PEER` naming it. */
async function importPeer<M>(name: (typeof CHART_PEERS)[number]): Promise<M> {
  try {
    return (await import(name)) as M;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Only the package itself missing: a broken install of it stays its own error.
    if (code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(`'${name}'`))
      throw new LeanrecError(
        'E_MISSING_PEER',
        `SVG charts need the optional peer dependency ${name}, which is not installed: npm install ${CHART_PEERS.join(' ')}`,
        { cause: e },
      );
    throw e;
  }
}
