import assert from 'node:assert/strict';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createGunzip, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { type Deb822Options, type Paragraph, parseDeb822 } from '../../src/debian/deb822.ts';
import { serializeParagraph, serializeParagraphs } from '../../src/debian/serialize.ts';
import { isLeanrecError } from '../../src/errors.ts';

const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;

async function* chunksOf(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let prev = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    yield bytes.subarray(prev, cut);
    prev = cut;
  }
  yield bytes.subarray(prev);
}

async function parse(
  text: string | Uint8Array,
  options: Deb822Options = {},
  cuts: number[] = [],
): Promise<Paragraph[]> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const out: Paragraph[] = [];
  for await (const p of parseDeb822(chunksOf(bytes, cuts), options)) out.push(p);
  return out;
}

async function serializeAll(ps: Iterable<Paragraph>, trailing = false): Promise<string> {
  let s = '';
  for await (const t of serializeParagraphs(ps, { trailingBlankLine: trailing })) s += t;
  return s;
}

async function parseError(text: string | Uint8Array, options: Deb822Options = {}) {
  try {
    await parse(text, options);
  } catch (err) {
    assert.ok(isLeanrecError(err, 'E_PARSE'), String(err));
    return err;
  }
  assert.fail('expected E_PARSE');
}

// --- arbitraries -------------------------------------------------------------------------

const nameChar = fc.integer({ min: 0x21, max: 0x7e }).filter((c) => c !== 0x3a);
const fieldName = fc
  .array(nameChar, { minLength: 1, maxLength: 12 })
  .filter((cs) => cs[0] !== 0x23 && cs[0] !== 0x2d)
  .map((cs) => String.fromCharCode(...cs));
/** Text of one line: any Unicode (astral too) but no newline or carriage return. */
const lineText = fc
  .string({ unit: 'grapheme', maxLength: 20 })
  .map((s) => s.replace(/[\r\n]/g, '?'));
const continuation = fc
  .tuple(fc.constantFrom(' ', '\t', '  '), lineText)
  .map(([ws, t]) => (t.trim() === '' ? `${ws}.` : ws + t));
const value = fc
  .tuple(lineText, fc.array(continuation, { maxLength: 4 }))
  .map(([first, rest]) => (rest.length === 0 ? first : [first, ...rest].join('\n')));
const paragraph = fc
  .uniqueArray(fc.tuple(fieldName, value), {
    minLength: 1,
    maxLength: 8,
    selector: ([n]) => n.toLowerCase(),
  })
  .map((fields) => fields as [string, string][]);

// --- properties --------------------------------------------------------------------------

test('parse(serialize(paragraphs)) gives the paragraphs back', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(paragraph, { minLength: 1, maxLength: 5 }), async (ps) => {
      const text = await serializeAll(ps.map((fields) => ({ fields, line: 0 })));
      const parsed = await parse(text);
      assert.deepEqual(
        parsed.map((p) => p.fields),
        ps,
      );
      // and serialize(parse(text)) is the text
      assert.equal(await serializeAll(parsed), text);
    }),
    { numRuns: 200 },
  );
});

test('the same bytes split anywhere give the same paragraphs', async () => {
  const bytes = readFileSync(fixture('Packages-sample'));
  const whole = await parse(bytes);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }),
      async (cuts) => assert.deepEqual(await parse(bytes, {}, cuts), whole),
    ),
    { numRuns: 100 },
  );
  // one byte at a time: every UTF-8 sequence and every line is split
  assert.deepEqual(
    await parse(
      bytes,
      {},
      Array.from({ length: bytes.length }, (_, i) => i),
    ),
    whole,
  );
});

test('random paragraphs split anywhere give the same result', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(paragraph, { minLength: 1, maxLength: 3 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      async (ps, rawCuts) => {
        const bytes = Buffer.from(await serializeAll(ps.map((fields) => ({ fields, line: 0 }))));
        const cuts = rawCuts.map((c) => c % (bytes.length + 1));
        assert.deepEqual(
          (await parse(bytes, {}, cuts)).map((p) => p.fields),
          ps,
        );
      },
    ),
    { numRuns: 100 },
  );
});

// --- examples ----------------------------------------------------------------------------

