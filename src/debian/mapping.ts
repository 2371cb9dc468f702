/**
 * Mapping between deb822 paragraphs and typed records, exact to the byte.
 *
 * A table lists the fields a schema knows: deb822 name, record key, and a codec that
 * turns the text into a typed value only when the value's text can be rebuilt from it
 * exactly (`Installed-Size: 0123` stays text, in `rest`). Everything else is kept:
 * - `rest`: the fields the table does not know (or whose text a codec cannot rebuild),
 *   as `[name, value]` pairs;
 * - `order`: the field names as written, in file order — only when they differ from the
 *   table's canonical order (most paragraphs of an index do not need it);
 * - `lineEnd: 'crlf'` when every line of the paragraph ended in CRLF.
 * So `toParagraph(fromParagraph(p))` gives back `p`'s fields, names, order and values.
 */
import { LeanrecError } from '../errors.ts';
import type { Deb822Field, Paragraph } from './deb822.ts';

/** Converts one field's text to its typed value and back, or declines (`undefined`). */
export interface FieldCodec<T> {
  parse(text: string): T | undefined;
  format(value: T): string;
}

const UINT = /^(?:0|[1-9][0-9]{0,9})$/;
const HEX32 = /^[0-9a-f]{32}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** @internal The codecs used by the Debian tables. */
export const codecs = {
  text: { parse: (s: string) => s, format: (v: string) => v } as FieldCodec<string>,
  u32: {
    parse: (s: string) => (UINT.test(s) && Number(s) <= 0xffffffff ? Number(s) : undefined),
    format: (v: number) => String(v),
  } as FieldCodec<number>,
  yes: {
    parse: (s: string) => (s === 'yes' ? true : undefined),
    format: () => 'yes',
  } as FieldCodec<boolean>,
  md5: {
    parse: (s: string) => (HEX32.test(s) ? s : undefined),
    format: (v: string) => v,
  } as FieldCodec<string>,
  sha256: {
    parse: (s: string) => (HEX64.test(s) ? s : undefined),
    format: (v: string) => v,
  } as FieldCodec<string>,
};

/** One known field: its deb822 name, where its value goes, and how. */
export interface FieldSpec {
  /** The deb822 name as Debian writes it (matched case-insensitively). */
  readonly name: string;
  /** The record key(s). */
  readonly key: string;
  /** Text to value and back; any value type (`parse`/`format` are methods, so a `FieldCodec<number>` fits). */
  readonly codec: FieldCodec<unknown>;
  /** Required in every paragraph. */
  readonly required?: boolean;
  /** A `Source: name (version)` field: fills `key` and `versionKey`. */
  readonly versionKey?: string;
  /**
   * The record key whose value this field takes when the paragraph does not have it
   * (Debian: a binary package without `Source:` is its own source). Such a value is not
   * written back: the paragraph comes back with exactly the fields it had.
   */
  readonly impliedBy?: string;
}

/** A record made from a paragraph: typed fields, plus `rest`, `order` and `lineEnd` when needed. */
export type MappedRecord = Record<string, unknown> & {
  rest?: [string, string][];
  order?: string[];
  lineEnd?: 'crlf';
};

/** Converts paragraphs of one kind of index (Packages, Sources) to records and back. */
export class Deb822Mapping {
  readonly #specs: readonly FieldSpec[];
  readonly #byName: ReadonlyMap<string, FieldSpec>;
  readonly #rank: ReadonlyMap<string, number>;
  readonly #what: string;

  constructor(what: string, specs: readonly FieldSpec[]) {
    this.#what = what;
    this.#specs = specs;
    this.#byName = new Map(specs.map((s) => [s.name.toLowerCase(), s]));
    this.#rank = new Map(specs.map((s, i) => [s.name, i]));
  }

