/**
 * The benchmark harness: run each contender in its own child process, N times, collect
 * one JSON line of results per run, take medians, print an aligned table and write
 * `bench/results/<suite>.json` (raw runs) and `bench/results/<suite>.md` (the table).
 *
 * Parent side: {@link runSuite}, {@link median}, {@link textTable}, {@link markdownTable},
 * {@link writeResults}. Child side: {@link emit}, {@link settledMemory}, {@link status},
 * {@link mulberry32} / {@link pickIndices} (the seeded key sequence every contender shares).
 *
 * Contenders run as `node --expose-gc --conditions=leanrec-source --import tsx <script>`, so
 * every process starts from the same state; runs are interleaved (run 1 of every contender,
 * then run 2…) so a slow moment of the machine does not land on one contender only.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Node flags of every contender process. */
export const CHILD_FLAGS = ['--expose-gc', '--conditions=leanrec-source', '--import', 'tsx'];

/** Runs per contender: `BENCH_RUNS` (default 3; results files want at least 3). */
export const RUNS = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 3) || 3);

/** Default seed of the key sequence (`BENCH_SEED` overrides it). */
export const SEED = Number(process.env['BENCH_SEED'] ?? 0x1eaf5eed) >>> 0;

/** What a contender prints: one flat object of numbers (and a few strings). */
export type Result = Record<string, number | string | unknown>;

/** One contender: a script under bench/ and its arguments. */
export interface Contender {
  /** Name in tables and JSON. */
  name: string;
  /** Script path relative to the repository root. */
  script: string;
  /** Extra arguments. */
  args?: string[];
}

// ── child side ──────────────────────────────────────────────────────────────────────────

/** Prints the one JSON line the parent reads, and ends the process. */
export function emit(result: Result): never {
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** Runs `gc()` twice (needs `--expose-gc`). */
export function gcTwice(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) throw new Error('run with --expose-gc');
  g();
  g();
}

/** heapUsed + external after two full GCs, and RSS, in bytes. */
export function settledMemory(): {
  resident: number;
  heapUsed: number;
  external: number;
  rss: number;
} {
  gcTwice();
  const m = process.memoryUsage();
  return {
    resident: m.heapUsed + m.external,
    heapUsed: m.heapUsed,
    external: m.external,
    rss: m.rss,
  };
}

/**
 * A field of /proc/self/status in bytes (`VmHWM` = peak RSS, `VmRSS` = current RSS,
 * `RssAnon` / `RssFile` = its anonymous and file-backed parts).
 */
export function status(field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync('/proc/self/status', 'utf8'),
    );
    return m === null ? Number.NaN : Number(m[1]) * 1024;
  } catch {
    return Number.NaN;
  }
}

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` indices in [0, n), drawn with {@link mulberry32}(seed): the same for every contender. */
export function pickIndices(n: number, count: number, seed = SEED): Uint32Array {
  const next = mulberry32(seed);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(next() * n);
  return out;
}

/**
 * Rate of `fn`, which does `unit` units of work per call: after a warm-up, `slices`
 * slices of at least `minMs` each; returns the median slice's units per second (other
 * processes on a shared machine slow some slices down; the median ignores a few).
 */
export function rate(fn: () => void, unit: number, slices = 7, minMs = 60): number {
  const t = performance.now();
  while (performance.now() - t < minMs) fn(); // warm-up
  const rates: number[] = [];
  for (let s = 0; s < slices; s++) {
    let calls = 0;
    const t0 = performance.now();
    let dt = 0;
    do {
      fn();
      calls++;
      dt = performance.now() - t0;
    } while (dt < minMs);
    rates.push((calls * unit) / (dt / 1000));
  }
  return median(rates);
}

/** The 1-minute load average (to show how shared the machine was). */
export function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return Number.NaN;
  }
}

// ── parent side ─────────────────────────────────────────────────────────────────────────

/** Runs one contender once in its own process and parses its JSON line. */
export function runOnce(c: Contender, timeoutMs = 300_000): Result {
  const t0 = performance.now();
  const res = spawnSync(
    process.execPath,
    [...CHILD_FLAGS, join(ROOT, c.script), ...(c.args ?? [])],
    {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (res.error !== undefined) throw new Error(`${c.name}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${c.name} exited with ${res.status ?? res.signal}`);
  const line = res.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`${c.name}: no JSON line on stdout:\n${res.stdout}`);
  const out = JSON.parse(line) as Result;
  out['wallMs'] = performance.now() - t0;
  return out;
}

/** Runs every contender `runs` times, interleaved; returns the runs of each by name. */
export function runSuite(contenders: readonly Contender[], runs = RUNS): Map<string, Result[]> {
  const all = new Map<string, Result[]>(contenders.map((c) => [c.name, []]));
  for (let r = 1; r <= runs; r++)
    for (const c of contenders) {
      const out = runOnce(c);
      all.get(c.name)!.push(out);
      process.stderr.write(
        `  run ${r}/${runs} ${c.name}: ${(Number(out['wallMs']) / 1000).toFixed(1)} s\n`,
      );
    }
  return all;
}

/** Median of numbers (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median of a numeric field over runs. */
export function med(runs: readonly Result[], key: string): number {
  return median(runs.map((r) => Number(r[key])));
}

/** Aligned plain-text table (first row is the header). */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c + ' '.repeat(widths[i]! - [...c].length))
      .join('  ')
      .trimEnd();
  return [
    line(rows[0]!),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ].join('\n');
}

/** Markdown table (first row is the header). */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  const esc = (c: string) => c.replaceAll('|', '\\|');
  const out = rows.map((r) => `| ${r.map(esc).join(' | ')} |`);
  out.splice(1, 0, `|${rows[0]!.map(() => '---').join('|')}|`);
  return out.join('\n');
}

/** Writes bench/results/<suite>.json and bench/results/<suite>.md. */
export function writeResults(suite: string, json: unknown, md: string): void {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${suite}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(dir, `${suite}.md`), md.endsWith('\n') ? md : `${md}\n`);
}

/** A short description of the machine and Node, for result headers. */
export function environment(): string {
  let cpu = '';
  try {
    cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
  } catch {}
  return `Node ${process.version}, ${process.platform}/${process.arch}${cpu ? `, ${cpu}` : ''}`;
}

// ── formatting ──────────────────────────────────────────────────────────────────────────

/** Bytes as MB (10^6 bytes). */
export const mb = (b: number): string => `${(b / 1e6).toFixed(2)} MB`;
/** A rate as M/s or k/s. */
export const perSec = (x: number): string =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(1)} k/s`;
/** Milliseconds as ms or s. */
export const ms = (x: number): string =>
  x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`;
/** A ratio. */
export const times = (x: number): string => `${x >= 100 ? x.toFixed(0) : x.toFixed(2)}×`;
/** "met" / "NOT met". */
export const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
