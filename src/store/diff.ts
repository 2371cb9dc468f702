/**
 * `diff(a, b)`: what changed between two stores of one schema, record by record, by key.
 *
 *   pass 1  every record of a: its key in b?  no  → removed
 *                                             yes → hot fields compared (no decoding past
 *                                                   the columns); the pair is queued for
 *                                                   its cold groups, read in batches
 *   pass 2  every record of b whose key is not in a → added
 *
 * Only the keys present in both stores have cold groups read (`loadMany`, uncached, in
 * batches, both stores at once, one batch in flight while the next is gathered), and only
 * when `cold` is not false. Memory stays bounded by two batches.
 */
import { LeanrecError } from '../errors.ts';
import { ID, ROW } from '../hot/view.ts';
import type { AnySchema } from '../schema/schema.ts';
import { hotDiffer } from './hot-compare.ts';
import type { Store } from './store.ts';
import type { KeyOf, RecordView } from './types.ts';

/** One difference between two stores, by key. */
export interface DiffEntry<S extends AnySchema> {
  /** `removed`: only in a; `added`: only in b; `changed`: in both, with other field values. */
  kind: 'added' | 'removed' | 'changed';
  /** The record's key fields. */
  key: KeyOf<S>;
  /** For `changed`: the fields whose values differ, hot fields first, in schema order. */
  fields?: string[];
}

/** Options of {@link diff}. */
export interface DiffOptions {
  /**
   * Compare cold fields too (reads the cold groups of every key present in both stores).
   * With `false`, `changed` only reports hot fields and no cold group is read.
   * @defaultValue true
   */
  cold?: boolean;
  /** Pairs whose cold groups are read per batch. @defaultValue 512 */
  batchSize?: number;
}

/** Deep equality of field values: strings, numbers, booleans, byte arrays, JSON. */
export function sameValue(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null)
    return Number.isNaN(x) && Number.isNaN(y);
  if (x instanceof Uint8Array || y instanceof Uint8Array)
    return x instanceof Uint8Array && y instanceof Uint8Array && Buffer.compare(x, y) === 0;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  if (kx.length !== ky.length) return false;
  for (const k of kx)
    if (
      !Object.hasOwn(y, k) ||
      !sameValue((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k])
    )
      return false;
  return true;
}

type AnyView = RecordView<unknown> & Record<string, unknown>;

/**
 * Streams the differences between stores `a` and `b` (one schema), in a's row order:
 * records removed (only in a) as they are found, changed ones (in both, naming the fields
 * that differ) once their batch of cold groups is compared; then the records added (only
 * in b), in b's row order.
 *
 * @example
 * ```ts
 * for await (const d of diff(yesterday, today)) console.log(d.kind, d.key, d.fields ?? '');
 * ```
 * @throws LeanrecError `E_ARGUMENT` when the stores have different schemas; `E_CLOSED`.
 */
