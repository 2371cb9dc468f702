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
 * Compiles the check of `fields` (in order), or returns undefined when the runtime
 * refuses to make code from strings.
 */
export function compileRecordCheck(fields: readonly CompileField[]): RecordCheck | undefined {
  const lines = ['let n = 0;', 'let v;'];
  fields.forEach((f, i) => {
    const name = JSON.stringify(f.name);
    lines.push(
      f.guarded
        ? `v = Object.hasOwn(obj, ${name}) ? obj[${name}] : undefined;`
        : `v = obj[${name}];`,
    );
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
  try {
    const make = new Function(
      'sets',
      'checks',
      'isHex',
      `return function recordCheck(obj, fail) {\n${lines.join('\n')}\n};`,
    ) as (s: typeof sets, c: typeof checks, h: typeof isHex) => RecordCheck;
    return make(sets, checks, isHex);
  } catch {
    return undefined;
  }
}
