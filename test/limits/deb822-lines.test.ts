/**
 * The deb822 parser's limits (src/debian/deb822.ts):
 * - `maxLineLength` (default 536,870,888 bytes, `buffer.constants.MAX_STRING_LENGTH`):
 *   lines of limit − 1 and limit bytes parse, limit + 1 is `E_PARSE` naming the line —
 *   for field lines, continuation lines, comments and a last line without a line end,
 *   with LF and CRLF (a CRLF whose `\r` ends a chunk of exactly limit + 1 bytes), and
 *   before the rest of an endless line is read;
 * - field names: no limit of their own (a name is part of its line);
 * - the 4,096 interned field names: paragraphs with 4,095, 4,096 and 4,097 distinct names
 *   parse the same, and duplicates past the limit (in any case) are still `E_PARSE`;
 * - paragraphs per chunk: thousands in one chunk, one per chunk, one over many chunks.
 */
import assert from 'node:assert/strict';
import { constants } from 'node:buffer';
import { test } from 'node:test';
import { isLeanrecError } from 'leanrec';
import { type Deb822Options, parseDeb822 } from 'leanrec/debian';

async function* chunked(text: string | Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const b = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function parse(text: string, size: number, options: Deb822Options = {}) {
  const out = [];
  for await (const p of parseDeb822(chunked(text, size), options)) out.push(p);
  return out;
}

/** Asserts that parsing rejects with E_PARSE at `line` (and `column`, when given). */
async function rejectsAt(p: Promise<unknown>, line: number, column?: number): Promise<void> {
  await assert.rejects(p, (err) => {
    assert.ok(isLeanrecError(err), String(err));
    assert.equal(err.code, 'E_PARSE', err.message);
    assert.equal(err.line, line, err.message);
    if (column !== undefined) assert.equal(err.column, column, err.message);
    // The position leads the message once, as `<file>:line:column:`.
    assert.ok(err.message.includes(`:${line}:`), err.message);
    return true;
  });
}

const MAX = 100;

/** A line of exactly `n` bytes of the given kind (line end not counted). */
function lineOf(kind: 'field' | 'continuation' | 'comment', n: number): string {
  if (kind === 'field') return `Long: ${'v'.repeat(n - 6)}`;
  if (kind === 'continuation') return ` ${'c'.repeat(n - 1)}`;
  return `#${'#'.repeat(n - 1)}`;
}

test('maxLineLength − 1, maxLineLength, + 1: every kind of line, LF and CRLF, every chunk size', async () => {
  for (const kind of ['field', 'continuation', 'comment'] as const) {
    for (const eol of ['\n', '\r\n']) {
      for (const n of [MAX - 1, MAX, MAX + 1]) {
        // The long line is line 3 of the text.
        const text = ['Package: a', 'Description: short', lineOf(kind, n), 'Other: b', ''].join(
          eol,
        );
        for (const size of [1, 3, 64, MAX - 1, MAX, MAX + 1, MAX + 2, 40 + n, 4096]) {
          const got = parse(text, size, { maxLineLength: MAX, comments: true });
          const what = `${kind} of ${n} bytes, eol ${JSON.stringify(eol)}, chunks of ${size}`;
          if (n > MAX) {
            await rejectsAt(got, 3, MAX + 1);
            continue;
          }
          const [p] = await got;
          const desc = kind === 'continuation' ? `short\n${lineOf(kind, n)}` : 'short';
          const fields: [string, string][] = [
            ['Package', 'a'],
            ['Description', desc],
          ];
          if (kind === 'field') fields.push(['Long', 'v'.repeat(n - 6)]);
          fields.push(['Other', 'b']);
          assert.deepStrictEqual(p!.fields, fields, what);
        }
      }
    }
  }
});

test('a CRLF line of exactly maxLineLength whose \\r ends a chunk is not too long', async () => {
  const line = lineOf('field', MAX);
  const text = `${line}\r\nNext: x\r\n`;
  // Chunks of MAX + 1 bytes: the first ends with the \r, before its \n arrives.
  const [p] = await parse(text, MAX + 1, { maxLineLength: MAX });
  assert.deepStrictEqual(p!.fields, [
    ['Long', 'v'.repeat(MAX - 6)],
    ['Next', 'x'],
  ]);
  await rejectsAt(parse(`${lineOf('field', MAX + 1)}\r\n`, MAX + 2, { maxLineLength: MAX }), 1);
});

test('the last line, without a line end, at maxLineLength and one byte over', async () => {
  const [p] = await parse(`A: 1\n${lineOf('field', MAX)}`, 7, { maxLineLength: MAX });
  assert.equal(p!.fields[1]![1], 'v'.repeat(MAX - 6));
  await rejectsAt(parse(`A: 1\n${lineOf('field', MAX + 1)}`, 7, { maxLineLength: MAX }), 2);
});

test('an endless line stops at maxLineLength, not at the end of the input', async () => {
  let pulled = 0;
  async function* endless(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('Package: x\nDescription: ');
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 16 * 1024; i++) {
      pulled++;
      yield chunk;
    }
  }
  await rejectsAt(parseDeb822(endless(), { maxLineLength: 1000 }).next(), 2, 1001);
  assert.ok(pulled <= 2, `${pulled} chunks read`);
});

