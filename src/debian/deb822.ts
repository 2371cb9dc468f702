/**
 * Streaming deb822 parser (Debian Policy 5.1): Packages, Sources, control files, signed
 * Release/.dsc files. It works on bytes, chunk by chunk, and keeps only the paragraph
 * being built plus the bytes of the field not yet complete.
 *
 * ```
 * work buffer  [ kept bytes of the open field | rest of the chunk | spare ]
 *               ^0 (vStart, or the partial line)  ^pos      ^len   ^capacity
 * ```
 *
 * Invariants: lines are found with `indexOf` and classified by their first byte; a
 * field's value is decoded once, from its own bytes, when the field ends, so no value is
 * a slice of a chunk-sized string (DESIGN pitfall 5). UTF-8 is checked once per chunk:
 * the complete lines a chunk brings are validated together (`isUtf8`, and `isAscii` to
 * pick the cheaper decoder), which is ~20× cheaper than a byte loop per value. Lines that
 * fail that check go the slow way: each value is checked on its own and decoded through a
 * fatal `TextDecoder`, which finds and reports the exact line and column.
 *
 * Value representation (chosen so that `serializeParagraph` gives back the input bytes):
 * the value is everything after `Name:` up to the end of the field, continuation lines
 * joined with `\n` and kept as written (their leading space or tab included), minus the
 * one space that conventionally follows the colon (kept when it is the whole first line:
 * `Package-List: ` gives `' \n …'`). `Description: short\n long\n .\n more`
 * gives `'short\n long\n .\n more'`; `Files:` followed by continuation lines gives a value
 * starting with `'\n'`. Trailing whitespace is kept. With `rawValues`, the space after the
 * colon is kept as well, which makes even `Name:value` and `Name:\tvalue` round-trip.
 * Values never hold the `\r` of a CRLF line end; a paragraph whose every line ends in CRLF
 * says so (`crlf: true`), so that it can be written back as it was (a paragraph mixing LF
 * and CRLF reads the same, and is written back with LF). Comment lines, PGP armor
 * and extra blank lines between paragraphs are not part of any paragraph.
 */

import { constants as bufferConstants, isAscii as isAsciiBuffer, isUtf8 } from 'node:buffer';
import { LeanrecError } from '../errors.ts';
import { type InputOptions, type InputSource, openInput, sourceName } from './input.ts';

/** One field: its name as written and its value (see the module comment for the format). */
export type Deb822Field = [name: string, value: string];

/** One deb822 paragraph (stanza). */
export interface Paragraph {
  /** Fields in file order. Names are unique, compared case-insensitively. */
  fields: Deb822Field[];
  /** 1-based line number of the paragraph's first field line. */
  line: number;
  /**
   * Every line of the paragraph ends in CRLF (absent when any ends in LF alone; a last line
   * without a line end does not count). `serializeParagraph` then writes CRLF.
   */
  crlf?: true;
}

/** Options of {@link parseDeb822}. */
export interface Deb822Options {
  /**
   * Skip lines starting with `#` (as in debian/control). Off, such a line is an error,
   * as it is in Packages and Sources indexes.
   * @defaultValue false
   */
  comments?: boolean;
  /**
   * Keep the text after the colon exactly, the usual leading space included (`'Package:
   * bash'` gives `' bash'`). Serialize with the same option to get the input back.
   * @defaultValue false
   */
  rawValues?: boolean;
  /**
   * Name of the input in error messages.
   * @defaultValue the path, or `'<stream>'`
   */
  file?: string;
  /**
   * Bytes per read when `source` is a path.
   * @defaultValue 65536
   */
  chunkSize?: number;
  /**
   * The longest line accepted, in bytes, its line end not counted. A longer line is
   * `E_PARSE` naming its line, raised once that many bytes of it are buffered: a line
   * that never ends holds no more than this in memory.
   * @defaultValue 536,870,888 (`buffer.constants.MAX_STRING_LENGTH`, the longest string
   *   this JavaScript engine makes)
   */
  maxLineLength?: number;
  /**
   * The most memory, in bytes, the xz decoder may allocate; see
   * {@link InputOptions.xzMemoryLimit}.
   * @defaultValue 268435456 (256 MiB)
   */
  xzMemoryLimit?: number;
}

