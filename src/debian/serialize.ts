/**
 * deb822 output: the exact inverse of `parseDeb822` for paragraphs separated by one empty
 * line (as every Debian index is). A field is written `Name: value\n`, or `Name:value\n`
 * when the value is empty or starts on the next line (`Files:\n <md5> …`, or
 * `Package-List: \n …` whose value keeps its lone space); with
 * `rawValues` always `Name:value\n`, the value then holding its own leading space.
 */

import { LeanrecError } from '../errors.ts';
import type { Paragraph } from './deb822.ts';

/** Fields as `[name, value]` pairs, in output order. */
export type FieldList = readonly (readonly [name: string, value: string])[];

/** Options of {@link serializeParagraph} and {@link serializeParagraphs}. */
export interface SerializeOptions {
  /**
   * Values were parsed with `rawValues`: write them right after the colon.
   * @defaultValue false
   */
  rawValues?: boolean;
  /**
   * Line end to write (the parser reads both).
   * @defaultValue `'\r\n'` for a parsed paragraph with `crlf: true` (every line of it ended
   *   in CRLF), else `'\n'`
   */
  newline?: '\n' | '\r\n';
  /**
   * {@link serializeParagraphs} only: end the output with an empty line too, as Debian's
   * Packages and Sources indexes do (every paragraph is then followed by an empty line).
   * @defaultValue false
   */
  trailingBlankLine?: boolean;
}

/**
 * One paragraph as deb822 text, each line (the last too) ending in a newline.
 *
 * @example
 * ```ts
 * serializeParagraph([['Package', 'hello'], ['Description', 'greet\n the world']])
 * // 'Package: hello\nDescription: greet\n the world\n'
 * ```
 *
 * @throws LeanrecError `E_ARGUMENT` when a field name is not a deb822 name (printable
 *   ASCII without `:`, not starting with `#` or `-`), or a value would not read back the
 *   same: a line after the first that does not start with a space or tab, or holds only
 *   whitespace, or a line ending in `\r`.
 */
export function serializeParagraph(
  paragraph: Paragraph | FieldList,
  options: SerializeOptions = {},
): string {
  const fields: FieldList = Array.isArray(paragraph)
    ? (paragraph as FieldList)
    : (paragraph as Paragraph).fields;
  const raw = options.rawValues === true;
  const crlf =
    options.newline === undefined
      ? !Array.isArray(paragraph) && (paragraph as Paragraph).crlf === true
      : options.newline === '\r\n';
  let out = '';
  for (const field of fields) {
    const [name, value] = field;
    checkName(name);
    checkValue(name, value);
    const sep =
      raw || value === '' || value.charCodeAt(0) === 10 || value === ' ' || value.startsWith(' \n')
        ? ':'
        : ': ';
    out += `${name}${sep}${value}\n`;
  }
  return crlf ? out.replace(/\n/g, '\r\n') : out;
}

/**
 * Paragraphs as deb822 text, streamed: one string per paragraph, separated by one empty
 * line (and followed by one with `trailingBlankLine`), which ends as the paragraph after it
 * (the one before it, for the trailing one). Join the strings, or pipe them
 * (`Readable.from(serializeParagraphs(ps))`).
 *
 * @example
 * ```ts
 * let text = '';
 * for await (const s of serializeParagraphs(parseDeb822('Packages.gz'))) text += s;
 * ```
 *
 * @throws LeanrecError `E_ARGUMENT` as {@link serializeParagraph}; whatever the input
 *   iterable throws.
 */
export async function* serializeParagraphs(
  paragraphs: Iterable<Paragraph | FieldList> | AsyncIterable<Paragraph | FieldList>,
  options: SerializeOptions = {},
): AsyncGenerator<string, void, undefined> {
  let blank = '\n';
  let first = true;
  for await (const p of paragraphs) {
    const text = serializeParagraph(p, options);
    blank = text === '' ? (options.newline ?? '\n') : text.endsWith('\r\n') ? '\r\n' : '\n';
    yield first ? text : blank + text;
    first = false;
  }
  if (!first && options.trailingBlankLine === true) yield blank;
}

function checkName(name: string): void {
  let ok = typeof name === 'string' && name.length > 0;
  for (let i = 0; ok && i < name.length; i++) {
    const c = name.charCodeAt(i);
    ok = c >= 0x21 && c <= 0x7e && c !== 58 && !(i === 0 && (c === 35 || c === 45));
  }
  if (!ok) {
    throw new LeanrecError('E_ARGUMENT', `invalid deb822 field name ${JSON.stringify(name)}`, {
      field: String(name),
    });
  }
}

function checkValue(name: string, value: string): void {
  if (typeof value !== 'string') {
    throw new LeanrecError('E_ARGUMENT', `value of field '${name}' is not a string`, {
      field: name,
    });
  }
  let nl = value.indexOf('\n');
  while (nl >= 0) {
    if (nl > 0 && value.charCodeAt(nl - 1) === 13) bad(name, 'a line ends in \\r');
    const next = value.indexOf('\n', nl + 1);
    const end = next < 0 ? value.length : next;
    const c = value.charCodeAt(nl + 1);
    if (c !== 32 && c !== 9) bad(name, 'a continuation line does not start with a space or tab');
    let blank = true;
    for (let i = nl + 1; blank && i < end; i++) {
      const d = value.charCodeAt(i);
      blank = d === 32 || d === 9;
    }
    if (blank) bad(name, 'a continuation line holds only whitespace (write " ." instead)');
    nl = next;
  }
  if (value.charCodeAt(value.length - 1) === 13) bad(name, 'a line ends in \\r');
}

function bad(name: string, why: string): never {
  throw new LeanrecError('E_ARGUMENT', `value of field '${name}' cannot be written: ${why}`, {
    field: name,
  });
}
