/**
 * The LZ4 decoder on its own (src/debian/lz4.ts): the block decoder on hand-written
 * sequences (every length form, overlapping matches, the dictionary before the output
 * position) and each malformed form it must refuse; the frame decoder against frames made
 * by the real `lz4` tool (the fixtures) and by the test writer (test/helpers/lz4-frames.ts)
 * with random options, content and chunk cuts. Frame edges through `openInput` are in
 * test/limits/input-edges.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { isLeanrecError } from 'leanrec';
import { lz4Block, lz4Decode } from '../../src/debian/lz4.ts';
import { lz4Frame, skippableFrame, xxh32 } from '../helpers/lz4-frames.ts';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)));

async function* cut(bytes: Uint8Array, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    if (c > at && c < bytes.length) {
      yield bytes.subarray(at, c);
      at = c;
    }
  }
  yield bytes.subarray(at);
}

async function decode(bytes: Uint8Array, cuts: readonly number[] = []): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of lz4Decode(cut(bytes, cuts), 'in.lz4')) out.push(c);
  return out;
}

const join = (list: readonly Uint8Array[]) => new Uint8Array(Buffer.concat(list));
const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

/** Decodes a block into a fresh buffer after `dict`; the decoded bytes, or -1. */
function block(src: number[], dict: Uint8Array = new Uint8Array(0), room = 1000): Uint8Array | -1 {
  const dst = new Uint8Array(dict.length + room);
  dst.set(dict);
  const end = lz4Block(Uint8Array.from(src), dst, dict.length, dst.length);
  return end < 0 ? -1 : dst.slice(dict.length, end);
}

test('lz4Block: literals only, a match, an overlapping match (a run)', () => {
  // token 0x50: 5 literals, no match; the block ends on literals.
  assert.deepEqual(block([0x50, ...ascii('hello')]), ascii('hello'));
  // 3 literals "abc", match offset 3 length 4+2, then 1 literal "!".
  assert.deepEqual(block([0x32, ...ascii('abc'), 3, 0, 0x10, ...ascii('!')]), ascii('abcabcabc!'));
  // offset 1: the match copies the byte it is writing (a run of 1 + 8 'x').
  assert.deepEqual(block([0x14, ...ascii('x'), 1, 0, 0x10, ...ascii('.')]), ascii('xxxxxxxxx.'));
});

/** The extra length bytes of a length `n` in a token's nibble: 255s and the rest, from 15 on. */
function extra(n: number): number[] {
  if (n < 15) return [];
  const out: number[] = [];
  let rest = n - 15;
  for (; rest >= 255; rest -= 255) out.push(255);
  out.push(rest);
  return out;
}

test('lz4Block: literal and match lengths of 15, 15 + 255 and more use extra bytes', () => {
  for (const lit of [14, 15, 16, 269, 270, 271, 600]) {
    const text = new Uint8Array(lit).map((_, i) => 97 + (i % 26));
    const src = [Math.min(lit, 15) << 4, ...extra(lit), ...text];
    assert.deepEqual(block(src), text, `literals ${lit}`);
  }
  for (const ml of [18, 19, 20, 274, 275, 500]) {
    const m = ml - 4;
    const src = [0x10 | Math.min(m, 15), 0x2a, 1, 0, ...extra(m), 0x10, 0x2e];
    const want = new Uint8Array(1 + ml + 1).fill(0x2a);
    want[want.length - 1] = 0x2e;
    assert.deepEqual(block(src), want, `match ${ml}`);
  }
});

test('lz4Block: a match reaches into the dictionary before the output position', () => {
  const dict = ascii('0123456789');
  // No literals, match offset 10 length 8 (into the dictionary), then literal "!".
  assert.deepEqual(block([0x04, 10, 0, 0x10, ...ascii('!')], dict), ascii('01234567!'));
});

test('lz4Block: malformed blocks are -1, and nothing is written at or past the limit', () => {
  const bad: [string, number[]][] = [
    ['literals past the end', [0x50, ...ascii('abc')]],
    ['a literal length byte missing', [0xf0]],
    ['an offset cut', [0x10, 0x61, 1]],
    ['offset 0', [0x10, 0x61, 0, 0, 0x10, 0x2e]],
    ['an offset before the start of the output', [0x10, 0x61, 2, 0, 0x10, 0x2e]],
    ['a match length byte missing', [0x1f, 0x61, 1, 0]],
    ['a block that ends on a match', [0x10, 0x61, 1, 0]],
    ['an empty block', []],
  ];
  for (const [what, src] of bad) assert.equal(block(src), -1, what);
  // 5 literals into room for 4; a run of 10 into room for 8.
  assert.equal(block([0x50, ...ascii('hello')], undefined, 4), -1);
  assert.equal(block([0x16, 0x61, 1, 0, 0x10, 0x2e], undefined, 8), -1);
  assert.notEqual(block([0x16, 0x61, 1, 0, 0x10, 0x2e], undefined, 12), -1);
});

