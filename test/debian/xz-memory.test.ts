/**
 * Memory of .xz input: every read returns what it took (external and RSS back where they
 * were, peak within the dictionary + 16 MiB), and the decoder is freed as soon as its
 * consumer stops or the input fails, without waiting for gc.
 *
 * The .xz is made here with an 8 MiB dictionary (the size `xz -6` uses), of the first
 * 10 MiB of the real index (LEANREC_DEBIAN_PACKAGES; set but missing fails). Without it the
 * memory test is skipped (the committed sample is far too small to show anything) and the
 * early-exit tests run on the sample repeated under new package names.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { openInput } from '../../src/debian/input.ts';
import { readPackages } from '../../src/debian/read.ts';
import { liveXzDecoders, xzDictionarySize } from '../../src/debian/xz.ts';
import { isLeanrecError } from '../../src/errors.ts';
import { debianIndexPath, debianSkip } from '../helpers/debian-index.ts';
import { tempDir } from '../helpers/temp.ts';

const MiB = 1024 * 1024;
const TEXT = 10 * MiB;
const DICT = 8 * MiB;
const READS = 4;

let dir = '';
let xzFile = '';
let gzFile = '';
let xzBytes: Buffer;
let paragraphs = 0;

/** About `TEXT` bytes of Packages text, cut after a paragraph. */
function packagesText(): Buffer {
  let text: Buffer;
  if (debianSkip() === false) {
    text = gunzipSync(readFileSync(debianIndexPath())).subarray(0, TEXT);
  } else {
    const sample = readFileSync(new URL('../fixtures/Packages-sample', import.meta.url), 'latin1');
    const copies: string[] = [];
    for (let i = 0, n = 0; n < TEXT; i++) {
      const copy = sample.replace(/^Package: (.+)$/gm, `Package: $1-copy${i}`);
      copies.push(copy.endsWith('\n\n') ? copy : `${copy}\n`);
      n += copy.length;
    }
    text = Buffer.from(copies.join(''), 'latin1').subarray(0, TEXT);
  }
  return text.subarray(0, text.lastIndexOf('\n\n') + 2);
}

/**
 * `text` as .xz with an 8 MiB dictionary, compressed for speed (hash chains of 3 bytes,
 * short searches): decoding costs the same, and the decoder allocates the dictionary that
 * the header asks for, whatever the compression level.
 */
function compress(text: Buffer): Promise<Buffer> {
  const lzma = createRequire(import.meta.url)('lzma-native');
  const enc = lzma.createStream('streamEncoder', {
    filters: [
      { id: lzma.FILTER_LZMA2, options: { dictSize: DICT, mf: 0x03, depth: 4, niceLen: 32 } },
    ],
    check: lzma.CHECK_CRC64,
    synchronous: true,
  });
  const out: Buffer[] = [];
  return new Promise((resolve, reject) => {
    enc.on('data', (c: Buffer) => out.push(c));
    enc.on('end', () => resolve(Buffer.concat(out)));
    enc.on('error', reject);
    enc.end(text);
  });
}

before(async () => {
  const text = packagesText();
  paragraphs = text.toString('latin1').split('\n\n').length - 1;
  xzBytes = await compress(text);
  dir = tempDir('xz');
  xzFile = join(dir, 'Packages.xz');
  writeFileSync(xzFile, xzBytes);
  gzFile = join(dir, 'Packages.gz');
  writeFileSync(gzFile, gzipSync(text, { level: 1 }));
});

