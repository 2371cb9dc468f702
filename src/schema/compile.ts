/**
 * A schema's record check compiled once into one straight-line function: every field
 * read by name as a constant property, its type test inlined (no closure call, no loop
 * over a field list, no switch per field), the rare kinds (f32/f64, bytes, list, json)
 * through the same checks as the generic path. It only decides valid or not: on the
 * first bad field it calls `fail(i, what)` with the field's position, and the caller
 * throws the very error the generic path throws (validate.ts).
 *
 *   (obj, fail) => {
 *     let n = 0, v;
 *     v = obj["package"];                                    // field 0, required string
 *     if (v === undefined) fail(0, 0); else { n++; if (!(typeof v === "string" && v.isWellFormed())) fail(0, 1); }
 *     v = obj["size"];                                       // field 1, optional u32
 *     if (v !== undefined) { n++; if (!(typeof v === "number" && v >= 0 && v <= 4294967295 && Math.floor(v) === v)) fail(1, 1); }
 *     …
 *     return n;                                              // fields present
 *   }
 *
 * Where code cannot be made from strings (`--disallow-code-generation-from-strings`),
 * {@link compileRecordCheck} returns undefined and the generic loop is used.
 */
import type { AnyField } from './field.ts';

/** `fail(field, 0)`: the field is missing; `fail(field, 1)`: its value is invalid. */
export type Fail = (field: number, invalid: 0 | 1) => never;

/** The compiled check: returns the number of fields present (not undefined). */
export type RecordCheck = (obj: Record<string, unknown>, fail: Fail) => number;

/** One field to compile: its name, type, generic check, and whether it must be read as own. */
export interface CompileField {
  readonly name: string;
  readonly field: AnyField;
  readonly check: (v: unknown) => boolean;
  readonly guarded: boolean;
}

const INT_MAX: Record<string, [number, number]> = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  u32: [0, 0xffffffff],
  i32: [-0x80000000, 0x7fffffff],
};

/** True when `s` is `n` lower-case hex digits (the `hex` kind; a loop, no RegExp). */
function isHex(s: string, n: number): boolean {
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** The inline test of `v` for field `i`, as JavaScript source. */
function testOf(f: CompileField, i: number): string {
  const field = f.field;
  switch (field.kind) {
    case 'string':
      return 'typeof v === "string" && v.isWellFormed()';
    case 'enum':
      return field.values === undefined
        ? 'typeof v === "string" && v.isWellFormed()'
        : `typeof v === "string" && sets[${i}].has(v)`;
    case 'flag':
      return '(v === true || v === false)';
    case 'u8':
    case 'u16':
    case 'u32':
    case 'i32': {
      const [lo, hi] = INT_MAX[field.kind]!;
      // Number.isInteger(v) && lo <= v <= hi, without the call: NaN and ±Infinity fail
      // the range or the floor test.
      return `typeof v === "number" && v >= ${lo} && v <= ${hi} && Math.floor(v) === v`;
    }
    case 'hex':
      return `typeof v === "string" && isHex(v, ${2 * field.width})`;
    default:
      return `checks[${i}](v)`;
  }
}

/**
 * The check of a record that also hands over the values of its first `captured` fields:
 * `out[base + i] = obj[name of field i]` (`undefined` when absent), each field read once,
 * so a writer takes the values from `out` instead of reading the record again (a record
 * built field by field, as parsers build them, is slow to read: ≈ 40–150 ns per field).
 */
export type RecordCapture = (
  obj: Record<string, unknown>,
  fail: Fail,
  out: unknown[],
  base: number,
) => number;

/**
 * Compiles the check of `fields` (in order), or returns undefined when the runtime
 * refuses to make code from strings.
 */
export function compileRecordCheck(fields: readonly CompileField[]): RecordCheck | undefined {
  return compile(fields, -1) as RecordCheck | undefined;
}

/**
 * Compiles {@link RecordCapture} for `fields`, capturing the first `captured` of them; or
 * undefined when the runtime refuses to make code from strings.
 */
export function compileRecordCapture(
  fields: readonly CompileField[],
  captured: number,
): RecordCapture | undefined {
  return compile(fields, captured) as RecordCapture | undefined;
}

/** The check (`captured` < 0) or the capture of the first `captured` fields. */
function compile(fields: readonly CompileField[], captured: number): unknown {
  const lines = ['let n = 0;', 'let v;'];
  fields.forEach((f, i) => {
    const name = JSON.stringify(f.name);
    lines.push(
      f.guarded
        ? `v = Object.hasOwn(obj, ${name}) ? obj[${name}] : undefined;`
        : `v = obj[${name}];`,
    );
    if (i < captured) lines.push(`out[base + ${i}] = v;`);
    const test = testOf(f, i);
    if (f.field.isOptional)
      lines.push(`if (v !== undefined) { n++; if (!(${test})) fail(${i}, 1); }`);
    else
      lines.push(
        `if (v === undefined) fail(${i}, 0); else { n++; if (!(${test})) fail(${i}, 1); }`,
      );
  });
  lines.push('return n;');
  const sets = fields.map((f) =>
    f.field.kind === 'enum' && f.field.values !== undefined ? new Set(f.field.values) : undefined,
  );
  const checks = fields.map((f) => f.check);
  const params = captured < 0 ? 'obj, fail' : 'obj, fail, out, base';
  try {
    const make = new Function(
      'sets',
      'checks',
      'isHex',
      `return function recordCheck(${params}) {\n${lines.join('\n')}\n};`,
    ) as (s: typeof sets, c: typeof checks, h: typeof isHex) => unknown;
    return make(sets, checks, isHex);
  } catch {
    return undefined;
  }
}
