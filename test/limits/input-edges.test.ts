/**
 * Input edges (src/debian/input.ts): where the decompressed stream is cut into chunks,
 * a paragraph starting one or two bytes before, at, or after the cut reads the same.
 * - plain files: cut every `chunkSize` bytes (the option), CRLF split between its bytes;
 * - gzip: zlib yields 64 KiB chunks; multi-member files with the member edge mid-line;
 * - lz4: one chunk per block; blocks of exactly the maximum (64 KiB … 4 MiB), linked or
 *   independent, stored or compressed, block and content checksums and content size
 *   present or absent, several frames and skippable frames, a match reaching 65,535 bytes
 *   back into an earlier block; a block one byte over its maximum is `E_PARSE`;
 * - xz (through `readPackages` and `parseDeb822` only, whichever decoder reads it):
 *   fixtures with a paragraph at 64 KiB − 1, 64 KiB, 64 KiB + 1, blocks of 64 KiB and
 *   64 KiB − 1, two streams with padding, checks none/CRC32/CRC64 (and SHA-256). Made with
 *   `xz` 5 from `textWithParagraphAt(65536 + d, 140000)` (test/helpers/deb822-text.ts):
 *   d = −1: `xz --block-size=65536 --check=crc32`; d = 0: the first 65,536 bytes
 *   `xz --check=crc64`, 8 zero bytes of stream padding, the rest `xz --check=none`;
 *   d = +1: `xz --block-size=65535 --check=crc64`; limits-sha256.xz:
 *   `textWithParagraphAt(0, 3000)`, `xz --check=sha256`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { isLeanrecError } from 'leanrec';
import { parseDeb822, readPackages } from 'leanrec/debian';
import { openInput } from '../../src/debian/input.ts';
import { type BuiltText, textWithParagraphAt } from '../helpers/deb822-text.ts';
import { tempDir } from '../helpers/limits.ts';
import { lz4Frame, skippableFrame, xxh32 } from '../helpers/lz4-frames.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

async function* chunksOf(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

async function paragraphsOf(
  source: Parameters<typeof parseDeb822>[0],
  options: Parameters<typeof parseDeb822>[1] = {},
) {
  const out = [];
  for await (const p of parseDeb822(source, options)) out.push(p);
  return out;
}

async function decoded(source: Parameters<typeof openInput>[0]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of openInput(source)) out.push(c);
  return out;
}

async function decodedWith(file: string, chunkSize: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of openInput(file, { chunkSize })) out.push(c);
  return out;
}

function join(list: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(list));
}

/** Asserts `err` is a LeanrecError `code` whose message contains `part`. */
function isError(code: string, part: string) {
  return (err: unknown) => {
    assert.ok(isLeanrecError(err), String(err));
    assert.equal(err.code, code);
    assert.ok(err.message.includes(part), err.message);
    return true;
  };
}

