/**
 * Shapes a record part (the hot fields, or one cold group) for the codec and back.
 *
 * - Field names are stored as written, except that msgpackr drops a key named
 *   `__proto__` (it renames it); such names are escaped reversibly with a leading NUL
 *   (`"\0__proto__"`, and a name that already starts with NUL gets one more).
 *   Keys inside `t.json()` values are escaped the same way.
 * - `bytes` values come back from msgpack as Buffers viewing the read buffer; they are
 *   copied into plain `Uint8Array`s so nothing pins the buffer and equality holds.
 * - A decoded part is checked against the schema before it is handed out: stored bytes
 *   that decode to the wrong shape (damaged on disk, or a value crafted to make a
 *   converter allocate: a number where bytes belong) are `E_CORRUPT`, never a wrong value
 *   or a `TypeError`. The checks are the ones records pass on the way in, so a value this
 *   code wrote always passes them.
 */

import { LeanrecError } from '../errors.ts';
import { setOwn } from '../hot/view.ts';
import { describeField } from '../schema/field.ts';
import type { FieldInfo } from '../schema/schema.ts';
import { checkFor, describeValue, ownValue } from '../schema/validate.ts';

const needsEscape = (k: string) => k === '__proto__' || k.charCodeAt(0) === 0;
const escapeKey = (k: string) => (needsEscape(k) ? `\0${k}` : k);
const unescapeKey = (k: string) => (k.charCodeAt(0) === 0 ? k.slice(1) : k);

interface ShapedField {
  readonly name: string;
  readonly stored: string;
  readonly guarded: boolean;
  readonly required: boolean;
  /** The field as the schema declares it, for messages. */
  readonly expected: string;
  readonly out: ((v: unknown) => unknown) | undefined;
  /** The user form of a stored value, or {@link INVALID} when it does not fit the field. */
  readonly read: (v: unknown) => unknown;
}

/** What {@link ShapedField.read} returns for a value that does not fit its field. */
const INVALID: unique symbol = Symbol('invalid');

const copyBytes = (v: unknown) => (v instanceof Uint8Array ? new Uint8Array(v) : v);
// msgpackr writes -0 as the integer 0. A float field is never null, so -0 is stored as null.
const isNegZero = (v: unknown) => Object.is(v, -0);
const negZeroOut = (v: unknown) => (isNegZero(v) ? null : v);
const negZeroBack = (v: unknown) => (v === null ? -0 : v);

function shaped(f: FieldInfo): ShapedField {
  const check = checkFor(f.field);
  const fit = (v: unknown) => (check(v) ? v : INVALID);
  let out: ShapedField['out'];
  let read: ShapedField['read'] = fit;
  switch (f.field.kind) {
    case 'bytes':
      // Only bytes are copied: `new Uint8Array(n)` of a number would allocate n bytes.
      read = (v) => (v instanceof Uint8Array ? fit(new Uint8Array(v)) : INVALID);
      break;
    case 'f32':
    case 'f64':
      out = negZeroOut;
      read = (v) => fit(negZeroBack(v));
      break;
    case 'list':
      if (f.field.inner?.kind === 'bytes')
        read = (v) => (Array.isArray(v) ? fit(v.map(copyBytes)) : INVALID);
      else if (f.field.inner?.kind === 'f32' || f.field.inner?.kind === 'f64') {
        out = (v) => ((v as unknown[]).some(isNegZero) ? (v as unknown[]).map(negZeroOut) : v);
        read = (v) => (Array.isArray(v) ? fit(v.includes(null) ? v.map(negZeroBack) : v) : INVALID);
      }
      break;
    case 'json':
      out = escapeJson;
      // Checked in stored form (escaping renames keys only), which bounds the depth
      // before unescapeJson recurses.
      read = (v) => (check(v) ? unescapeJson(v) : INVALID);
      break;
  }
  return {
    name: f.name,
    stored: escapeKey(f.name),
    guarded: f.name in Object.prototype,
    required: !f.field.isOptional,
    expected: describeField(f.field),
    out,
    read,
  };
}

/**
 * {@link Shape.toStored} as straight-line code: every record of a bulk ingest goes
 * through it once per part, and the loop's stores under names read from a list are
 * megamorphic (one of the larger leanrec-only costs in a profile of the Debian index's
 * ingest). Undefined where `new Function` is refused (the loop serves then).
 */