test('values keep continuation lines, dots and the line of each paragraph', async () => {
  const text =
    'Package: a\nDescription: short\n long line\n .\n\tmore\n\n\n\nPackage: b\nFiles:\n x 1\n';
  const ps = await parse(text);
  assert.deepEqual(ps, [
    {
      fields: [
        ['Package', 'a'],
        ['Description', 'short\n long line\n .\n\tmore'],
      ],
      line: 1,
    },
    {
      fields: [
        ['Package', 'b'],
        ['Files', '\n x 1'],
      ],
      line: 9,
    },
  ]);
  assert.equal(serializeParagraph(ps[1]!), 'Package: b\nFiles:\n x 1\n');
});

test('a missing final newline and trailing blank lines are fine', async () => {
  assert.deepEqual(
    (await parse('A: 1\n B')).map((p) => p.fields),
    [[['A', '1\n B']]],
  );
  assert.deepEqual(
    (await parse('A: 1\n\n\n \n')).map((p) => p.fields),
    [[['A', '1']]],
  );
  assert.deepEqual(await parse(''), []);
  assert.deepEqual(await parse('\n\n'), []);
});

test('rawValues keeps the text after the colon exactly', async () => {
  const text = 'A:x\nB:\ty\nC:  z\nD: \n';
  const ps = await parse(text, { rawValues: true });
  assert.deepEqual(ps[0]!.fields, [
    ['A', 'x'],
    ['B', '\ty'],
    ['C', '  z'],
    ['D', ' '],
  ]);
  assert.equal(serializeParagraph(ps[0]!, { rawValues: true }), text);
  const plain = (await parse(text))[0]!;
  assert.deepEqual(plain.fields, [
    ['A', 'x'],
    ['B', '\ty'],
    ['C', ' z'],
    ['D', ' '],
  ]);
  // A lone space after the colon is the value, so `D: ` comes back as written.
  assert.match(serializeParagraph(plain), /\nD: \n$/);
});

test('`Name: ` before continuation lines (Sources Package-List) round-trips', async () => {
  const text = 'Package-List: \n hello deb devel optional arch=any\nFiles:\n abc 1 f\n';
  const ps = await parse(text);
  assert.deepEqual(ps[0]!.fields, [
    ['Package-List', ' \n hello deb devel optional arch=any'],
    ['Files', '\n abc 1 f'],
  ]);
  assert.equal(serializeParagraph(ps[0]!), text);
});

test('CRLF is normalised, and can be written back', async () => {
  const text = 'A: 1\r\nB: two\r\n lines\r\n\r\nC: 3\r\n';
  const ps = await parse(text, {}, [5, 6, 18]);
  assert.deepEqual(
    ps.map((p) => p.fields),
    [
      [
        ['A', '1'],
        ['B', 'two\n lines'],
      ],
      [['C', '3']],
    ],
  );
  let out = '';
  for await (const s of serializeParagraphs(ps, { newline: '\r\n' })) out += s;
  assert.equal(out, text);
});

test('CRLF paragraphs are marked and written back byte for byte, split anywhere', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(paragraph, fc.boolean()), { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      async (ps, rawCuts) => {
        // Each paragraph ends its lines with CRLF or LF; the blank line before it too.
        let text = '';
        for (const [fields, crlf] of ps) {
          const p = serializeParagraph(fields, { newline: crlf ? '\r\n' : '\n' });
          text += text === '' ? p : (crlf ? '\r\n' : '\n') + p;
        }
        const bytes = Buffer.from(text);
        const parsed = await parse(
          bytes,
          {},
          rawCuts.map((c) => c % (bytes.length + 1)),
        );
        assert.deepEqual(
          parsed.map((p) => [p.fields, p.crlf === true]),
          ps,
        );
        assert.equal(await serializeAll(parsed), text);
      },
    ),
    { numRuns: 200 },
  );
});