/**
 * Parse deb822 text into paragraphs, one at a time. `source` may be gzip-, xz- or
 * lz4-compressed (detected from its first bytes, see `openInput`). A PGP-signed input
 * (`-----BEGIN PGP SIGNED MESSAGE-----`) yields the signed paragraphs, un-dash-escaped;
 * the signature is not checked.
 *
 * @example
 * ```ts
 * for await (const p of parseDeb822('/path/to/Packages.gz')) {
 *   const name = p.fields.find(([n]) => n === 'Package')?.[1];
 * }
 * ```
 *
 * @throws LeanrecError `E_PARSE` (with `file`, `line`, `column`) for a continuation line
 *   before any field, a field line without a colon, an empty or invalid field name, a
 *   field repeated in one paragraph, invalid UTF-8, a comment line when `comments` is
 *   off, an unterminated PGP armor or text after it, a line longer than `maxLineLength`, a
 *   value longer than the longest string, and truncated or corrupt compressed input;
 *   `E_IO` when reading fails; `E_ARGUMENT` for an invalid `source` or option.
 */
export async function* parseDeb822(
  source: InputSource,
  options: Deb822Options = {},
): AsyncGenerator<Paragraph, void, undefined> {
  const file = options.file ?? sourceName(source);
  const maxLine = options.maxLineLength ?? MAX_LINE;
  if (!Number.isSafeInteger(maxLine) || maxLine < 1) {
    throw new LeanrecError(
      'E_ARGUMENT',
      `maxLineLength must be a positive integer, got ${JSON.stringify(options.maxLineLength)}`,
    );
  }
  const input = openInput(source, {
    file,
    ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
    ...(options.xzMemoryLimit === undefined ? {} : { xzMemoryLimit: options.xzMemoryLimit }),
  });
  const parser = new Deb822Parser(
    file,
    options.comments === true,
    options.rawValues === true,
    maxLine,
  );
  for await (const chunk of input) {
    parser.push(chunk);
    if (parser.ready.length > 0) {
      const ready = parser.ready;
      parser.ready = [];
      for (const p of ready) yield p;
    }
  }
  parser.end();
  for (const p of parser.ready) yield p;
}

// Reader states for PGP-signed input.
const START = 0; // nothing but blank lines seen yet
const PLAIN = 1; // unsigned input
const ARMOR_HEADERS = 2; // after BEGIN PGP SIGNED MESSAGE, before the blank line
const SIGNED = 3; // signed content, dash-escaped
const SIGNATURE = 4; // inside BEGIN/END PGP SIGNATURE
const AFTER = 5; // after END PGP SIGNATURE

const BEGIN_SIGNED = bytes('-----BEGIN PGP SIGNED MESSAGE-----');
const BEGIN_SIGNATURE = bytes('-----BEGIN PGP SIGNATURE-----');
const END_SIGNATURE = bytes('-----END PGP SIGNATURE-----');

const INITIAL_CAPACITY = 128 * 1024;
const MAX_INTERNED_NAMES = 4096;
/** Default of {@link Deb822Options.maxLineLength}: a longer value could not be a string. */
const MAX_LINE = bufferConstants.MAX_STRING_LENGTH;

/**
 * `Buffer#latin1Slice` (undocumented, present in every Node): `toString('latin1')` minus
 * its argument handling, which cost as much as the copy itself here. Returns a new flat
 * string, never a slice of another string.
 */
interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** An interned field name. */
interface NameEntry {
  bytes: Uint8Array;
  name: string;
  /** Shared by every spelling of the name (case-insensitive), for duplicate detection. */
  mark: Mark;
  /** The name that followed this one the last time it was seen. */
  next: NameEntry | undefined;
  /** `mark` is the one all spellings share (false past {@link MAX_INTERNED_NAMES}). */
  shared: boolean;
}

/** Where a name (case-insensitively) was last seen: paragraph sequence number and line. */
interface Mark {
  para: number;
  line: number;
}

function bytes(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

/**
 * The push parser behind {@link parseDeb822}: `push` chunks, take `ready` paragraphs,
 * `end` once. Internal; trusts its caller.
 */
class Deb822Parser {
  ready: Paragraph[] = [];

  readonly #file: string;
  readonly #comments: boolean;
  readonly #raw: boolean;
  readonly #maxLine: number;
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  /** Field names seen, by hash of their bytes. */
  readonly #names = new Map<number, NameEntry>();

  #buf = Buffer.allocUnsafe(INITIAL_CAPACITY) as Latin1Buffer;
  #len = 0;
  /** Start of the first line not yet handled. */
  #pos = 0;
  /** Where the search for the end of the line at `pos` resumes. */
  #scan = 0;
  #lineNo = 0;
  /** Bytes before this offset end in a line end and are valid UTF-8. */
  #checked = 0;
  /** Values starting at or after this offset (and ending before `#checked`) are ASCII. */
  #asciiFrom = 0;
  #state = START;
  #armorLine = 0;

  // The paragraph being built.
  #fields: Deb822Field[] = [];
  #paraLine = 0;
  /** Lines of the paragraph ending in CRLF, and in LF alone. */
  #crLines = 0;
  #lfLines = 0;
  /** Sequence number of the paragraph, for {@link Mark}. */
  #paraSeq = 1;
  /** Lower-case name → its mark. */
  readonly #marks = new Map<string, Mark>();
  /** Names of the previous field and the expected next one; the last paragraph's first. */
  #lastEntry: NameEntry | undefined = undefined;
  #guess: NameEntry | undefined = undefined;
  #firstEntry: NameEntry | undefined = undefined;

  // The open field: its value is `#prefix` + the bytes [vStart, vEnd) of the buffer.
  #fOpen = false;
  #fName = '';
  /** Line of the open field's name. */
  #fLine = 0;
  #prefix = '';
  #vStart = -1;
  #vEnd = 0;
  /** Offset just past the `\n` of the field's last line; a contiguous next line starts here. */
  #vCont = 0;
  /** The bytes contain interior `\r\n` line ends. */
  #vCr = false;
  /** The last line of the bytes ended in `\r\n`. */
  #vLastCr = false;
  /** Line and 1-based byte column of `vStart`, for UTF-8 errors. */
  #vLine = 0;
  #vCol = 0;

  constructor(file: string, comments: boolean, raw: boolean, maxLine: number) {
    this.#file = file;
    this.#comments = comments;
    this.#raw = raw;
    this.#maxLine = maxLine;
  }

  push(chunk: Uint8Array): void {
    this.#append(chunk);
    // Searched in the chunk alone, so a huge line does not rescan the buffer each time.
    const last = chunk.lastIndexOf(10);
    if (last >= 0) this.#check(this.#len - chunk.length + last + 1);
    this.#lines(false);
  }

  end(): void {
    if (this.#len > this.#checked) this.#check(this.#len);
    this.#lines(true);
    if (this.#state === ARMOR_HEADERS || this.#state === SIGNED || this.#state === SIGNATURE) {
      throw this.#error(
        `unterminated PGP armor: the message begun at line ${this.#armorLine} has no -----END PGP SIGNATURE-----`,
        this.#armorLine,
        1,
      );
    }
    this.#closeParagraph();
  }

  /**
   * Validates [checked, end) at once (`end` just past a line end, or the end of input).
   * When it is not valid UTF-8, `#checked` stays put and the values there take the slow
   * path, which reports where the bad bytes are.
   */
  #check(end: number): void {
    const span = this.#buf.subarray(this.#checked, end);
    if (!isUtf8(span)) return;
    if (!isAsciiBuffer(span)) this.#asciiFrom = end;
    this.#checked = end;
  }

  /** Drops the bytes no longer needed, then appends `chunk`. */
  #append(chunk: Uint8Array): void {
    const keep = this.#fOpen && this.#vStart >= 0 ? Math.min(this.#vStart, this.#pos) : this.#pos;
    const kept = this.#len - keep;
    const need = kept + chunk.length;
    if (need > this.#buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, need)) as Latin1Buffer;
      this.#buf.copy(next, 0, keep, this.#len);
      this.#buf = next;
    } else if (keep > 0) {
      this.#buf.copyWithin(0, keep, this.#len);
    }
    this.#buf.set(chunk, kept);
    this.#len = need;
    this.#pos -= keep;
    this.#scan -= keep;
    this.#checked = Math.max(0, this.#checked - keep);
    this.#asciiFrom = Math.max(0, this.#asciiFrom - keep);
    if (this.#vStart >= 0) {
      this.#vStart -= keep;
      this.#vEnd -= keep;
      this.#vCont -= keep;
    }
  }

  /** Handles every complete line; at the end of input, the last one too. */
  #lines(final: boolean): void {
    // One line per call: a loop here with work after it got OSR-compiled before that
    // work had type feedback, and V8 then deoptimised it once per chunk (measured 2x).
    while (this.#step(final)) {}
  }

  /** Handles the line at `pos` if it is complete (or `final`); false when there is none. */
  #step(final: boolean): boolean {
    const len = this.#len;
    const pos = this.#pos;
    if (pos >= len) return false;
    let nl = this.#buf.indexOf(10, this.#scan);
    if (nl < 0 || nl >= len) {
      if (!final) {
        // One byte more than the limit may be the `\r` of a CRLF still to come.
        if (len - pos > this.#maxLine + 1) this.#tooLong(pos, len);
        this.#scan = len;
        return false;
      }
      nl = len;
    }
    if (nl - pos > this.#maxLine && nl - pos - (this.#buf[nl - 1] === 13 ? 1 : 0) > this.#maxLine)
      this.#tooLong(pos, nl);
    this.#line(pos, nl);
    this.#pos = nl + 1;
    this.#scan = nl + 1;
    return true;
  }

  /** The line at `pos` (of which [pos, end) is known) is longer than `maxLineLength`. */
  #tooLong(pos: number, end: number): never {
    const line = this.#lineNo + 1;
    throw this.#error(
      `line ${line} is longer than ${this.#maxLine} bytes (${end - pos} bytes read of it)`,
      line,
      this.#maxLine + 1,
    );
  }

  /** One line: bytes [s, nl) with `nl` the offset of its `\n` (or the end of input). */
  #line(s: number, nl: number): void {
    const b = this.#buf;
    const lineNo = ++this.#lineNo;
    const lineStart = s;
    let e = nl;
    let cr = false;
    if (e > s && b[e - 1] === 13) {
      e--;
      cr = true;
    }
    const state = this.#state;
    if (state === SIGNATURE) {
      if (startsWith(b, s, e, END_SIGNATURE)) this.#state = AFTER;
      return;
    }
    if (state === ARMOR_HEADERS) {
      if (isBlank(b, s, e)) this.#state = SIGNED;
      return;
    }
    let c0 = s < e ? b[s]! : -1;
    if (c0 === 45 /* - */) {
      if (state === START && startsWith(b, s, e, BEGIN_SIGNED)) {
        this.#state = ARMOR_HEADERS;
        this.#armorLine = lineNo;
        return;
      }
      if (state === SIGNED) {
        if (startsWith(b, s, e, BEGIN_SIGNATURE)) {
          this.#closeParagraph();
          this.#state = SIGNATURE;
          return;
        }
        if (b[s + 1] === 32 && s + 1 < e) {
          s += 2; // dash-escaped line
          c0 = s < e ? b[s]! : -1;
        }
      }
    }
    if (c0 === -1 || ((c0 === 32 || c0 === 9) && isBlank(b, s, e))) {
      this.#closeParagraph();
      return;
    }
    if (state === AFTER) {
      throw this.#error('text after the PGP signature', lineNo, 1);
    }
    if (c0 === 32 || c0 === 9) {
      this.#continuation(s, e, nl, cr, lineStart);
    } else if (c0 === 35 /* # */ && this.#comments) {
      if (e > this.#checked && !isAscii(this.#buf, s, e)) {
        this.#decode(s, e, lineNo, s - lineStart + 1);
      }
    } else {
      if (state === START) this.#state = PLAIN;
      this.#fieldLine(s, e, nl, cr, lineStart);
    }
  }

  #fieldLine(s: number, e: number, nl: number, cr: boolean, lineStart: number): void {
    this.#closeField();
    const b = this.#buf;
    const lineNo = this.#lineNo;
    const col0 = 1 - lineStart; // column of offset x is x + col0
    // Indexes repeat their field order, so the name that followed this one last time is
    // tried first; a match needs no scan and no lookup.
    const guess = this.#guess;
    const entry =
      guess !== undefined && nameAt(b, s, e, guess.bytes) ? guess : this.#scanName(s, e, col0);
    const { name, mark } = entry;
    const colon = s + entry.bytes.length;
    if (entry.shared) {
      // Only names with a shared mark are guessed: the duplicate check relies on it.
      const prev = this.#lastEntry;
      if (prev === undefined) this.#firstEntry = entry;
      else prev.next = entry;
    }
    this.#lastEntry = entry;
    this.#guess = entry.next;
    if (mark.para === this.#paraSeq) {
      const first = mark.line;
      throw this.#error(
        `duplicate field '${name}' at line ${lineNo} (first at line ${first})`,
        lineNo,
        s + col0,
        name,
      );
    }
    mark.para = this.#paraSeq;
    mark.line = lineNo;
    if (this.#fields.length === 0) this.#paraLine = lineNo;
    if (cr) this.#crLines++;
    else if (nl < this.#len) this.#lfLines++;

    let v = colon + 1;
    // The one space after the colon is dropped, unless it is all the first line holds
    // (`Package-List: ` before continuation lines, as Sources indexes write it): then
    // the value keeps it, so that `Name: ` and `Name:` stay apart.
    if (!this.#raw && v < e - 1 && b[v] === 32) v++;
    this.#fOpen = true;
    this.#fName = name;
    this.#fLine = lineNo;
    this.#prefix = '';
    this.#vStart = v;
    this.#vEnd = e;
    this.#vCont = nl + 1;
    this.#vCr = false;
    this.#vLastCr = cr;
    this.#vLine = lineNo;
    this.#vCol = v + col0;
  }

  /** The field name of the line [s, e), checked and interned. */
  #scanName(s: number, e: number, col0: number): NameEntry {
    const b = this.#buf;
    const lineNo = this.#lineNo;
    let colon = s;
    let bad = -1;
    let hash = 0;
    while (colon < e) {
      const c = b[colon]!;
      if (c === 58) break;
      if (bad < 0 && (c < 0x21 || c > 0x7e)) bad = colon;
      hash = (Math.imul(hash, 31) + c) | 0;
      colon++;
    }
    if (colon === e) {
      throw this.#error(`field line without a colon at line ${lineNo}`, lineNo, s + col0);
    }
    if (colon === s) throw this.#error(`empty field name at line ${lineNo}`, lineNo, s + col0);
    const c0 = b[s]!;
    if (c0 === 35 || c0 === 45) {
      throw this.#error(
        c0 === 35
          ? `comment line at line ${lineNo} (comments are only allowed with { comments: true })`
          : `field name may not start with '-' at line ${lineNo}`,
        lineNo,
        s + col0,
      );
    }
    if (bad >= 0) {
      throw this.#error(
        `invalid byte 0x${b[bad]!.toString(16).padStart(2, '0')} in field name at line ${lineNo}, column ${bad + col0}`,
        lineNo,
        bad + col0,
      );
    }
    return this.#intern(hash, s, colon);
  }

  /** The field name in [s, e) (printable ASCII, `hash` computed by the caller), interned. */
  #intern(hash: number, s: number, e: number): NameEntry {
    const b = this.#buf;
    const hit = this.#names.get(hash);
    if (hit !== undefined && hit.bytes.length === e - s) {
      const hb = hit.bytes;
      let i = 0;
      while (i < hb.length && hb[i] === b[s + i]) i++;
      if (i === hb.length) return hit;
    }
    const name = b.latin1Slice(s, e);
    const lower = name.toLowerCase();
    let mark = this.#marks.get(lower);
    let shared = true;
    if (mark === undefined) {
      mark = { para: 0, line: 0 };
      // Past the limit a name gets a fresh mark per use, and the check falls back to
      // comparing with the paragraph's fields.
      if (this.#marks.size < MAX_INTERNED_NAMES) this.#marks.set(lower, mark);
      else {
        this.#fallbackMark(lower, mark);
        shared = false;
      }
    }
    // A copy: Buffer#slice would be a view of the work buffer, which gets overwritten.
    const entry: NameEntry = {
      bytes: Uint8Array.prototype.slice.call(b, s, e),
      name,
      mark,
      next: undefined,
      shared,
    };
    // Only names with a shared mark are kept: a kept entry's mark is reused as it is, and
    // a mark of its own would miss a duplicate spelled in another case.
    if (hit === undefined && shared && this.#names.size < MAX_INTERNED_NAMES)
      this.#names.set(hash, entry);
    return entry;
  }

  /** Sets `mark` from the paragraph's fields, for names not kept in {@link #marks}. */
  #fallbackMark(lower: string, mark: Mark): void {
    for (const [n] of this.#fields) {
      if (n.toLowerCase() === lower) {
        mark.para = this.#paraSeq;
        mark.line = this.#paraLine; // the exact line is not kept for these
      }
    }
  }

  #continuation(s: number, e: number, nl: number, cr: boolean, lineStart: number): void {
    if (!this.#fOpen) {
      throw this.#error(
        `continuation line before any field at line ${this.#lineNo}`,
        this.#lineNo,
        s - lineStart + 1,
      );
    }
    if (cr) this.#crLines++;
    else if (nl < this.#len) this.#lfLines++;
    if (this.#vStart >= 0 && s === this.#vCont) {
      // The usual case: the line directly follows the field's bytes.
      this.#vEnd = e;
      this.#vCont = nl + 1;
      if (this.#vLastCr) this.#vCr = true;
      this.#vLastCr = cr;
      return;
    }
    // A comment or a dash escape came between: decode what we have, start again here.
    this.#prefix = `${this.#prefix}${this.#fieldBytes()}\n`;
    this.#vStart = s;
    this.#vEnd = e;
    this.#vCont = nl + 1;
    this.#vCr = false;
    this.#vLastCr = cr;
    this.#vLine = this.#lineNo;
    this.#vCol = s - lineStart + 1;
  }

  /** The open field's bytes, decoded, CRLF normalised. */
  #fieldBytes(): string {
    const s = this.#vStart;
    if (s < 0) return '';
    const e = this.#vEnd;
    if (s === e) return '';
    const b = this.#buf;
    const text =
      e <= this.#checked
        ? s >= this.#asciiFrom
          ? b.latin1Slice(s, e)
          : b.utf8Slice(s, e)
        : isAscii(b, s, e)
          ? b.latin1Slice(s, e)
          : this.#decode(s, e, this.#vLine, this.#vCol);
    return this.#vCr ? text.replace(/\r\n/g, '\n') : text;
  }

  /** Fatal UTF-8 decode of [s, e), which starts at `line`/`column`. */
  #decode(s: number, e: number, line: number, column: number): string {
    try {
      return this.#decoder.decode(this.#buf.subarray(s, e));
    } catch (cause) {
      const b = this.#buf;
      const bad = invalidUtf8At(b, s, e);
      let l = line;
      let c = column + (bad - s);
      for (let i = s; i < bad; i++) {
        if (b[i] === 10) {
          l++;
          c = bad - i;
        }
      }
      throw new LeanrecError('E_PARSE', `${this.#file}:${l}:${c}: invalid UTF-8`, {
        file: this.#file,
        line: l,
        column: c,
        ...(this.#fOpen ? { field: this.#fName } : {}),
        cause,
      });
    }
  }

  #closeField(): void {
    if (!this.#fOpen) return;
    let value: string;
    try {
      const bytesText = this.#fieldBytes();
      value = this.#prefix === '' ? bytesText : this.#prefix + bytesText;
    } catch (cause) {
      if (cause instanceof LeanrecError) throw cause;
      // Lines within maxLineLength can still make a value longer than a string can be.
      throw this.#error(
        `the value of field '${this.#fName}' (from line ${this.#fLine}) is longer than the longest string (${MAX_LINE} characters)`,
        this.#fLine,
        1,
        this.#fName,
      );
    }
    this.#fields.push([this.#fName, value]);
    this.#fOpen = false;
    this.#prefix = '';
    this.#vStart = -1;
  }

  #closeParagraph(): void {
    this.#closeField();
    if (this.#fields.length === 0) return;
    // The property only on CRLF paragraphs: LF ones keep the one shape they always had.
    this.ready.push(
      this.#crLines > 0 && this.#lfLines === 0
        ? { fields: this.#fields, line: this.#paraLine, crlf: true }
        : { fields: this.#fields, line: this.#paraLine },
    );
    this.#crLines = 0;
    this.#lfLines = 0;
    this.#fields = [];
    this.#paraSeq++;
    this.#lastEntry = undefined;
    this.#guess = this.#firstEntry;
  }

  #error(message: string, line: number, column: number, field?: string): LeanrecError {
    // The position leads the message (`file:line:column:`); it is not said twice.
    const said = new RegExp(` at line ${line}(?:, column ${column})?(?=$|[ ,;(])`);
    const text = message.replace(said, '');
    return new LeanrecError('E_PARSE', `${this.#file}:${line}:${column}: ${text}`, {
      file: this.#file,
      line,
      column,
      ...(field === undefined ? {} : { field }),
    });
  }
}

