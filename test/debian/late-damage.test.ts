/**
 * Damage found only by a check at the end of what it covers — an lz4 frame's content
 * checksum, gzip's CRC-32 at the end of a member, the check after an xz block — comes
 * after the decoder handed out the text before it, damaged or not. The error says so;
 * a non-atomic ingest keeps records of the damaged text (which the message warns about),
 * an atomic one leaves the store as it was, also after reopen.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isLeanrecError, openStore } from 'leanrec';
import { debianPackages, readPackages, toDeb822 } from 'leanrec/debian';
import { openInput } from '../../src/debian/input.ts';
import { lz4Frame } from '../helpers/lz4-frames.ts';
import { tempDir } from '../helpers/temp.ts';

const dir = tempDir('late-damage');
after(() => rmSync(dir, { recursive: true, force: true }));

const sample = readFileSync(new URL('../fixtures/Packages-sample', import.meta.url));
/** The sample with every version changed: what a re-ingest of it would replace. */
const newer = Buffer.from(
  sample.toString('latin1').replace(/^Version: (.*)$/gm, 'Version: $1+new'),
  'latin1',
);
/** Where one byte of `newer` is flipped: a letter inside the first Description. */
const DAMAGED_AT = newer.indexOf('Description: ') + 20;
const BLOCK = 2048;

/**
 * `newer` as an lz4 frame with only a content checksum (no block checksums, no content
 * size: what `lz4` writes by default), blocks stored as is, one byte of text flipped.
 */
function damagedLz4(): Uint8Array {
  const frame = lz4Frame(newer, { store: 'uncompressed', blockBytes: BLOCK, linked: false });
  // Header: magic 4, FLG, BD, header checksum; each block: its 4-byte size, then the text.
  const at = 7 + 4 * (Math.floor(DAMAGED_AT / BLOCK) + 1) + DAMAGED_AT;
  assert.equal(frame[at], newer[DAMAGED_AT], 'the offset points at the text byte');
  frame[at]! ^= 0x01;
  return frame;
}

/** `newer` gzipped, one bit of the CRC-32 at the end of the member flipped. */
function damagedGzip(): Uint8Array {
  const gz = gzipSync(newer);
  gz[gz.length - 8]! ^= 0x01;
  return gz;
}

/** `newer` as .xz (one block), one bit of the block's check (before the index) flipped. */
async function damagedXz(): Promise<Uint8Array> {
  const lzma = createRequire(import.meta.url)('lzma-native');
  const xz = Uint8Array.from(await lzma.compress(newer, { preset: 1, check: lzma.CHECK_CRC64 }));
  // Stream footer (12 bytes): CRC32, backward size (index size / 4 - 1), flags, magic.
  const footer = xz.length - 12;
  const backward =
    (xz[footer + 4]! | (xz[footer + 5]! << 8) | (xz[footer + 6]! << 16)) +
    xz[footer + 7]! * 2 ** 24;
  const index = footer - (backward + 1) * 4;
  assert.equal(xz[7], 0x04, 'CRC64: 8 bytes of check right before the index');
  xz[index - 8]! ^= 0x01;
  return xz;
}

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Every record of the store as its paragraph, sorted. */
function contents(store: { where(): Iterable<{ record(): Record<string, unknown> }> }): string[] {
  return [...store.where()].map((v) => toDeb822(v.record())).sort();
}

const LATE =
  /already handed out.*non-atomic ingest may have stored damaged records.*atomic one.*keeps nothing/;

for (const [format, damaged] of [
  ['lz4', damagedLz4],
  ['gzip', damagedGzip],
  ['xz', damagedXz],
] as const) {
  test(`${format}: a failed end check is E_PARSE saying the text before was handed out`, async () => {
    let bytes = 0;
    await assert.rejects(
      (async () => {
        const bad = await damaged();
        for await (const c of openInput(chunksOf(bad, 4096), { file: `bad.${format}` }))
          bytes += c.length;
      })(),
      (err) => {
        assert.ok(isLeanrecError(err, 'E_PARSE'), String(err));
        assert.ok(err.message.includes(`truncated or corrupt ${format} input: bad.${format}`));
        assert.match(err.message, LATE);
        return true;
      },
    );
    assert.ok(bytes > DAMAGED_AT, `the damaged text was yielded first (${bytes} bytes)`);
  });
}

test('a damaged text without a check at its end (a cut frame) does not say so', async () => {
  const frame = damagedLz4();
  await assert.rejects(
    (async () => {
      for await (const _ of openInput(chunksOf(frame.subarray(0, 3000), 512)));
    })(),
    (err) => isLeanrecError(err, 'E_PARSE') && !LATE.test(err.message),
  );
});

test('lz4 with a content checksum only: a non-atomic ingest keeps damaged records, an atomic one keeps nothing', async () => {
  const frame = damagedLz4();
  const original = new Set(
    sample
      .toString('latin1')
      .split(/\n\n+/)
      .filter((p) => p.trim() !== '')
      .map((p) => `${p.replace(/\n+$/, '')}\n`.replace(/^Version: (.*)$/m, 'Version: $1+new')),
  );

  // Non-atomic: what the message warns about happens.
  const loose = await openStore(debianPackages, { path: join(dir, 'loose') });
  try {
    await assert.rejects(
      loose.ingest(readPackages(chunksOf(frame, 1024), { file: 'bad.lz4' }), { batchSize: 2 }),
      (err) => isLeanrecError(err, 'E_PARSE') && LATE.test(err.message) && err.written! > 0,
    );
    const kept = contents(loose);
    assert.ok(kept.length > 0);
    assert.ok(
      kept.some((p) => !original.has(p)),
      'a record of the damaged text was stored',
    );
  } finally {
    await loose.close();
  }

  // Atomic, over a store holding the sample: unchanged, in memory and after reopen.
  const path = join(dir, 'atomic');
  const store = await openStore(debianPackages, { path });
  await store.ingest(readPackages(chunksOf(sample, 4096)));
  const before = contents(store);
  assert.equal(before.length, 20);
  await assert.rejects(
    store.ingest(readPackages(chunksOf(frame, 1024), { file: 'bad.lz4' }), {
      batchSize: 2,
      atomic: true,
    }),
    (err) => isLeanrecError(err, 'E_PARSE') && LATE.test(err.message),
  );
  assert.deepEqual(contents(store), before);
  await store.close();
  const reopened = await openStore(debianPackages, { path });
  try {
    assert.deepEqual(contents(reopened), before);
  } finally {
    await reopened.close();
  }
});