test('a paragraph mixing LF and CRLF reads the same and is written back with LF', async () => {
  const ps = await parse('A: 1\r\nB: two\n lines\r\n\r\nC: 3\r\nD: 4');
  assert.deepEqual(ps, [
    {
      fields: [
        ['A', '1'],
        ['B', 'two\n lines'],
      ],
      line: 1,
    },
    // the last line has no line end: it does not count, the paragraph is CRLF
    {
      fields: [
        ['C', '3'],
        ['D', '4'],
      ],
      line: 5,
      crlf: true,
    },
  ]);
  assert.equal(serializeParagraph(ps[0]!), 'A: 1\nB: two\n lines\n');
  assert.equal(serializeParagraph(ps[0]!, { newline: '\r\n' }), 'A: 1\r\nB: two\r\n lines\r\n');
  assert.equal(serializeParagraph(ps[1]!, { newline: '\n' }), 'C: 3\nD: 4\n');
});

test('comments are skipped when allowed, refused otherwise', async () => {
  const text = '# head\nSource: x\n# inside\nBuild-Depends: a,\n# between\n b\n';
  const ps = await parse(text, { comments: true });
  assert.deepEqual(ps, [
    {
      fields: [
        ['Source', 'x'],
        ['Build-Depends', 'a,\n b'],
      ],
      line: 2,
    },
  ]);
  const err = await parseError(text);
  assert.equal(err.line, 1);
});

test('PGP-signed input yields the signed paragraphs, un-dash-escaped', async () => {
  const text = [
    '-----BEGIN PGP SIGNED MESSAGE-----',
    'Hash: SHA512',
    '',
    'Format: 3.0 (quilt)',
    'Source: hello',
    'Checksums-Sha256:',
    ' abc 12 hello.tar.xz',
    '- -dash: not a field line, a continuation',
    '',
    '- Files:',
    ' d41d 0 x',
    '-----BEGIN PGP SIGNATURE-----',
    '',
    'iQIzBAEBCgAdFiEE',
    '=abcd',
    '-----END PGP SIGNATURE-----',
    '',
  ].join('\n');
  // the dash-escaped "- -dash..." line is not a continuation: it is an error
  const err = await parseError(text);
  assert.equal(err.line, 8);
  const ok = text.replace('- -dash: not a field line, a continuation', '-  -dashed continuation');
  const ps = await parse(ok, {}, [40, 41, 90]);
  assert.deepEqual(ps, [
    {
      fields: [
        ['Format', '3.0 (quilt)'],
        ['Source', 'hello'],
        ['Checksums-Sha256', '\n abc 12 hello.tar.xz\n -dashed continuation'],
      ],
      line: 4,
    },
    { fields: [['Files', '\n d41d 0 x']], line: 10 },
  ]);
});

test('an unterminated PGP armor is an error naming its first line', async () => {
  const text = '\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nA: 1\n';
  const err = await parseError(text);
  assert.equal(err.line, 2);
  assert.match(err.message, /PGP/);
  const err2 = await parseError(`${text}-----BEGIN PGP SIGNATURE-----\nxx\n`);
  assert.equal(err2.line, 2);
  const err3 = await parseError(
    `${text}-----BEGIN PGP SIGNATURE-----\nxx\n-----END PGP SIGNATURE-----\nB: 2\n`,
  );
  assert.equal(err3.line, 9);
});

const bad: [string, string, number, number, RegExp][] = [
  ['continuation before any field', 'A: 1\n\n more\n', 3, 1, /continuation/],
  ['field line without colon', 'A: 1\nB 2\n', 2, 1, /colon/],
  ['empty field name', 'A: 1\n: 2\n', 2, 1, /empty field name/],
  ['invalid byte in name', 'A: 1\nB c: 2\n', 2, 2, /field name/],
  ['name starting with -', 'A: 1\n-B: 2\n', 2, 1, /-/],
  [
    'duplicate field',
    'Package: a\nVersion: 1\npackage: b\n',
    3,
    1,
    /^Packages:3:1: duplicate .*first at line 1\)$/,
  ],
  ['invalid UTF-8', 'A: 1\nB: ab\n c\xffd\n', 3, 3, /UTF-8/],
];
for (const [what, text, line, column, message] of bad) {
  test(`E_PARSE: ${what}`, async () => {
    const bytes = Buffer.from(text, 'latin1');
    const err = await parseError(bytes, { file: 'Packages' });
    assert.equal(err.line, line);
    assert.equal(err.column, column);
    assert.equal(err.file, 'Packages');
    assert.match(err.message, message);
    // The position leads the message and is not repeated in its text.
    assert.doesNotMatch(err.message.replace(/\(first at line \d+\)/, ''), / at line \d/);
  });
}