/** True when [s, e) holds only ASCII bytes. */
function isAscii(b: Uint8Array, s: number, e: number): boolean {
  let hi = 0;
  for (let i = s; i < e; i++) hi |= b[i]!;
  return hi < 0x80;
}

/** True when the line [s, e) starts with `name` and a colon. */
function nameAt(b: Uint8Array, s: number, e: number, name: Uint8Array): boolean {
  const n = name.length;
  if (s + n >= e || b[s + n] !== 58) return false;
  for (let i = 0; i < n; i++) if (b[s + i] !== name[i]) return false;
  return true;
}

/** True when [s, e) holds only spaces and tabs. */
function isBlank(b: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i];
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/** True when [s, e) is `marker` followed by nothing but whitespace. */
function startsWith(b: Uint8Array, s: number, e: number, marker: Uint8Array): boolean {
  if (e - s < marker.length) return false;
  for (let i = 0; i < marker.length; i++) if (b[s + i] !== marker[i]) return false;
  return isBlank(b, s + marker.length, e);
}

/** Offset of the first byte of the first invalid UTF-8 sequence in [s, e) (e if none). */
function invalidUtf8At(b: Uint8Array, s: number, e: number): number {
  let i = s;
  while (i < e) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + n >= e) return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k]!;
      if ((cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return e;
}
