/**
 * Shapes a record part (the hot fields, or one cold group) for the codec and back.
 *
 * - Field names are stored as written, except that msgpackr drops a key named
 *   `__proto__` (it renames it); such names are escaped reversibly with a leading NUL
 *   (`"\0__proto__"`, and a name that already starts with NUL gets one more).
 *   Keys inside `t.json()` values are escaped the same way.
 * - `bytes` values come back from msgpack as Buffers viewing the read buffer; they are
 *   copied into plain `Uint8Array`s so nothing pins the buffer and equality holds.
 */

import { setOwn } from '../hot/view.ts';
import type { FieldInfo } from '../schema/schema.ts';
import { ownValue } from '../schema/validate.ts';

const needsEscape = (k: string) => k === '__proto__' || k.charCodeAt(0) === 0;
const escapeKey = (k: string) => (needsEscape(k) ? `\0${k}` : k);
const unescapeKey = (k: string) => (k.charCodeAt(0) === 0 ? k.slice(1) : k);

interface ShapedField {
  readonly name: string;
  readonly stored: string;
  readonly guarded: boolean;
  readonly out: ((v: unknown) => unknown) | undefined;
  readonly back: ((v: unknown) => unknown) | undefined;
}

const toUint8 = (v: unknown) => new Uint8Array(v as Uint8Array);
// msgpackr writes -0 as the integer 0. A float field is never null, so -0 is stored as null.
const isNegZero = (v: unknown) => Object.is(v, -0);
const negZeroOut = (v: unknown) => (isNegZero(v) ? null : v);
const negZeroBack = (v: unknown) => (v === null ? -0 : v);

function converters(f: FieldInfo): Pick<ShapedField, 'out' | 'back'> {
  switch (f.field.kind) {
    case 'bytes':
      return { out: undefined, back: toUint8 };
    case 'f32':
    case 'f64':
      return { out: negZeroOut, back: negZeroBack };
    case 'list':
      if (f.field.inner?.kind === 'bytes')
        return { out: undefined, back: (v) => (v as unknown[]).map(toUint8) };
      if (f.field.inner?.kind === 'f32' || f.field.inner?.kind === 'f64')
        return {
          out: (v) => ((v as unknown[]).some(isNegZero) ? (v as unknown[]).map(negZeroOut) : v),
          back: (v) => ((v as unknown[]).includes(null) ? (v as unknown[]).map(negZeroBack) : v),
        };
      return { out: undefined, back: undefined };
    case 'json':
      return { out: escapeJson, back: unescapeJson };
    default:
      return { out: undefined, back: undefined };
  }
}

/** Converts one record part between its user form and its stored form. */
export class Shape {
  readonly #fields: readonly ShapedField[];
  /** Stored names equal field names: decoded objects are converted in place. */
  readonly #sameNames: boolean;
  /** Fields whose values need converting back (bytes, json). */
  readonly #converted: readonly ShapedField[];

  constructor(fields: readonly FieldInfo[]) {
    this.#fields = fields.map((f) => ({
      name: f.name,
      stored: escapeKey(f.name),
      guarded: f.name in Object.prototype,
      ...converters(f),
    }));
    this.#sameNames = this.#fields.every((f) => f.stored === f.name);
    this.#converted = this.#fields.filter((f) => f.back !== undefined);
  }

  /** The stored form of the part of `rec` this shape covers (absent fields left out). */
  toStored(rec: object): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.#fields) {
      const v = f.guarded ? ownValue(rec, f.name) : (rec as Record<string, unknown>)[f.name];
      if (v === undefined) continue;
      out[f.stored] = f.out === undefined ? v : f.out(v);
    }
    return out;
  }

  /** The user form of a decoded part. */
  fromStored(obj: Record<string, unknown>): Record<string, unknown> {
    if (this.#sameNames) {
      // The decoded object is ours alone: convert its few special values in place.
      for (const f of this.#converted)
        if (Object.hasOwn(obj, f.name)) obj[f.name] = f.back!(obj[f.name]);
      return obj;
    }
    const out: Record<string, unknown> = {};
    for (const f of this.#fields) {
      if (!Object.hasOwn(obj, f.stored)) continue;
      const v = obj[f.stored];
      setOwn(out, f.name, f.back === undefined ? v : f.back(v));
    }
    return out;
  }
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