test('E_PARSE for invalid UTF-8 on a first line, a truncated sequence and a surrogate', async () => {
  for (const [bytes, line, column] of [
    [Buffer.from([0x41, 0x3a, 0x20, 0x61, 0xc3, 0x28, 0x0a]), 1, 5],
    [Buffer.from([0x41, 0x3a, 0x20, 0xe2, 0x82, 0x0a]), 1, 4],
    [Buffer.from([0x41, 0x3a, 0x20, 0xed, 0xa0, 0x80, 0x0a]), 1, 4],
  ] as const) {
    const err = await parseError(bytes);
    assert.equal(err.line, line);
    assert.equal(err.column, column);
    assert.equal(err.file, '<stream>');
  }
});

test('invalid UTF-8 is found at the same line and column wherever the chunks are cut', async () => {
  // Valid multi-byte text before and after, so chunks that pass the whole-chunk check and
  // chunks that do not sit next to each other.
  const head = Buffer.from('Package: é\nDescription: ü ok\n more ✓\n\nPackage: b\n', 'utf8');
  const tail = Buffer.from('\nVersion: 1\n\nPackage: c\n', 'utf8');
  for (const [bad, line, column] of [
    [Buffer.from('Maintainer: x\xff\n', 'latin1'), 6, 14],
    [Buffer.from('Maintainer: \xc3\n', 'latin1'), 6, 13],
    [Buffer.from(' cont \xe2\x82(\n', 'latin1'), 6, 7],
  ] as const) {
    const bytes = Buffer.concat([head, bad.subarray(0, bad.length - 1), tail]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      for (const cuts of [[cut], [cut, Math.min(bytes.length, cut + 3)]]) {
        let err: unknown;
        try {
          await parse(bytes, {}, cuts);
        } catch (e) {
          err = e;
        }
        assert.ok(isLeanrecError(err, 'E_PARSE'), `cuts ${cuts}: ${String(err)}`);
        assert.match(err.message, /UTF-8/);
        assert.deepEqual([err.line, err.column], [line, column], `cuts ${cuts}`);
      }
    }
  }
});

test('bytes that are not UTF-8 inside a PGP signature do not make the values wrong', async () => {
  const text = Buffer.concat([
    Buffer.from(
      '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nSource: é\nFormat: 3.0\n\n-----BEGIN PGP SIGNATURE-----\n',
      'utf8',
    ),
    Buffer.from('\xff\xfe\n-----END PGP SIGNATURE-----\n', 'latin1'),
  ]);
  for (let cut = 0; cut <= text.length; cut++) {
    const ps = await parse(text, {}, [cut]);
    assert.deepEqual(
      ps.map((p) => p.fields),
      [
        [
          ['Source', 'é'],
          ['Format', '3.0'],
        ],
      ],
    );
  }
});

test('a field order that changes between paragraphs still catches duplicates', async () => {
  // The parser guesses each name from the order seen before; the guess must not skip the
  // duplicate check, for exact repeats or other spellings.
  const ok = 'A: 1\nB: 2\nC: 3\n\nB: 1\nA: 2\n\nC: 1\nA: 2\nB: 3\n';
  assert.deepEqual(
    (await parse(ok)).map((p) => p.fields.map(([n]) => n)),
    [
      ['A', 'B', 'C'],
      ['B', 'A'],
      ['C', 'A', 'B'],
    ],
  );
  for (const [text, line] of [
    ['A: 1\nB: 2\n\nA: 1\nB: 2\nA: 3\n', 6],
    ['A: 1\nB: 2\n\nB: 1\nA: 2\nB: 3\n', 6],
    ['A: 1\nB: 2\n\nA: 1\nb: 2\nB: 3\n', 6],
    ['A: 1\nB: 2\nA: 3\n', 3],
  ] as const) {
    const err = await parseError(text);
    assert.match(err.message, /duplicate field/);
    assert.equal(err.line, line, text);
  }
});

