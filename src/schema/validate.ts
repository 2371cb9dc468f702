import { LeanrecError } from '../errors.ts';
import { LONG_ENCODE } from '../util/utf8.ts';
import {
  compileRecordCapture,
  compileRecordCheck,
  type Fail,
  type RecordCapture,
  type RecordCheck,
} from './compile.ts';
import { type AnyField, describeField, type FieldKind } from './field.ts';
import type { AnySchema, FieldInfo } from './schema.ts';

/** A check of one value against one field type: `true` when valid. */
type Check = (v: unknown) => boolean;

const HEX = /^[0-9a-f]*$/;

/** One entry per field kind: builds the value check for a field of that kind. */
const checkers: { [K in FieldKind]: (f: AnyField) => Check } = {
  string: () => (v) => typeof v === 'string' && v.isWellFormed(),
  enum: (f) => {
    if (f.values === undefined) return (v) => typeof v === 'string' && v.isWellFormed();
    const set = new Set(f.values);
    return (v) => typeof v === 'string' && set.has(v);
  },
  flag: () => (v) => typeof v === 'boolean',
  u8: () => (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xff,
  u16: () => (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff,
  u32: () => (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff,
  i32: () => (v) =>
    Number.isInteger(v) && (v as number) >= -0x80000000 && (v as number) <= 0x7fffffff,
  // A finite value past float32's range would be stored as ±Infinity: refused, not changed.
  f32: () => (v) =>
    typeof v === 'number' && (Number.isFinite(Math.fround(v)) || !Number.isFinite(v)),
  f64: () => (v) => typeof v === 'number',
  bytes: (f) => (v) => v instanceof Uint8Array && v.length === f.width,
  hex: (f) => (v) => typeof v === 'string' && v.length === 2 * f.width && HEX.test(v),
  list: (f) => {
    const inner = checkFor(f.inner!);
    return (v) => {
      if (!Array.isArray(v)) return false;
      for (let i = 0; i < v.length; i++) if (!inner(v[i])) return false;
      return true;
    };
  },
  json: () => (v) => isJson(v, 0),
};

/** Checks already built: fields are immutable, and a closed enum's check holds a Set of its values. */
const checks = new WeakMap<AnyField, Check>();

/** @internal The value check for a field type (built once per field: filters ask for it on every call). */
export function checkFor(f: AnyField): Check {
  let check = checks.get(f);
  if (check === undefined) {
    check = checkers[f.kind](f);
    checks.set(f, check);
  }
  return check;
}

function isJson(v: unknown, depth: number): boolean {
  if (depth > 100) return false;
  switch (typeof v) {
    case 'string':
      return v.isWellFormed();
    case 'number':
    case 'boolean':
      return true;
    case 'object': {
      if (v === null) return true;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!isJson(v[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k of Object.keys(v))
        if (!k.isWellFormed() || !isJson((v as Record<string, unknown>)[k], depth + 1))
          return false;
      return true;
    }
    default:
      return false;
  }
}

/** @internal Reads a field of a plain object without reaching into its prototype chain. */
export function ownValue(obj: object, name: string): unknown {
  return Object.hasOwn(obj, name) ? (obj as Record<string, unknown>)[name] : undefined;
}

/** No record (what the compiled check's context holds between calls). */
const NONE: Record<string, unknown> = Object.freeze({});

interface CompiledField {
  readonly info: FieldInfo;
  readonly check: Check;
  /** Name also found on Object.prototype: must be read as an own property. */
  readonly guarded: boolean;
  readonly expected: string;
}

/**
 * Validates records and keys against one schema. Built once per schema: records go
 * through one function compiled for the schema (compile.ts), or, where code cannot be
 * made from strings, a walk over a precompiled list of checks; both throw the same errors.
 */
export class RecordValidator {
  readonly #schema: AnySchema;
  readonly #fields: readonly CompiledField[];
  readonly #names: ReadonlySet<string>;
  readonly #keyFields: readonly CompiledField[];
  /** The key fields with string checks that leave short strings' well-formedness to the encoder. */
  readonly #keyTypes: readonly CompiledField[];
  readonly #compiled: RecordCheck | undefined;
  readonly #capture: RecordCapture | undefined;
  /** Hot fields: the first fields of `#fields`, captured by {@link RecordValidator.validateInto}. */
  readonly #hot: number;
  /** The record and batch position being checked, for the compiled check's `fail`. */
  #obj: Record<string, unknown> = NONE;
  #index: number | undefined;
  readonly #onFail: Fail;

  constructor(schema: AnySchema) {
    this.#schema = schema;
    const all = [...schema.hotFields, ...schema.groups.flatMap((g) => g.fields)];
    this.#fields = all.map(compile);
    this.#names = new Set(all.map((f) => f.name));
    this.#keyFields = schema.keyFields.map(compile);
    this.#keyTypes = this.#keyFields.map((cf) =>
      cf.info.field.kind === 'string' ||
      (cf.info.field.kind === 'enum' && cf.info.field.values === undefined)
        ? {
            ...cf,
            check: (v: unknown) =>
              typeof v === 'string' && (v.length <= LONG_ENCODE || v.isWellFormed()),
          }
        : cf,
    );
    const toCompile = this.#fields.map((cf) => ({
      name: cf.info.name,
      field: cf.info.field,
      check: cf.check,
      guarded: cf.guarded,
    }));
    this.#compiled = compileRecordCheck(toCompile);
    this.#hot = schema.hotFields.length;
    this.#capture = compileRecordCapture(toCompile, this.#hot);
    this.#onFail = (i, invalid) => {
      const cf = this.#fields[i]!;
      const obj = this.#obj;
      this.#obj = NONE;
      const v = cf.guarded ? ownValue(obj, cf.info.name) : obj[cf.info.name];
      return this.#fail(obj, cf, this.#index, invalid ? `has ${describeValue(v)}` : 'is missing');
    };
  }

  /** Number of hot fields: the values {@link RecordValidator.validateInto} hands over per record. */
  get hotFields(): number {
    return this.#hot;
  }

  /**
   * Checks one record.
   *
   * @param index - the record's position in its batch, reported in the error.
   * @throws LeanrecError `E_INVALID_RECORD` naming the field, the expected type and the
   * record's key: a missing required field, a value of the wrong type or out of range,
   * a string with a lone surrogate, or a field the schema does not declare.
   */
  validate(rec: unknown, index?: number): void {
    const obj = this.#object(rec, index);
    let present = 0;
    if (this.#compiled !== undefined) {
      this.#obj = obj;
      this.#index = index;
      present = this.#compiled(obj, this.#onFail);
      this.#obj = NONE; // holds no record past the call
    } else present = this.#walk(obj, index, undefined, 0);
    this.#checkOwnKeys(obj, present, index);
  }

  /**
   * {@link RecordValidator.validate}, which also hands over the hot values it read:
   * `out[base + i]` = the value of hot field i (`undefined` when absent). Every field of
   * the record is read once; a writer then takes the hot values from `out`.
   *
   * @throws LeanrecError `E_INVALID_RECORD`, as `validate` (`out` may then hold part of
   * the record's values).
   */
  validateInto(rec: unknown, index: number | undefined, out: unknown[], base: number): void {
    const obj = this.#object(rec, index);
    let present = 0;
    if (this.#capture !== undefined) {
      this.#obj = obj;
      this.#index = index;
      present = this.#capture(obj, this.#onFail, out, base);
      this.#obj = NONE;
    } else present = this.#walk(obj, index, out, base);
    this.#checkOwnKeys(obj, present, index);
  }

  #object(rec: unknown, index: number | undefined): Record<string, unknown> {
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec))
      throw new LeanrecError(
        'E_INVALID_RECORD',
        `record${index === undefined ? '' : ` #${index}`} is not an object`,
        index === undefined ? {} : { index },
      );
    return rec as Record<string, unknown>;
  }

  /** The generic check (no code from strings): fields present; captures as `validateInto`. */
  #walk(
    obj: Record<string, unknown>,
    index: number | undefined,
    out: unknown[] | undefined,
    base: number,
  ): number {
    let present = 0;
    const fields = this.#fields;
    for (let i = 0; i < fields.length; i++) {
      const cf = fields[i]!;
      const v = cf.guarded ? ownValue(obj, cf.info.name) : obj[cf.info.name];
      if (out !== undefined && i < this.#hot) out[base + i] = v;
      if (v === undefined) {
        if (!cf.info.field.isOptional) this.#fail(obj, cf, index, 'is missing');
        continue;
      }
      present++;
      if (!cf.check(v)) this.#fail(obj, cf, index, `has ${describeValue(v)}`);
    }
    return present;
  }

  #checkOwnKeys(obj: Record<string, unknown>, present: number, index: number | undefined): void {
    // Every field read above must be the whole record: its own enumerable fields with a
    // value are exactly the `present` schema fields. `Object.keys` settles it without a
    // walk when the counts agree (a for…in walk costs ≈ 3 µs on a Debian record, which a
    // parser builds in dictionary mode; the key list ≈ 1 µs). The walk over the values
    // runs only when they differ: keys holding `undefined` count as absent.
    const keys = Object.keys(obj);
    if (keys.length === present) return;
    let own = 0;
    for (let i = 0; i < keys.length; i++) if (obj[keys[i]!] !== undefined) own++;
    if (own !== present) {
      const extra = Object.keys(obj).find((k) => !this.#names.has(k) && obj[k] !== undefined);
      throw new LeanrecError(
        'E_INVALID_RECORD',
        `record ${this.keyText(obj)}${index === undefined ? '' : ` (#${index})`}: field "${extra}" is not in the schema`,
        withIndex({ field: extra ?? '', key: this.keyText(obj) }, index),
      );
    }
  }

  /**
   * Checks a key object: every key field present with a valid value.
   *
   * @throws LeanrecError `E_ARGUMENT` naming the key field.
   */
  validateKey(key: unknown): void {
    this.#checkKey(key, this.#keyFields);
  }

  /**
   * {@link RecordValidator.validateKey}, except that strings of at most `LONG_ENCODE`
   * UTF-16 units are not scanned for lone surrogates: the caller encodes them next, and
   * the encoder counts those (`loneSurrogates`); on one it calls `validateKey` for the error.
   *
   * @throws LeanrecError `E_ARGUMENT` naming the key field.
   */
  validateKeyTypes(key: unknown): void {
    this.#checkKey(key, this.#keyTypes);
  }

  #checkKey(key: unknown, fields: readonly CompiledField[]): void {
    if (key === null || typeof key !== 'object')
      throw new LeanrecError(
        'E_ARGUMENT',
        `key must be an object with ${this.#schema.key.map((k) => `"${k}"`).join(', ')}`,
      );
    for (let i = 0; i < fields.length; i++) {
      const cf = fields[i]!;
      const v = cf.guarded
        ? ownValue(key, cf.info.name)
        : (key as Record<string, unknown>)[cf.info.name];
      if (v === undefined || !cf.check(v))
        throw new LeanrecError(
          'E_ARGUMENT',
          `key field "${cf.info.name}" ${v === undefined ? 'is missing' : `has ${describeValue(v)}`}, expected ${cf.expected}`,
          { field: cf.info.name },
        );
    }
  }

  /** The record's key as text, for messages: key values joined by spaces. */
  keyText(obj: object): string {
    return this.#schema.key.map((k) => renderKeyPart(ownValue(obj, k))).join(' ');
  }

  #fail(obj: object, cf: CompiledField, index: number | undefined, what: string): never {
    const key = this.keyText(obj);
    throw new LeanrecError(
      'E_INVALID_RECORD',
      `record ${key}${index === undefined ? '' : ` (#${index})`}: field "${cf.info.name}" ${what}, expected ${cf.expected}`,
      withIndex({ field: cf.info.name, key }, index),
    );
  }
}

function withIndex<T extends object>(ctx: T, index: number | undefined): T & { index?: number } {
  return index === undefined ? ctx : { ...ctx, index };
}

function compile(info: FieldInfo): CompiledField {
  return {
    info,
    check: checkFor(info.field),
    guarded: info.name in Object.prototype,
    expected: describeField(info.field) + (info.field.isOptional ? ' (optional)' : ''),
  };
}

function renderKeyPart(v: unknown): string {
  if (v === undefined) return '?';
  if (typeof v === 'string') return JSON.stringify(v).slice(1, -1) || '""';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return String(v);
}

/** @internal Short description of a value for error messages (type and a bounded preview). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === 'string') {
    const s = JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    return v.isWellFormed() ? `the string ${s}` : `a string with a lone surrogate ${s}`;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')
    return `${typeof v} ${String(v)}`;
  return `a value of type ${typeof v}`;
}