export async function* diff<S extends AnySchema>(
  a: Store<S>,
  b: Store<S>,
  options: DiffOptions = {},
): AsyncGenerator<DiffEntry<S>, void, undefined> {
  if (a.schema !== b.schema && a.schema.fingerprint !== b.schema.fingerprint)
    throw new LeanrecError('E_ARGUMENT', 'diff needs two stores of one schema');
  const schema = a.schema;
  const hotFields = hotDiffer(a._tier, b._tier, sameValue);
  const keyNames = schema.keyFields.map((f) => f.name);
  const cold = options.cold !== false && schema.groups.length > 0;
  const batchSize = options.batchSize ?? 512;
  const keyOf = (v: AnyView): KeyOf<S> => {
    const k: Record<string, unknown> = {};
    for (const n of keyNames) k[n] = v[n];
    return k as KeyOf<S>;
  };
  type Pair = [AnyView, AnyView, string[]];
  type Loaded = { batch: Pair[]; changed: boolean[][] };
  const ca = a._cold;
  const cb = b._cold;
  const groups = schema.groups;
  let pairs: Pair[] = [];
  // One batch loads (both stores at once) while the next one is gathered: LevelDB's reads
  // overlap with the hot comparison instead of waiting for it.
  let inFlight: Promise<Loaded> | undefined;
  /** Per pair, per group: whether the group differs. */
  const compare = async (batch: Pair[]): Promise<boolean[][]> => {
    const ids = (side: 0 | 1) => batch.map((p) => p[side][ID] as number);
    const keyText = (i: number) => JSON.stringify(keyOf(batch[i]![0]));
    // A hot-only store has no bytes to compare: loadMany below says why (E_ARGUMENT).
    const [ra, rb] =
      ca !== undefined && cb !== undefined
        ? await Promise.all([
            ca.groupBytesMany(ids(0), keyText),
            cb.groupBytesMany(ids(1), keyText),
          ])
        : [[], []];
    // Made after the reads: it knows every structure what was read may reference.
    const cmp = ca !== undefined && cb !== undefined ? ca.comparerWith(cb) : undefined;
    const changed: boolean[][] = [];
    const decode: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const x = ra[i];
      const y = rb[i];
      const d = new Array<boolean>(groups.length).fill(false);
      let undecided = cmp === undefined || x === undefined || y === undefined;
      for (let g = 0; g < groups.length && !undecided; g++) {
        const u = x![g]!;
        const v = y![g]!;
        // An empty segment is a group the record has no bytes for: decoding says what it is.
        if (u.length === 0 || v.length === 0 || cmp!.same(u, v) !== true) undecided = true;
      }
      if (undecided) {
        d.fill(true);
        decode.push(i);
      }
      changed.push(d);
    }
    if (decode.length > 0) {
      // Few pairs: their groups are decoded and compared field by field.
      const load = (s: Store<S>, side: 0 | 1) =>
        s.loadMany(
          decode.map((i) => batch[i]![side] as never),
          undefined,
          { cache: false },
        );
      const [xa, xb] = await Promise.all([load(a, 0), load(b, 1)]);
      for (let k = 0; k < decode.length; k++) {
        const x = xa[k] as Record<string, unknown>;
        const y = xb[k] as Record<string, unknown>;
        changed[decode[k]!] = groups.map((g) =>
          g.fields.some((f) => !sameValue(x[f.name], y[f.name])),
        );
        fieldsOf.set(batch[decode[k]!]!, [x, y]);
      }
    }
    return changed;
  };
  /** Decoded groups of the pairs that needed them, until their batch is finished. */
  const fieldsOf = new Map<Pair, [Record<string, unknown>, Record<string, unknown>]>();
  const start = (): void => {
    const batch = pairs;
    pairs = [];
    inFlight = compare(batch).then((changed) => ({ batch, changed }));
    // Awaited by the next flush; a consumer that stops before then must not leave an
    // unhandled rejection behind.
    inFlight.catch(() => {});
  };
  const finish = function* ({ batch, changed }: Loaded): Generator<DiffEntry<S>> {
    for (let i = 0; i < batch.length; i++) {
      const pair = batch[i]!;
      const fields = pair[2];
      const decoded = fieldsOf.get(pair);
      fieldsOf.delete(pair);
      for (let g = 0; g < groups.length; g++) {
        if (!changed[i]![g]) continue;
        const [x, y] = decoded!;
        for (const f of groups[g]!.fields)
          if (!sameValue(x[f.name], y[f.name])) fields.push(f.name);
      }
      if (fields.length > 0) yield { kind: 'changed', key: keyOf(pair[0]), fields };
    }
  };
  const flush = async function* (): AsyncGenerator<DiffEntry<S>> {
    const previous = inFlight;
    inFlight = undefined;
    if (pairs.length > 0) start();
    if (previous !== undefined) yield* finish(await previous);
  };
  for (const va of a.where() as Iterable<AnyView>) {
    const key = keyOf(va);
    const vb = b.get(key as never) as AnyView | undefined;
    if (vb === undefined) {
      yield { kind: 'removed', key };
      continue;
    }
    const fields: string[] = [];
    hotFields(va[ROW] as number, vb[ROW] as number, fields);
    if (!cold) {
      if (fields.length > 0) yield { kind: 'changed', key, fields };
      continue;
    }
    pairs.push([va, vb, fields]);
    if (pairs.length >= batchSize) yield* flush();
  }
  yield* flush();
  yield* flush();
  for (const vb of b.where() as Iterable<AnyView>) {
    const key = keyOf(vb);
    if (!a.has(key as never)) yield { kind: 'added', key };
  }
}