  /**
   * The record of one paragraph.
   * @throws LeanrecError `E_PARSE` naming the line when a required field is missing.
   */
  fromParagraph(p: Paragraph, file?: string): MappedRecord {
    const rec: MappedRecord = {};
    let rest: [string, string][] | undefined;
    let canonical = true;
    let lastRank = -1;
    for (const [name, value] of p.fields) {
      const spec = this.#byName.get(name.toLowerCase());
      const typed = spec === undefined ? undefined : this.#parse(spec, value, rec);
      if (spec === undefined || typed === false) {
        (rest ??= []).push([name, value]);
        canonical = false;
        continue;
      }
      const rank = this.#rank.get(name);
      if (rank === undefined || rank < lastRank) canonical = false;
      else lastRank = rank;
    }
    for (const s of this.#specs)
      if (s.required && rec[s.key] === undefined)
        throw new LeanrecError(
          'E_PARSE',
          `${file ?? '<input>'}:${p.line}: ${this.#what} paragraph has no ${s.name} field${s.required && rest?.some(([n]) => n.toLowerCase() === s.name.toLowerCase()) ? ' in the expected form' : ''}`,
          { line: p.line, field: s.name, ...(file === undefined ? {} : { file }) },
        );
    for (const s of this.#specs) {
      if (s.impliedBy === undefined) continue;
      const given = p.fields.find(([n]) => n.toLowerCase() === s.name.toLowerCase());
      if (given === undefined) {
        if (rec[s.impliedBy] !== undefined) rec[s.key] = rec[s.impliedBy];
      } else if (this.#implied(s, rec)) {
        // Written although implied (`Source: bash` in bash's paragraph): kept as text in
        // place, so that it is written back while an implied value is not.
        if (!(rest ?? []).some(([n]) => n === given[0])) (rest ??= []).push(given);
        canonical = false;
      }
    }
    if (rest !== undefined) rec.rest = rest;
    if (!canonical) rec.order = p.fields.map(([n]) => n);
    if (p.crlf === true) rec.lineEnd = 'crlf';
    return rec;
  }

  /** True when `rec`'s value of `spec` is the one it takes when the field is absent. */
  #implied(spec: FieldSpec, rec: Readonly<MappedRecord>): boolean {
    return (
      spec.impliedBy !== undefined &&
      rec[spec.key] === rec[spec.impliedBy] &&
      (spec.versionKey === undefined || rec[spec.versionKey] === undefined)
    );
  }

  /** Fills `rec` from one field; `false` when the text cannot be rebuilt from a typed value. */
  #parse(spec: FieldSpec, value: string, rec: MappedRecord): boolean | undefined {
    if (spec.versionKey !== undefined) {
      const m = /^(\S+)(?: \(([^()\s]+)\))?$/.exec(value);
      if (m === null) return false;
      rec[spec.key] = m[1];
      if (m[2] !== undefined) rec[spec.versionKey] = m[2];
      return true;
    }
    const v = spec.codec.parse(value);
    if (v === undefined) return false;
    rec[spec.key] = v;
    return true;
  }

  /** The fields of a record, in the original order with the original names and text. */
  toFields(rec: Readonly<MappedRecord>): Deb822Field[] {
    const rest = new Map((rec.rest ?? []).map(([n, v]) => [n, v]));
    const known = (spec: FieldSpec): string | undefined => {
      const v = rec[spec.key];
      if (v === undefined || v === false || this.#implied(spec, rec)) return undefined;
      if (spec.versionKey !== undefined) {
        const ver = rec[spec.versionKey];
        return ver === undefined ? String(v) : `${v} (${ver})`;
      }
      return spec.codec.format(v);
    };
    const out: Deb822Field[] = [];
    if (rec.order !== undefined) {
      for (const name of rec.order) {
        const r = rest.get(name);
        if (r !== undefined) {
          out.push([name, r]);
          rest.delete(name);
          continue;
        }
        const spec = this.#byName.get(name.toLowerCase());
        const v = spec === undefined ? undefined : known(spec);
        if (v !== undefined) out.push([name, v]);
      }
      return out;
    }
    for (const spec of this.#specs) {
      const v = known(spec);
      if (v !== undefined) out.push([spec.name, v]);
    }
    for (const [n, v] of rest) out.push([n, v]);
    return out;
  }
}