test('field names of 1 byte, 4 KiB, and as long as the line allows', async () => {
  const long = 'N'.repeat(4096);
  const [p] = await parse(`A: 1\n${long}: v\n`, 1000);
  assert.deepStrictEqual(p!.fields, [
    ['A', '1'],
    [long, 'v'],
  ]);
  // `name:` filling the line exactly, then a name one byte longer.
  const [q] = await parse(`${'M'.repeat(MAX - 1)}:\n`, 7, { maxLineLength: MAX });
  assert.deepStrictEqual(q!.fields, [['M'.repeat(MAX - 1), '']]);
  await rejectsAt(parse(`${'M'.repeat(MAX)}:\n`, 7, { maxLineLength: MAX }), 1);
});

test('maxLineLength must be a positive integer', async () => {
  for (const bad of [0, -1, 2.5, Number.NaN]) {
    await assert.rejects(parse('A: 1\n', 10, { maxLineLength: bad }), (err) => {
      assert.ok(isLeanrecError(err));
      assert.equal(err.code, 'E_ARGUMENT');
      assert.ok(err.message.includes('maxLineLength'));
      return true;
    });
  }
});

const LONG = process.env.LEANREC_LONG === '1';

// About 1.5 GB and 5–20 s on the 2-core machine: in the long campaign only.
test('the default maxLineLength (the longest string): limit and limit + 1 bytes', {
  skip: LONG ? false : 'about 1.5 GB of memory: runs with LEANREC_LONG=1',
}, async () => {
  const limit = constants.MAX_STRING_LENGTH;
  // `A: ` and a value: the line is `limit` bytes (the value fits in a string), then one
  // byte more; then a value one character longer than a string can be, which without
  // the limit reached the parser as a raw Error from Buffer#latin1Slice.
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  async function* line(bytes: number): AsyncGenerator<Uint8Array> {
    yield Buffer.from('A: ');
    let left = bytes - 3;
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      yield chunk.subarray(0, n);
      left -= n;
    }
    yield Buffer.from('\nB: 2\n');
  }
  const it = parseDeb822(line(limit));
  const first = await it.next();
  assert.equal(first.done, false);
  const fields = (first.value as { fields: [string, string][] }).fields;
  assert.equal(fields[0]![1].length, limit - 3);
  assert.deepStrictEqual(fields[1], ['B', '2']);
  assert.equal((await it.next()).done, true);
  for (const bytes of [limit + 1, limit + 4]) await rejectsAt(parseDeb822(line(bytes)).next(), 1);
});

// ── the 4,096 interned field names ───────────────────────────────────────────

const NAMES = 4096;
const names = (n: number) => Array.from({ length: n }, (_, i) => `F${i}`);