test('plain file: a paragraph at chunkSize − 2 … chunkSize + 2, LF and CRLF, one long line over many chunks', async () => {
  const dir = tempDir();
  try {
    for (const eol of ['\n', '\r\n']) {
      const at = 1000;
      const built = textWithParagraphAt(at, 3000, eol);
      const file = path.join(dir, 'Packages');
      fs.writeFileSync(file, built.bytes);
      // Chunks cut at `at` + d: inside the blank line, between \r and \n, at the next
      // paragraph's first byte, just after it.
      for (let d = -4; d <= 2; d++) {
        const got = await paragraphsOf(file, { chunkSize: at + d });
        assert.deepStrictEqual(
          got,
          built.paragraphs,
          `eol ${JSON.stringify(eol)}, chunkSize ${at + d}`,
        );
      }
      for (const chunkSize of [1, 2, 3, 7]) {
        const got = await paragraphsOf(file, { chunkSize });
        assert.deepStrictEqual(got, built.paragraphs, `chunkSize ${chunkSize}`);
      }
    }
    // A 40 KB description line read 1,000 bytes at a time.
    const long = `Package: long\nDescription: ${'y'.repeat(40_000)}\n\nPackage: next\n`;
    fs.writeFileSync(path.join(dir, 'Long'), long);
    const got = await paragraphsOf(path.join(dir, 'Long'), { chunkSize: 1000 });
    assert.deepStrictEqual(
      got.map((p) => p.fields),
      [
        [
          ['Package', 'long'],
          ['Description', 'y'.repeat(40_000)],
        ],
        [['Package', 'next']],
      ],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the magic bytes split over reads of 1…7 bytes, for every format', async () => {
  const built = textWithParagraphAt(300, 2000);
  const dir = tempDir();
  try {
    const files: [string, Uint8Array][] = [
      ['plain', built.bytes],
      ['gz', gzipSync(built.bytes)],
      ['lz4', lz4Frame(built.bytes, { blockBytes: 500 })],
    ];
    for (const [name, bytes] of files) {
      const file = path.join(dir, `Packages.${name}`);
      fs.writeFileSync(file, bytes);
      for (let chunkSize = 1; chunkSize <= 7; chunkSize++)
        assert.deepStrictEqual(
          await paragraphsOf(file, { chunkSize }),
          built.paragraphs,
          `${name}, reads of ${chunkSize}`,
        );
    }
    const xz = textWithParagraphAt(65_535, 140_000);
    for (const chunkSize of [1, 5, 6, 7])
      assert.deepStrictEqual(
        join(await decodedWith(fixture('limits-edge-minus1.xz'), chunkSize)),
        xz.bytes,
        `xz, reads of ${chunkSize}`,
      );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('gzip: a paragraph at 64 KiB − 2 … 64 KiB + 2 of the decompressed stream (zlib’s chunk edge)', async () => {
  const EDGE = 64 * 1024;
  for (let d = -2; d <= 2; d++) {
    const built = textWithParagraphAt(EDGE + d, 150_000);
    const gz = gzipSync(built.bytes);
    // The edge is where the decoder cuts: its first chunk ends there.
    const chunks = await decoded(chunksOf(gz));
    assert.equal(chunks[0]!.length, EDGE);
    assert.deepStrictEqual(join(chunks), built.bytes);
    assert.deepStrictEqual(await paragraphsOf(chunksOf(gz)), built.paragraphs, `d = ${d}`);
  }
});

test('gzip: members concatenated with the edge inside a line, at a paragraph and in a CRLF', async () => {
  const built = textWithParagraphAt(5000, 12_000, '\r\n');
  for (const cut of [4998, 4999, 5000, 5001, 5020]) {
    const gz = Buffer.concat([
      gzipSync(built.bytes.subarray(0, cut)),
      gzipSync(built.bytes.subarray(cut)),
    ]);
    assert.deepStrictEqual(await paragraphsOf(chunksOf(gz)), built.paragraphs, `cut ${cut}`);
  }
  // Zero bytes after the last member are ignored (as gzip does); anything else is not.
  const gz = gzipSync(built.bytes);
  assert.deepStrictEqual(await paragraphsOf(chunksOf(gz, new Uint8Array(8))), built.paragraphs);
  await assert.rejects(
    paragraphsOf(chunksOf(gz, Buffer.from('garbage'))),
    isError('E_PARSE', 'truncated or corrupt gzip'),
  );
});

/**
 * Deterministic random bytes where runs repeat exactly 65,535 bytes later (the farthest
 * an LZ4 match reaches) and nowhere nearer, so compressed blocks must use them.
 */
function farMatches(size: number): Uint8Array {
  let seed = 7;
  const b = Uint8Array.from(
    { length: size },
    () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24,
  );
  for (let p = 65_535; p + 1000 < size; p += 2003) b.copyWithin(p, p - 65_535, p - 65_535 + 1000);
  return b;
}

test('lz4: blocks of exactly 64 KiB, − 1 and + 1 in their content, every header option', async () => {
  const EDGE = 64 * 1024;
  for (let d = -1; d <= 1; d++) {
    const built = textWithParagraphAt(EDGE + d, 200_000);
    for (const o of [
      {},
      { linked: false },
      { store: 'uncompressed' as const },
      // Literals only: 257 bytes of lengths per 64 KiB, so blocks of 64 KiB − 300.
      { store: 'literals' as const, blockBytes: EDGE - 300 },
      { blockChecksum: true, contentSize: true },
      { contentChecksum: false },
      { blockBytes: EDGE - 1 },
      { blockBytes: EDGE + d, bsid: 5 },
    ]) {
      const frame = lz4Frame(built.bytes, o);
      const chunks = await decoded(chunksOf(frame));
      const blockBytes = o.blockBytes ?? EDGE;
      assert.equal(chunks[0]!.length, blockBytes, JSON.stringify(o));
      assert.deepStrictEqual(join(chunks), built.bytes);
      assert.deepStrictEqual(
        await paragraphsOf(chunksOf(frame)),
        built.paragraphs,
        `d = ${d} ${JSON.stringify(o)}`,
      );
    }
  }
});

test('lz4: block size ids 5, 6, 7 with a block of exactly their maximum', async () => {
  for (const bsid of [5, 6, 7]) {
    const max = 1 << (8 + 2 * bsid);
    const built = textWithParagraphAt(max, max + 1000);
    const frame = lz4Frame(built.bytes, {
      bsid,
      store: bsid === 5 ? 'compressed' : 'uncompressed',
    });
    const chunks = await decoded(chunksOf(frame));
    assert.deepStrictEqual(
      chunks.map((c) => c.length),
      [max, built.bytes.length - max],
    );
    assert.deepStrictEqual(await paragraphsOf(chunksOf(frame)), built.paragraphs, `bsid ${bsid}`);
  }
});

test('lz4: matches 65,535 bytes back across linked blocks, through the kept history', async () => {
  const data = farMatches(260_000);
  for (const blockBytes of [65_536, 65_535, 40_000, 100_000]) {
    const bsid = blockBytes > 65_536 ? 5 : 4;
    const frame = lz4Frame(data, { bsid, blockBytes });
    assert.ok(frame.length < data.length, 'the far matches were used');
    assert.deepStrictEqual(join(await decoded(chunksOf(frame))), data, `blocks of ${blockBytes}`);
  }
});

test('lz4: several frames, skippable and empty frames, frame edges inside a line and a CRLF', async () => {
  const built = textWithParagraphAt(3000, 9000, '\r\n');
  for (const cut of [2998, 2999, 3000, 3001, 3017]) {
    const a = built.bytes.subarray(0, cut);
    const b = built.bytes.subarray(cut);
    const file = Buffer.concat([
      lz4Frame(a, { contentChecksum: false }),
      skippableFrame(0),
      lz4Frame(new Uint8Array(0)),
      skippableFrame(17, 0xf),
      lz4Frame(b, { linked: false, blockBytes: 1000, blockChecksum: true }),
    ]);
    assert.deepStrictEqual(await paragraphsOf(chunksOf(file)), built.paragraphs, `cut ${cut}`);
  }
});

test('lz4: a block one byte over its maximum, a bad block size id and a cut frame are E_PARSE', async () => {
  const max = 64 * 1024;
  const data = new Uint8Array(max + 1).fill(0x61);
  // Stored: the size word says max + 1.
  const header = lz4Frame(new Uint8Array(0), { contentChecksum: false }).subarray(0, 7);
  const le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  const stored = Buffer.concat([
    header,
    Uint8Array.from(le((max + 1) | 0x80000000)),
    data,
    Uint8Array.from([0, 0, 0, 0]),
  ]);
  await assert.rejects(decoded(chunksOf(stored)), isError('E_PARSE', 'truncated or corrupt lz4'));
  // Compressed: a small block whose content decodes to max + 1 bytes.
  const big = lz4Frame(data, { bsid: 5, contentChecksum: false });
  assert.ok(big.length < 1000);
  // Block size id 4 (64 KiB) in a frame whose block holds 64 KiB + 1.
  await assert.rejects(decoded(chunksOf(withBsid(big, 4))), isError('E_PARSE', 'lz4'));
  // A block of exactly max, the same way: fine.
  const exact = lz4Frame(data.subarray(0, max), { bsid: 5, contentChecksum: false });
  assert.deepStrictEqual(join(await decoded(chunksOf(withBsid(exact, 4)))), data.subarray(0, max));
  const badId = withBsid(lz4Frame(data.subarray(0, 10)), 3); // id 3 is not a block size
  await assert.rejects(decoded(chunksOf(badId)), isError('E_PARSE', 'lz4'));
  const whole = lz4Frame(farMatches(5000));
  // (3 bytes are not an lz4 magic number: they read as plain text.)
  for (const keep of [4, 6, 7, 11, 100, whole.length - 5, whole.length - 1])
    await assert.rejects(
      decoded(chunksOf(whole.subarray(0, keep))),
      isError('E_PARSE', 'lz4'),
      `cut at ${keep}`,
    );
});

test('xz: a stream with a SHA-256 check', async () => {
  const built = textWithParagraphAt(0, 3000);
  assert.deepStrictEqual(await paragraphsOf(fixture('limits-sha256.xz')), built.paragraphs);
});

/** `frame` with another block size id, its header checksum made right again. */
function withBsid(frame: Uint8Array, bsid: number): Uint8Array {
  const f = Uint8Array.from(frame);
  f[5] = bsid << 4;
  f[6] = (xxh32(f.subarray(4, 6)) >>> 8) & 0xff; // a frame without content size here
  return f;
}

test('lz4: every checksum present is verified, and the content size', async () => {
  const built = textWithParagraphAt(5000, 20_000);
  const all = { blockChecksum: true, contentSize: true, blockBytes: 4096, linked: false };
  const good = lz4Frame(built.bytes, all);
  assert.deepStrictEqual(join(await decoded(chunksOf(good))), built.bytes);
  // The byte at `at` with one bit flipped.
  const flip = (frame: Uint8Array, at: number) => {
    const f = Uint8Array.from(frame);
    f[at]! ^= 0x10;
    return f;
  };
  // Layout: magic 0–3, FLG 4, BD 5, content size 6–13, header checksum 14, then blocks.
  const firstBlock = (good[15]! | (good[16]! << 8) | (good[17]! << 16)) & 0x7fffff;
  const wrongSize = flip(good, 7);
  wrongSize[14] = (xxh32(wrongSize.subarray(4, 14)) >>> 8) & 0xff;
  const cases: [string, Uint8Array][] = [
    ['header checksum', flip(good, 6)],
    ['content size', wrongSize],
    ['block checksum', flip(good, 40)],
    ['block checksum', flip(good, 19 + firstBlock)],
    ['content checksum', flip(good, good.length - 1)],
  ];
  // A flipped byte of content in a frame with only the content checksum: found at the end.
  const stored = lz4Frame(built.bytes, { store: 'uncompressed' });
  cases.push(['content checksum', flip(stored, 100)]);
  for (const [why, frame] of cases)
    await assert.rejects(decoded(chunksOf(frame)), (err) => {
      assert.ok(isLeanrecError(err));
      assert.equal(err.code, 'E_PARSE');
      assert.ok(err.message.includes('lz4'), err.message);
      assert.equal((err.cause as Error).message, why);
      return true;
    });
  // Without checksums nothing can tell: the flipped byte comes through.
  const bare = lz4Frame(built.bytes, { store: 'uncompressed', contentChecksum: false });
  const out = join(await decoded(chunksOf(flip(bare, 100))));
  assert.notDeepStrictEqual(out, built.bytes);
});

const xzCases: [string, number][] = [
  ['limits-edge-minus1.xz', -1],
  ['limits-edge-0.xz', 0],
  ['limits-edge-plus1.xz', 1],
];

test('xz: a paragraph at 64 KiB − 1, 64 KiB, 64 KiB + 1, blocks, two streams, checks none/CRC32/CRC64', async () => {
  for (const [name, d] of xzCases) {
    const built: BuiltText = textWithParagraphAt(65_536 + d, 140_000);
    assert.deepStrictEqual(join(await decoded(fixture(name))), built.bytes, name);
    assert.deepStrictEqual(await paragraphsOf(fixture(name)), built.paragraphs, name);
    const records = [];
    for await (const r of readPackages(fixture(name))) records.push(r);
    assert.equal(records.length, built.paragraphs.length);
    assert.deepStrictEqual(
      records.map((r) => [r.package, r.version, r.architecture, r.description]),
      built.paragraphs.map((p) => p.fields.map(([, v]) => v)),
      name,
    );
  }
});

test('lz4: a skippable frame of 256 MiB is dropped as it arrives, not held', async () => {
  const built = textWithParagraphAt(500, 2000);
  const size = 256 * 1024 * 1024;
  const piece = new Uint8Array(1024 * 1024).fill(0xa5);
  const before = process.memoryUsage().arrayBuffers;
  let peak = 0;
  async function* input(): AsyncGenerator<Uint8Array> {
    yield lz4Frame(built.bytes.subarray(0, 700));
    yield skippableFrame(0).subarray(0, 4); // the magic number…
    yield Uint8Array.of(size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, size >>> 24); // …its size
    for (let sent = 0; sent < size; sent += piece.length) {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
      yield piece;
    }
    yield lz4Frame(built.bytes.subarray(700));
  }
  assert.deepStrictEqual(await paragraphsOf(input()), built.paragraphs);
  assert.ok(peak < 32 * 1024 * 1024, `${(peak / 2 ** 20).toFixed(1)} MiB held while skipping`);
  // Cut short, it is E_PARSE. (A skippable frame first would not be recognised: the
  // input is detected as lz4 by the magic number of a data frame.)
  async function* cut(): AsyncGenerator<Uint8Array> {
    yield lz4Frame(built.bytes.subarray(0, 10));
    yield skippableFrame(100).subarray(0, 50);
  }
  await assert.rejects(decoded(cut()), isError('E_PARSE', 'lz4'));
});