test('lz4Decode: frames written by the lz4 tool (linked blocks, checksums, content size)', async () => {
  const sample = readFileSync(
    fileURLToPath(new URL('../fixtures/Packages-sample', import.meta.url)),
  );
  assert.ok(Buffer.from(join(await decode(fixture('Packages-sample.lz4')))).equals(sample));
  const ten = Buffer.concat(Array.from({ length: 10 }, () => sample));
  const bytes = fixture('Packages-sample-x10.lz4');
  assert.ok(Buffer.from(join(await decode(bytes))).equals(ten));
  // Every 7 bytes a cut: headers, sizes and checksums split between chunks.
  const cuts = Array.from({ length: Math.floor(bytes.length / 7) }, (_, i) => 7 * (i + 1));
  assert.ok(Buffer.from(join(await decode(bytes, cuts))).equals(ten));
});

/** Text with repeats near and far, so that blocks hold matches of every distance. */
const content = fc
  .array(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      fc.record({ back: fc.nat(70_000), len: fc.integer({ min: 4, max: 2000 }) }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => {
    const out: number[] = [];
    for (const p of parts) {
      if (p instanceof Uint8Array) out.push(...p);
      else if (out.length > 0) {
        const from = Math.max(0, out.length - 1 - (p.back % out.length));
        for (let i = 0; i < p.len; i++) out.push(out[from + i]!);
      }
    }
    return Uint8Array.from(out);
  });

const frameOptions = fc.record({
  bsid: fc.integer({ min: 4, max: 5 }),
  blockBytes: fc.integer({ min: 1, max: 65_536 }),
  linked: fc.boolean(),
  blockChecksum: fc.boolean(),
  contentSize: fc.boolean(),
  contentChecksum: fc.boolean(),
  store: fc.constantFrom('compressed', 'uncompressed', 'literals'),
});

test('lz4Decode: any content, frame options and chunk cuts decode to the content, one chunk per block', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(content, frameOptions), { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 20 }),
      async (frames, skippable, rawCuts) => {
        const parts: Uint8Array[] = [];
        let blocks = 0;
        for (const [data, o] of frames) {
          if (skippable) parts.push(skippableFrame(data.length % 50, data.length % 16));
          parts.push(lz4Frame(data, o));
          blocks += Math.ceil(data.length / o.blockBytes);
        }
        const bytes = join(parts);
        const cuts = rawCuts.map((c) => c % (bytes.length + 1));
        const out = await decode(bytes, cuts);
        assert.deepEqual(join(out), join(frames.map(([d]) => d)));
        assert.equal(out.length, blocks);
      },
    ),
    { numRuns: 150 },
  );
});

test('lz4Decode: damage is E_PARSE naming the input; a failed content check says the text was handed out', async () => {
  const data = ascii('Package: a\nVersion: 1\n\n'.repeat(200));
  const good = lz4Frame(data, { blockChecksum: true, contentSize: true });
  const isParse = (late: boolean) => (err: unknown) => {
    assert.ok(isLeanrecError(err), String(err));
    assert.equal(err.code, 'E_PARSE');
    assert.ok(err.message.includes('in.lz4'), err.message);
    assert.equal(err.message.includes('handed out'), late, err.message);
    return true;
  };
  // The header checksum byte, the last block's checksum: found before that block is yielded.
  for (const at of [6 + 8, good.length - 9]) {
    const bad = Uint8Array.from(good);
    bad[at]! ^= 1;
    await assert.rejects(decode(bad), isParse(false), `byte ${at}`);
  }
  await assert.rejects(decode(good.subarray(0, good.length >> 1)), isParse(false));
  await assert.rejects(decode(ascii('not an lz4 frame')), isParse(false));
  // The content checksum (last 4 bytes) and the content size cover the whole frame.
  const badSum = Uint8Array.from(good);
  badSum[badSum.length - 1]! ^= 1;
  await assert.rejects(decode(badSum), isParse(true));
  const badSize = Uint8Array.from(lz4Frame(data, { contentSize: true, contentChecksum: false }));
  badSize[6]! ^= 1; // the content size's low byte (FLG BD at 4, 5), with a header checksum that fits
  badSize[14] = (xxh32(badSize.subarray(4, 14)) >>> 8) & 0xff;
  await assert.rejects(decode(badSize), isParse(true));
  // Without the rewritten header checksum, the header check finds it first.
  const badHeader = Uint8Array.from(lz4Frame(data, { contentSize: true, contentChecksum: false }));
  badHeader[6]! ^= 1;
  await assert.rejects(decode(badHeader), isParse(false));
});

test('lz4Decode: a consumer that stops early closes the input', async () => {
  let closed = false;
  const frame = lz4Frame(ascii('x'.repeat(200_000)), { blockBytes: 1000 });
  async function* source(): AsyncGenerator<Uint8Array> {
    try {
      for (let i = 0; i < frame.length; i += 100) yield frame.subarray(i, i + 100);
    } finally {
      closed = true;
    }
  }
  for await (const chunk of lz4Decode(source(), 'in.lz4')) {
    assert.equal(chunk.length, 1000);
    break;
  }
  assert.equal(closed, true);
});
