/** `leanrec estimate --records N`: what a store of N records will cost, part by part, before ingest. */
import { parseArgs } from 'node:util';
import { debianPackages, debianSources } from '../../debian/index.ts';
import { LeanrecError } from '../../errors.ts';
import { HOT_LIMITS } from '../../hot/limits.ts';
import { type EstimateOptions, estimate, type FieldFigures } from '../../mem/estimate.ts';
import type { AnySchema } from '../../schema/schema.ts';
import { bytes, type Command, EXIT_HELP, int, UsageError } from '../common.ts';

const help = `Usage: leanrec estimate --records N [options]

Estimates the memory of a hot store of N records before ingest: every part (columns,
presence bits, enum dictionaries, string pool, key index, ids) with its formula, then
the total. Without --distinct/--avg-bytes, per-field figures typical of a Debian index
are used (distinct values per record and average bytes of each string field).

Options:
  --records N          records the store will hold (required)
  --distinct N         distinct strings across all string fields (replaces the profile)
  --avg-bytes N        average UTF-8 bytes of a distinct string (replaces the profile)
  --schema NAME        debian-packages (default) or debian-sources
  --cold               add a cold tier's cache bound and LevelDB buffers (defaults)
  -h, --help           this help

A store past the hot tier's limits (${int(HOT_LIMITS.rows)} rows; a string pool of
${int(HOT_LIMITS.poolBytes)} bytes) is refused with E_LIMIT naming the limit.

${EXIT_HELP}`;

/**
 * Per-field figures of a Debian binary index, as fractions of the record count
 * (measured shape of bookworm main amd64: names nearly unique, versions shared a lot,
 * `source` present on about half the records and shared by several binaries).
 */
const packagesProfile: Record<string, { perRecord?: number; values?: number; avgBytes: number }> = {
  package: { perRecord: 0.98, avgBytes: 17 },
  version: { perRecord: 0.45, avgBytes: 11 },
  source: { perRecord: 0.2, avgBytes: 13 },
  sourceVersion: { perRecord: 0.04, avgBytes: 12 },
  architecture: { values: 2, avgBytes: 5 },
  section: { values: 60, avgBytes: 9 },
  priority: { values: 5, avgBytes: 8 },
  multiArch: { values: 3, avgBytes: 6 },
};

/**
 * Per-field figures of a Debian Sources index (measured on the first 4,000 paragraphs of
 * bookworm main: names unique, most versions distinct, 80 Architecture lists such as
 * "any all" of 44 bytes on average, three formats and priorities).
 */
const sourcesProfile: typeof packagesProfile = {
  package: { perRecord: 0.998, avgBytes: 10 },
  version: { perRecord: 0.83, avgBytes: 10 },
  section: { values: 50, avgBytes: 6 },
  priority: { values: 3, avgBytes: 6 },
  format: { values: 3, avgBytes: 9 },
  architecture: { values: 80, avgBytes: 44 },
};

const schemas: Record<string, { schema: AnySchema; profile: typeof packagesProfile }> = {
  'debian-packages': {
    schema: debianPackages as unknown as AnySchema,
    profile: packagesProfile,
  },
  'debian-sources': { schema: debianSources as unknown as AnySchema, profile: sourcesProfile },
};

function count(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.replaceAll('_', '').replaceAll(',', ''));
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} needs a number ≥ 0, not "${v}"`);
  return n;
}

export const estimateCommand: Command = {
  name: 'estimate',
  summary: 'the memory a store of N records will take, with formulas',
  help,
  async run(args, { out }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        records: { type: 'string' },
        distinct: { type: 'string' },
        'avg-bytes': { type: 'string' },
        schema: { type: 'string' },
        cold: { type: 'boolean' },
      },
    });
    if (positionals.length > 0) throw new UsageError('estimate takes no positional argument');
    const records = count('records', values.records);
    if (records === undefined) throw new UsageError('estimate needs --records N');
    const name = values.schema ?? 'debian-packages';
    const chosen = schemas[name];
    if (chosen === undefined)
      throw new UsageError(`unknown schema "${name}" (debian-packages or debian-sources)`);
    const distinct = count('distinct', values.distinct);
    const avg = count('avg-bytes', values['avg-bytes']);
    const perField: Record<string, FieldFigures> = {};
    for (const [field, p] of Object.entries(chosen.profile)) {
      const isString = p.perRecord !== undefined;
      // Global figures given: they replace the profile's string figures (not the enums').
      if (isString && (distinct !== undefined || avg !== undefined)) continue;
      perField[field] = {
        distinct: isString ? Math.ceil(records * p.perRecord!) : p.values!,
        avgBytes: p.avgBytes,
      };
    }
    const options: EstimateOptions = { records, perField, cold: values.cold === true };
    if (distinct !== undefined) options.distinctStrings = distinct;
    if (avg !== undefined) options.avgStringBytes = avg;
    const e = estimate(chosen.schema, options);
    // A store that cannot exist gets no figure: the limit it passes instead.
    if (records > HOT_LIMITS.rows)
      throw new LeanrecError(
        'E_LIMIT',
        `a store holds at most ${int(HOT_LIMITS.rows)} records (2^32 − 2 rows: the key index stores row + 1 in 32 bits), not ${int(records)}`,
      );
    const pool = e.parts.find((p) => p.name === 'pool')?.bytes ?? 0;
    if (pool > HOT_LIMITS.poolBytes)
      throw new LeanrecError(
        'E_LIMIT',
        `the string pool would take ${int(pool)} bytes; it holds at most ${int(HOT_LIMITS.poolBytes)} (4 GiB − 1: string columns hold 32-bit offsets)`,
      );

    const rows = e.parts.map((p) => [p.name, int(p.bytes), p.formula] as const);
    const w0 = Math.max(5, ...rows.map((r) => r[0].length));
    const w1 = Math.max(5, ...rows.map((r) => r[1].length), int(e.total).length);
    const line = (a: string, b: string, c: string) =>
      `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`.trimEnd() + '\n';
    let text = line('part', 'bytes', 'formula');
    text += `${'-'.repeat(w0 + w1 + 12)}\n`;
    for (const r of rows) text += line(r[0], r[1], r[2]);
    text += `${'-'.repeat(w0 + w1 + 12)}\n`;
    text += line('hot', int(e.hot), '');
    text += line('total', int(e.total), bytes(e.total));
    const perRecord = records === 0 ? '' : `; ${(e.hot / records).toFixed(1)} B/record hot`;
    text += `records ${int(records)} (${name})${perRecord}\n`;
    await out.write(text);
    return 0;
  },
};