after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('reading an .xz index returns its memory: external back within 2 MiB, RSS flat, bounded peak', {
  skip: debianSkip(),
}, (t) => {
  assert.equal(xzDictionarySize(xzBytes.subarray(0, 1024)), DICT);
  const child = fileURLToPath(new URL('../helpers/xz-memory-child.ts', import.meta.url));
  const res = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--conditions=leanrec-source',
      '--import',
      'tsx',
      child,
      xzFile,
      `${READS}`,
      gzFile,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(res.status, 0, res.stderr);
  const m = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as {
    before: { external: number; rss: number; hwm: number };
    after: {
      records: number;
      external: number;
      rss: number;
      native: number;
      hwm: number;
      rssBefore: number;
      gzHwm: number;
      gzRssBefore: number;
      nativeBefore: number;
      nativePeak: number;
    }[];
  };
  const show = (b: number): string => `${(b / MiB).toFixed(1)} MiB`;
  const trace = `before: external ${show(m.before.external)} rss ${show(m.before.rss)}; ${m.after
    .map(
      (a) =>
        `external ${show(a.external)} rss ${show(a.rss)} (native ${show(a.native)}) peak ${show(a.hwm - a.rssBefore)} (.gz ${show(a.gzHwm - a.gzRssBefore)}), outside the heap ${show(a.nativePeak - a.nativeBefore)}`,
    )
    .join('; ')}`;
  t.diagnostic(trace);
  for (const [i, a] of m.after.entries()) {
    assert.equal(a.records, paragraphs);
    assert.ok(
      a.external <= m.before.external + 2 * MiB,
      `external after read ${i + 1} is ${show(a.external)}, before ${show(m.before.external)}: ${trace}`,
    );
  }
  // RSS outside the V8 heap (malloc, native code: where a decoder lives) after the second
  // read and after the last: the first read leaves what the allocator keeps, later reads
  // reuse it. A decoder kept per read would add its dictionary each time. (V8's own heap
  // may still grow its pages for a few reads: not the decoder's, so not counted.)
  const second = m.after[1]!.native;
  const last = m.after.at(-1)!.native;
  assert.ok(
    last - second <= DICT / 2,
    `RSS outside the heap grew from ${show(second)} to ${show(last)}: ${trace}`,
  );
  // Peak of each read: RSS outside the V8 heap, sampled during the read, above where it
  // was before — the decoder's dictionary and the slices in flight. (The whole RSS peak,
  // VmHWM reset before the read, is in the trace beside a .gz read of the same text: it
  // adds the parser's garbage that V8 has not collected yet, whose amount depends on the
  // young generation's size, which differs between Node 20 and 24.)
  for (const [i, a] of m.after.entries()) {
    const peak = a.nativePeak - a.nativeBefore;
    assert.ok(
      peak <= DICT + 16 * MiB,
      `read ${i + 1}: RSS outside the heap peaked ${show(peak)} above its start: ${trace}`,
    );
  }
});

test('a consumer that stops after the first record frees the decoder at once', async () => {
  let seen = 0;
  for await (const r of readPackages(xzFile)) {
    assert.equal(liveXzDecoders(), 1);
    assert.equal(typeof r.package, 'string');
    seen++;
    break;
  }
  assert.equal(seen, 1);
  assert.equal(liveXzDecoders(), 0);
  // The same through openInput, stopped in the middle of the stream.
  let bytes = 0;
  for await (const c of openInput(xzFile)) {
    bytes += c.length;
    if (bytes > 2 * DICT) break;
  }
  assert.equal(liveXzDecoders(), 0);
});

test('corrupt data in the middle of the stream: E_PARSE and the decoder freed', async () => {
  const bad = Buffer.from(xzBytes);
  for (let i = bad.length >> 1; i < (bad.length >> 1) + 64; i++) bad[i] = bad[i]! ^ 0x5a;
  let bytes = 0;
  await assert.rejects(
    (async () => {
      for await (const c of openInput(chunks(bad, 64 * 1024))) bytes += c.length;
    })(),
    (e: unknown) => isLeanrecError(e) && e.code === 'E_PARSE' && /corrupt xz/.test(e.message),
  );
  // What came before the damage was decoded and handed over.
  assert.ok(bytes > 0, 'no data before the error');
  assert.equal(liveXzDecoders(), 0);
});

test('truncated .xz: E_PARSE and the decoder freed', async () => {
  await assert.rejects(
    (async () => {
      for await (const _ of openInput(chunks(xzBytes.subarray(0, xzBytes.length - 100), 4096)));
    })(),
    (e: unknown) => isLeanrecError(e) && e.code === 'E_PARSE',
  );
  assert.equal(liveXzDecoders(), 0);
});

test('an input that fails part-way: its error, and the decoder freed', async () => {
  async function* failing(): AsyncGenerator<Uint8Array> {
    yield* chunks(xzBytes.subarray(0, xzBytes.length >> 1), 64 * 1024);
    throw new Error('disk gone');
  }
  await assert.rejects(
    (async () => {
      for await (const _ of openInput(failing())) assert.equal(liveXzDecoders(), 1);
    })(),
    (e: unknown) => isLeanrecError(e) && e.code === 'E_IO' && /disk gone/.test(e.message),
  );
  assert.equal(liveXzDecoders(), 0);
});

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

test('the native decoder is loaded by the first .xz read, not by reading .gz', () => {
  const read = new URL('../../src/debian/read.ts', import.meta.url).href;
  const fixture = (name: string): string =>
    fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
  // Whether lzma-native's shared object is mapped into the process.
  const script = `
    import { readFileSync } from 'node:fs';
    const { readPackages } = await import(${JSON.stringify(read)});
    const mapped = () => readFileSync('/proc/self/maps', 'utf8').includes('lzma-native');
    const out = [];
    for await (const _ of readPackages(${JSON.stringify(fixture('Packages-sample.gz'))}));
    out.push(mapped());
    for await (const _ of readPackages(${JSON.stringify(fixture('Packages-sample.xz'))}));
    out.push(mapped());
    console.log(JSON.stringify(out));`;
  const res = spawnSync(
    process.execPath,
    ['--conditions=leanrec-source', '--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(res.status, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout.trim().split('\n').at(-1)!), [false, true]);
});
