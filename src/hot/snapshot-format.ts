/**
 * The format of the hot snapshot, and what a store written by an older format needs
 * on open.
 *
 * ```
 * format  written by                          key bytes of a number key field
 * 1       no `format` in the snapshot header  the value's own bits: -0 and 0 are two keys
 * 2       SNAPSHOT_FORMAT                     those of `value + 0`: -0 and 0 are one key
 * ```
 *
 * The snapshot holds the key index (hashes of key bytes), so a format-1 snapshot of a
 * schema with an `f32`/`f64` key field may hold -0 under a hash this code never looks
 * up: such a snapshot is not loaded, and the hot tier is rebuilt from the records (the
 * rebuild hashes every key anew). Integer kinds never held -0 (validation stores it as
 * 0), so their snapshots load as they are. A snapshot from a newer format is rebuilt too.
 *
 * A format-1 store may hold -0 and 0 as two records of one key now: the rebuild then
 * stops with `E_SCHEMA` naming both records rather than dropping either (an acknowledged
 * write is never lost) or keeping a key that finds one of two records.
 */
import { LeanrecError } from '../errors.ts';
import type { AnySchema } from '../schema/schema.ts';

/**
 * What {@link duplicateKeyError} reads of a hot tier (a `HotTier`; named by its shape
 * because tier.ts imports this file).
 */
export interface KeyedRows {
  readonly schema: AnySchema;
  readonly ids: Uint32Array;
  read(row: number, i: number): unknown;
}

/** The format this code writes (see above). */
export const SNAPSHOT_FORMAT = 2;

/** True when a snapshot of `format` (`undefined`: format 1) can be loaded as it is. */
export function snapshotUsable(schema: AnySchema, format: number | undefined): boolean {
  if (format === SNAPSHOT_FORMAT) return true;
  if (format !== undefined) return false;
  return !schema.keyFields.some((f) => f.field.kind === 'f32' || f.field.kind === 'f64');
}

/**
 * The error of a rebuild that met record `id` (`rec`) with the key of the record at
 * `row`: `E_SCHEMA` when the keys differ only in the sign of a zero (two keys when the
 * store was written, format 1), else `E_CORRUPT` (the database holds one key twice).
 */
export function duplicateKeyError(
  tier: KeyedRows,
  row: number,
  id: number,
  rec: Record<string, unknown>,
): LeanrecError {
  const fields = tier.schema.keyFields;
  const held = fields.map((f) => tier.read(row, f.index));
  const apart = fields.filter((f, i) => !Object.is(held[i], rec[f.name]));
  if (apart.length === 0)
    return new LeanrecError(
      'E_CORRUPT',
      `hot entries of record ids ${tier.ids[row]} and ${id} hold the same key (${fields
        .map((f) => `${f.name}=${JSON.stringify(rec[f.name])}`)
        .join(', ')})`,
    );
  const text = (value: (f: (typeof fields)[number], i: number) => unknown) =>
    fields.map((f, i) => `${f.name}=${render(value(f, i))}`).join(', ');
  const key = text((f) => rec[f.name]);
  return new LeanrecError(
    'E_SCHEMA',
    `the records of ids ${tier.ids[row]} (${text((_, i) => held[i])}) and ${id} (${key}) have one key: ` +
      `the store was written when -0 and 0 were two keys of field "${apart[0]!.name}", now they are one; ` +
      'delete or change one of the two with the leanrec version that wrote them, or ingest the source again into a new store',
    { field: apart[0]!.name, key },
  );
}

function render(v: unknown): string {
  return Object.is(v, -0) ? '-0' : JSON.stringify(v);
}