function compileToStored(
  fields: readonly ShapedField[],
): ((rec: object) => Record<string, unknown>) | undefined {
  const lines = ['const out = {};', 'let v;'];
  fields.forEach((f, i) => {
    const name = JSON.stringify(f.name);
    // Stored names are escaped (never "__proto__"), so the store below makes an own property.
    const stored = JSON.stringify(f.stored);
    lines.push(
      f.guarded
        ? `v = Object.hasOwn(rec, ${name}) ? rec[${name}] : undefined;`
        : `v = rec[${name}];`,
      f.out === undefined
        ? `if (v !== undefined) out[${stored}] = v;`
        : `if (v !== undefined) out[${stored}] = outs[${i}](v);`,
    );
  });
  lines.push('return out;');
  const outs = fields.map((f) => f.out);
  try {
    const make = new Function(
      'outs',
      `return function toStored(rec) {\n${lines.join('\n')}\n};`,
    ) as (o: typeof outs) => (rec: object) => Record<string, unknown>;
    return make(outs);
  } catch {
    return undefined;
  }
}

/** Converts one record part between its user form and its stored form. */
export class Shape {
  readonly #fields: readonly ShapedField[];
  /** Stored names equal field names: decoded objects are converted in place. */
  readonly #sameNames: boolean;
  readonly #stored: ReadonlySet<string>;

  /** {@link toStored} compiled for these fields (undefined where code cannot be compiled). */
  readonly #compiled: ((rec: object) => Record<string, unknown>) | undefined;

  constructor(fields: readonly FieldInfo[]) {
    this.#fields = fields.map(shaped);
    this.#sameNames = this.#fields.every((f) => f.stored === f.name);
    this.#stored = new Set(this.#fields.map((f) => f.stored));
    this.#compiled = compileToStored(this.#fields);
  }

  /** The stored form of the part of `rec` this shape covers (absent fields left out). */
  toStored(rec: object): Record<string, unknown> {
    if (this.#compiled !== undefined) return this.#compiled(rec);
    const out: Record<string, unknown> = {};
    for (const f of this.#fields) {
      const v = f.guarded ? ownValue(rec, f.name) : (rec as Record<string, unknown>)[f.name];
      if (v === undefined) continue;
      out[f.stored] = f.out === undefined ? v : f.out(v);
    }
    return out;
  }

  /**
   * The user form of a decoded part.
   *
   * @param what - names the stored entry in error messages (e.g. the record's key and group).
   * @throws LeanrecError `E_CORRUPT` (with `field`) when the decoded value is not a plain
   *   object, lacks a required field, holds a value that does not fit its field, or holds
   *   a name the schema does not declare.
   */
  fromStored(obj: Record<string, unknown>, what?: () => string): Record<string, unknown> {
    if (obj === null || typeof obj !== 'object' || Object.getPrototypeOf(obj) !== Object.prototype)
      throw corrupt(what, `is ${describeValue(obj)}, not a record`);
    const same = this.#sameNames;
    // The decoded object is ours alone: with unescaped names it is converted in place.
    const out: Record<string, unknown> = same ? obj : {};
    let present = 0;
    for (const f of this.#fields) {
      if (!Object.hasOwn(obj, f.stored)) {
        if (f.required) throw corrupt(what, `lacks the required field "${f.name}"`, f.name);
        continue;
      }
      present++;
      const v = obj[f.stored];
      const u = f.read(v);
      if (u === INVALID)
        throw corrupt(
          what,
          `field "${f.name}" has ${describeValue(v)}, expected ${f.expected}`,
          f.name,
        );
      if (!same) setOwn(out, f.name, u);
      else if (u !== v) obj[f.name] = u;
    }
    let own = 0;
    for (const k in obj) if (Object.hasOwn(obj, k)) own++;
    if (own !== present) {
      const extra = Object.keys(obj).find((k) => !this.#stored.has(k)) ?? '';
      throw corrupt(
        what,
        `holds a field the schema does not declare: ${JSON.stringify(extra)}`,
        extra,
      );
    }
    return out;
  }
}

function corrupt(what: (() => string) | undefined, problem: string, field?: string): LeanrecError {
  return new LeanrecError(
    'E_CORRUPT',
    `${what === undefined ? 'stored value' : what()}: ${problem}`,
    field === undefined ? {} : { field },
  );
}

function escapeJson(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const e = escapeJson(v[i]);
      if (e !== v[i]) (copy ??= v.slice())[i] = e;
    }
    return copy ?? v;
  }
  const obj = v as Record<string, unknown>;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) {
    const e = escapeJson(obj[k]);
    const sk = escapeKey(k);
    if (e !== obj[k] || sk !== k) changed = true;
    out[sk] = e;
  }
  return changed ? out : v;
}

function unescapeJson(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = unescapeJson(v[i]);
    return v;
  }
  const obj = v as Record<string, unknown>;
  let escaped = false;
  for (const k of Object.keys(obj)) {
    obj[k] = unescapeJson(obj[k]);
    if (k.charCodeAt(0) === 0) escaped = true;
  }
  if (!escaped) return obj;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) setOwn(out, unescapeKey(k), obj[k]);
  return out;
}