test('a bad maxLineLength is E_ARGUMENT showing the value as given (a string in quotes)', async () => {
  for (const [maxLineLength, shown] of [
    ['5', '"5"'],
    [0, '0'],
    [1.5, '1.5'],
    [-1, '-1'],
  ] as const)
    await assert.rejects(
      parse('A: 1\n', { maxLineLength } as unknown as Deb822Options),
      (err) =>
        isLeanrecError(err, 'E_ARGUMENT') &&
        err.message.includes('maxLineLength') &&
        err.message.endsWith(`got ${shown}`),
      String(maxLineLength),
    );
});

test('a truncated .gz fails quickly with a clear E_PARSE', async () => {
  const gz = readFileSync(fixture('Packages-sample.gz'));
  const started = Date.now();
  const err = await parseError(gz.subarray(0, gz.length - 100));
  assert.match(err.message, /truncated or corrupt gzip input/);
  assert.ok(Date.now() - started < 5000);
  const tiny = await parseError(gzipSync(Buffer.from('A: 1\n')).subarray(0, 12));
  assert.match(tiny.message, /gzip/);
});

test('the fixture round-trips byte for byte, from every compression', async () => {
  const bytes = readFileSync(fixture('Packages-sample'));
  for (const name of [
    'Packages-sample',
    'Packages-sample.gz',
    'Packages-sample.xz',
    'Packages-sample.lz4',
  ]) {
    const ps: Paragraph[] = [];
    for await (const p of parseDeb822(fixture(name))) ps.push(p);
    assert.equal(ps.length, 20);
    assert.equal(await serializeAll(ps, true), bytes.toString('utf8'), name);
  }
});

test('the serializer refuses fields it could not read back', () => {
  for (const fields of [
    [['', 'x']],
    [['A:B', 'x']],
    [['#A', 'x']],
    [['A', 'x\ny']],
    [['A', 'x\n ']],
    [['A', 'x\r\n y']],
    [['A', 'x\n']],
  ] as [string, string][][]) {
    assert.throws(
      () => serializeParagraph(fields),
      (err) => isLeanrecError(err, 'E_ARGUMENT'),
    );
  }
});

test('values are not slices of the input chunk', async () => {
  // Values are decoded from the bytes, so overwriting the input afterwards changes nothing
  // (V8 gives no portable way to tell a sliced string from a flat one).
  const bytes = Buffer.from('Package: abcdefghijklmnopqrstuvwxyz\nDescription: 0123456789abcdef\n');
  const ps = await parse(bytes);
  bytes.fill(0x21);
  assert.equal(ps[0]!.fields[0]![1], 'abcdefghijklmnopqrstuvwxyz');
});

// --- the real index ----------------------------------------------------------------------

const realIndex = process.env['LEANREC_DEBIAN_PACKAGES'];
test('the real Debian index parses and round-trips byte for byte', {
  skip: realIndex === undefined ? 'set LEANREC_DEBIAN_PACKAGES to the Packages.gz' : false,
}, async () => {
  const path = realIndex!;
  assert.ok(existsSync(path), `LEANREC_DEBIAN_PACKAGES=${path} does not exist`);
  // Reference: the gunzipped file, read as a stream beside the parser.
  const ref = createReadStream(path).pipe(createGunzip());
  const refIt = ref[Symbol.asyncIterator]();
  let refBuf = Buffer.alloc(0);
  const expect = async (text: string): Promise<void> => {
    const got = Buffer.from(text, 'utf8');
    while (refBuf.length < got.length) {
      const r = await refIt.next();
      if (r.done === true) break;
      refBuf = Buffer.concat([refBuf, r.value as Buffer]);
    }
    const want = refBuf.subarray(0, got.length);
    if (!want.equals(got)) assert.equal(got.toString(), want.toString());
    refBuf = refBuf.subarray(got.length);
  };
  let count = 0;
  for await (const text of serializeParagraphs(parseDeb822(path), { trailingBlankLine: true })) {
    if (text !== '\n') count++;
    await expect(text);
  }
  assert.equal(count, 63_440);
  assert.equal(refBuf.length, 0);
  assert.equal((await refIt.next()).done, true);
});

test('stopping early closes the input without hanging', async () => {
  for (const name of ['Packages-sample.gz', 'Packages-sample.xz', 'Packages-sample-x10.lz4']) {
    for await (const p of parseDeb822(fixture(name))) {
      assert.equal(p.line, 1);
      break;
    }
  }
});
