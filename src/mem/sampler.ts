/**
 * `sampleMemory()`: aptly-style memstats — the process's memory every `intervalMs`, as
 * TSV rows, with marks ("ingest done") to line a series up with what the program did.
 *
 *   t_ms  rss  heapTotal  heapUsed  external  arrayBuffers  mark
 *   0     …    …          …          …         …             start
 *   100   …
 *
 * The timer is unref'd: a sampler never keeps the process alive.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { LeanrecError } from '../errors.ts';

/** One sample. Bytes, and milliseconds since the sampler started. */
export interface MemorySample {
  tMs: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** The label of a `mark()`, on the sample it took. */
  mark?: string;
}

/** Options of {@link sampleMemory}. */
export interface SamplerOptions {
  /** Milliseconds between samples. @defaultValue 100 */
  intervalMs?: number;
  /** A TSV file to write (created or truncated). */
  file?: string;
  /** Called with every sample. */
  onSample?: (sample: MemorySample) => void;
  /** Clock in milliseconds, injectable for tests. @defaultValue `performance.now` */
  now?: () => number;
}

/** A running sampler. */
export interface Sampler {
  /** Takes a sample now, labelled (tabs and newlines in the label become spaces). */
  mark(label: string): MemorySample;
  /** Takes a final sample, stops the timer and flushes the file. Idempotent. */
  stop(): Promise<void>;
  /** Samples taken so far. */
  readonly count: number;
}

/** The TSV header line (without newline). */
export const TSV_HEADER = 't_ms\trss\theapTotal\theapUsed\texternal\tarrayBuffers\tmark';

/**
 * Starts sampling the process's memory.
 *
 * @throws LeanrecError `E_ARGUMENT` when `intervalMs` is not a positive number.
 * @example
 * ```ts
 * const sampler = sampleMemory({ file: 'memstats.tsv' })
 * await store.ingest(readPackages(index))
 * sampler.mark('ingest done')
 * await sampler.stop()   // then: leanrec plot memstats.tsv
 * ```
 */
export function sampleMemory(options: SamplerOptions = {}): Sampler {
  const intervalMs = options.intervalMs ?? 100;
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs))
    throw new LeanrecError(
      'E_ARGUMENT',
      `sampleMemory: intervalMs must be a positive number, got ${intervalMs}`,
    );
  const now = options.now ?? (() => performance.now());
  const t0 = now();
  const out: WriteStream | undefined =
    options.file === undefined ? undefined : createWriteStream(options.file, { flags: 'w' });
  out?.write(`${TSV_HEADER}\n`);
  let count = 0;
  let stopped: Promise<void> | undefined;

  const take = (mark?: string): MemorySample => {
    const u = process.memoryUsage();
    const s: MemorySample = {
      tMs: Math.round(now() - t0),
      rss: u.rss,
      heapTotal: u.heapTotal,
      heapUsed: u.heapUsed,
      external: u.external,
      arrayBuffers: u.arrayBuffers,
    };
    if (mark !== undefined) s.mark = mark.replace(/[\t\r\n]+/g, ' ');
    count++;
    out?.write(
      `${s.tMs}\t${s.rss}\t${s.heapTotal}\t${s.heapUsed}\t${s.external}\t${s.arrayBuffers}\t${s.mark ?? ''}\n`,
    );
    options.onSample?.(s);
    return s;
  };

  take('start');
  const timer = setInterval(() => take(), intervalMs);
  timer.unref();

  return {
    mark(label: string): MemorySample {
      if (stopped !== undefined) throw new LeanrecError('E_CLOSED', 'the sampler is stopped');
      return take(label);
    },
    stop(): Promise<void> {
      if (stopped !== undefined) return stopped;
      clearInterval(timer);
      take('stop');
      stopped =
        out === undefined
          ? Promise.resolve()
          : new Promise((resolve, reject) => {
              out.once('error', reject);
              out.end(resolve);
            });
      return stopped;
    },
    get count() {
      return count;
    },
  };
}

/** Parses memstats TSV (as {@link sampleMemory} writes it) back into samples. */
export function parseMemstats(text: string): MemorySample[] {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines[0] !== TSV_HEADER)
    throw new LeanrecError(
      'E_PARSE',
      `memstats: the first line must be the header "${TSV_HEADER}"`,
      { line: 1 },
    );
  return lines.slice(1).map((line, i) => {
    const f = line.split('\t');
    const nums = f.slice(0, 6).map(Number);
    if (f.length !== 7 || nums.some((n) => !Number.isFinite(n)))
      throw new LeanrecError(
        'E_PARSE',
        `memstats: line ${i + 2} is not 7 tab-separated columns of numbers and a mark`,
        {
          line: i + 2,
        },
      );
    const s: MemorySample = {
      tMs: nums[0]!,
      rss: nums[1]!,
      heapTotal: nums[2]!,
      heapUsed: nums[3]!,
      external: nums[4]!,
      arrayBuffers: nums[5]!,
    };
    if (f[6]) s.mark = f[6];
    return s;
  });
}
