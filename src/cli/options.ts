/**
 * Options that several commands share: `--memstats <file>` / `--memstats-interval <ms>`
 * (aptly's `-memstats`: the process's memory as TSV while the command runs, ready for
 * `leanrec plot`) and `--xz-memory-limit <size>` (the xz decoder's memory bound).
 */
import { closeSync, openSync } from 'node:fs';
import { type Sampler, sampleMemory } from '../mem/sampler.ts';
import { fileError, UsageError } from './errors.ts';

/** The parseArgs declarations of the memstats options. */
export const memstatsOptions = {
  memstats: { type: 'string' },
  'memstats-interval': { type: 'string' },
} as const;

/** Their lines in a `--help` text. */
export const MEMSTATS_HELP = `  --memstats <file>        write the process's memory to <file> as TSV while the
                           command runs (for "leanrec plot <file>")
  --memstats-interval <ms> milliseconds between samples (default 100)`;

/**
 * Starts sampling when `--memstats` was given (undefined otherwise). The file is created
 * here, so that a path that cannot be written fails before any work, with its cause.
 */
export function startMemstats(values: {
  memstats?: string | undefined;
  'memstats-interval'?: string | undefined;
}): Sampler | undefined {
  const interval = values['memstats-interval'];
  if (values.memstats === undefined) {
    if (interval !== undefined) throw new UsageError('--memstats-interval needs --memstats <file>');
    return undefined;
  }
  let intervalMs = 100;
  if (interval !== undefined) {
    intervalMs = Number(interval.replace(/ms$/, ''));
    if (!Number.isFinite(intervalMs) || intervalMs <= 0)
      throw new UsageError(`--memstats-interval needs milliseconds > 0, not "${interval}"`);
  }
  try {
    closeSync(openSync(values.memstats, 'w'));
  } catch (e) {
    throw fileError(e, `cannot write the memstats file ${values.memstats}`);
  }
  return sampleMemory({ file: values.memstats, intervalMs });
}

/** The parseArgs declaration of `--xz-memory-limit`. */
export const xzOption = { 'xz-memory-limit': { type: 'string' } } as const;

export const XZ_HELP = `  --xz-memory-limit <size> the most memory the xz decoder may take (bytes, or with
                           KiB/MiB/GiB; "none": no limit; default 256MiB)`;

const UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};

/** `--xz-memory-limit` as the library's `xzMemoryLimit` (undefined: its default). */
export function xzMemoryLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return Number.POSITIVE_INFINITY;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m === null ? undefined : UNITS[m[2]!.toLowerCase()];
  const n = m === null || unit === undefined ? Number.NaN : Math.floor(Number(m[1]) * unit);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(
      `--xz-memory-limit needs a size such as 64MiB, 268435456 or none, not "${value}"`,
    );
  return n;
}