function paragraph(list: readonly string[], value: (n: string) => string): string {
  return `${list.map((n) => `${n}: ${value(n)}`).join('\n')}\n\n`;
}

for (const n of [NAMES - 1, NAMES, NAMES + 1]) {
  test(`${n} distinct field names: every paragraph parses, duplicates past the limit are caught`, async () => {
    const list = names(n);
    const reversed = [...list].reverse();
    // Paragraph 2 repeats the names in another order and case; 3 goes back to paragraph 1.
    const lower = reversed.map((x) => x.toLowerCase());
    const text =
      paragraph(list, (x) => `a-${x}`) +
      paragraph(lower, (x) => `b-${x}`) +
      paragraph(list, (x) => `c-${x}`);
    for (const size of [65_536, 1000]) {
      const got = await parse(text, size);
      assert.equal(got.length, 3);
      assert.deepStrictEqual(
        got[0]!.fields,
        list.map((x) => [x, `a-${x}`]),
      );
      assert.deepStrictEqual(
        got[1]!.fields,
        lower.map((x) => [x, `b-${x}`]),
      );
      assert.deepStrictEqual(
        got[2]!.fields,
        list.map((x) => [x, `c-${x}`]),
      );
      assert.deepStrictEqual(
        got.map((p) => p.line),
        [1, n + 2, 2 * n + 3],
      );
    }
    // The last name (past the limit when n > 4,096) twice, then in another case.
    const last = list.at(-1)!;
    const after = (extra: string) =>
      paragraph(list, (x) => x) + paragraph([...list, extra], (x) => x);
    await rejectsAt(parse(after(last), 4096), 2 * n + 2);
    await rejectsAt(parse(after(last.toLowerCase()), 4096), 2 * n + 2);
  });
}

test('past the limit, a name kept from before and another spelling of it in one paragraph', async () => {
  // "Aa" and "BB" have the same 32-bit hash: with them, 4,096 names fill the table of
  // marks while the table of names keeps a free slot. "Zq" then got that slot with a
  // mark of its own, which a later "zQ" in the same paragraph did not see.
  const list = [...names(NAMES - 2), 'Aa', 'BB'];
  const head =
    paragraph(list, (x) => x) + paragraph(['Zq'], () => '1') + paragraph(['zQ'], () => '1');
  const lines = list.length + 1 + 2 + 2;
  await rejectsAt(parse(`${head}zQ: 1\nZq: 2\n`, 65_536), lines + 2);
  await rejectsAt(parse(`${head}Zq: 1\nzQ: 2\n`, 65_536), lines + 2);
  await rejectsAt(parse(`${head}Zq: 1\nZq: 2\n`, 65_536), lines + 2);
  const ok = await parse(`${head}Zq: 1\nOther: 2\n`, 65_536);
  assert.deepStrictEqual(ok.at(-1)!.fields, [
    ['Zq', '1'],
    ['Other', '2'],
  ]);
});

// ── paragraphs per chunk ─────────────────────────────────────────────────────

test('paragraphs per chunk: 5,000 in one chunk, one per chunk (± 1 byte), one over many chunks', async () => {
  const one = (i: number) => `P: ${String(i).padStart(5, '0')}\n\n`;
  const text = Array.from({ length: 5000 }, (_, i) => one(i)).join('');
  const len = one(0).length;
  for (const size of [text.length, len - 1, len, len + 1, 2 * len - 1]) {
    const got = await parse(text, size);
    assert.equal(got.length, 5000, `chunks of ${size}`);
    assert.deepStrictEqual(got[4999], { fields: [['P', '04999']], line: 2 * 4999 + 1 });
    assert.ok(got.every((p, i) => p.fields[0]![1] === String(i).padStart(5, '0')));
  }
  const big = `A: ${'z'.repeat(10_000)}\n more\n\nB: 1\n`;
  const got = await parse(big, 97);
  assert.deepStrictEqual(
    got.map((p) => p.fields),
    [[['A', `${'z'.repeat(10_000)}\n more`]], [['B', '1']]],
  );
});
