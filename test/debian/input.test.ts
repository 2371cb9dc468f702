import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseDeb822 } from '../../src/debian/deb822.ts';
import { detectCompression, openInput } from '../../src/debian/input.ts';
import { readPackages } from '../../src/debian/read.ts';
import { liveXzDecoders } from '../../src/debian/xz.ts';
import { isLeanrecError } from '../../src/errors.ts';

const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const sample = readFileSync(fixture('Packages-sample'));

async function collect(source: Parameters<typeof openInput>[0]): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of openInput(source)) chunks.push(c);
  return Buffer.concat(chunks);
}

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

test('detectCompression reads magic bytes', () => {
  assert.equal(detectCompression(new Uint8Array([0x1f, 0x8b, 8])), 'gzip');
  assert.equal(detectCompression(new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0])), 'xz');
  assert.equal(detectCompression(new Uint8Array([4, 0x22, 0x4d, 0x18])), 'lz4');
  assert.equal(detectCompression(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
  assert.equal(detectCompression(Buffer.from('Package: x')), 'none');
  assert.equal(detectCompression(new Uint8Array([0x1f])), 'none');
});

for (const name of [
  'Packages-sample',
  'Packages-sample.gz',
  'Packages-sample.xz',
  'Packages-sample.lz4',
]) {
  test(`openInput decodes ${name} from a path, a URL, a stream and an iterable`, async () => {
    const path = fixture(name);
    assert.ok((await collect(path)).equals(sample));
    assert.ok((await collect(pathToFileURL(path))).equals(sample));
    assert.ok((await collect(Readable.from([readFileSync(path)]))).equals(sample));
    // Tiny chunks: the magic bytes and every frame header are split.
    assert.ok((await collect(chunksOf(readFileSync(path), 3))).equals(sample));
  });
}

test('openInput decodes linked lz4 blocks with checksums and content size', async () => {
  const out = await collect(fixture('Packages-sample-x10.lz4'));
  assert.ok(out.equals(Buffer.concat(Array.from({ length: 10 }, () => sample))));
});

test('openInput decodes multi-member gzip', async () => {
  const two = Buffer.concat([gzipSync(sample.subarray(0, 100)), gzipSync(sample.subarray(100))]);
  assert.ok((await collect(chunksOf(two, 1000))).equals(sample));
});

test('openInput passes empty input through', async () => {
  assert.equal((await collect(chunksOf(new Uint8Array(0), 1))).length, 0);
});

for (const [name, format] of [
  ['Packages-sample.gz', 'gzip'],
  ['Packages-sample.xz', 'xz'],
  ['Packages-sample.lz4', 'lz4'],
] as const) {
  test(`truncated or corrupt ${format} gives E_PARSE promptly`, async () => {
    const bytes = readFileSync(fixture(name));
    const truncated = bytes.subarray(0, Math.floor(bytes.length / 2));
    const corrupt = Buffer.from(bytes);
    for (let i = 20; i < corrupt.length - 20; i += 7) corrupt[i] = (corrupt[i]! * 31 + 7) & 0xff;
    for (const bad of [truncated, corrupt]) {
      const started = Date.now();
      await assert.rejects(collect(chunksOf(bad, 512)), (err) => {
        assert.ok(isLeanrecError(err, 'E_PARSE'), String(err));
        assert.match(err.message, new RegExp(`truncated or corrupt ${format} input`));
        return true;
      });
      assert.ok(Date.now() - started < 5000);
    }
  });
}

test('zstd input is refused with E_ARGUMENT when node:zlib has no zstd', async (t) => {
  const zlib = (await import('node:zlib')) as unknown as Record<string, unknown>;
  if (typeof zlib['createZstdDecompress'] === 'function') {
    t.skip('this Node.js decompresses zstd');
    return;
  }
  const bytes = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
  await assert.rejects(collect(chunksOf(bytes, 8)), (err) => isLeanrecError(err, 'E_ARGUMENT'));
});

test('a missing file gives E_IO naming it', async () => {
  await assert.rejects(collect('/nonexistent/Packages.gz'), (err) => {
    assert.ok(isLeanrecError(err, 'E_IO'));
    assert.equal(err.file, '/nonexistent/Packages.gz');
    return true;
  });
});

test('a failing stream gives E_IO with the cause', async () => {
  async function* failing(): AsyncGenerator<Uint8Array> {
    yield gzipSync(sample).subarray(0, 50);
    throw new Error('disk on fire');
  }
  await assert.rejects(collect(failing()), (err) => {
    assert.ok(isLeanrecError(err, 'E_IO'));
    assert.match(err.message, /disk on fire/);
    return true;
  });
});

test('an invalid source gives E_ARGUMENT', () => {
  assert.throws(
    () => openInput(42 as unknown as string),
    (err) => isLeanrecError(err, 'E_ARGUMENT'),
  );
});

// Both hold the first two paragraphs of Packages-sample (1,921 bytes), made with
// `xz --lzma2=dict=64MiB,mf=hc3` and `xz --lzma2=dict=1536MiB,mf=hc3` (xz 5.4.1; the
// header records the dictionary, the file stays at 992 bytes): liblzma needs 65 MiB and
// 1,537 MiB to decode them.
const XZ_64 = fixture('xz-dict-64MiB.xz');
const XZ_1536 = fixture('xz-dict-1536MiB.xz');
const MiB = 1024 * 1024;

async function collectWith(
  source: Parameters<typeof openInput>[0],
  options: Parameters<typeof openInput>[1],
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of openInput(source, options)) chunks.push(c);
  return Buffer.concat(chunks);
}

async function decodedXz(file: string, xzMemoryLimit?: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  const options = xzMemoryLimit === undefined ? {} : { xzMemoryLimit };
  for await (const c of openInput(file, options)) chunks.push(c);
  return Buffer.concat(chunks);
}

test('xz: a stream needing more memory than xzMemoryLimit is E_LIMIT naming the file, the limit and the need', async () => {
  const text = sample.subarray(0, 1921);
  assert.ok(text.toString('latin1').endsWith('\n\n'));
  // The default (256 MiB) passes what `xz -9` needs, and so does a limit just above it.
  assert.deepEqual(await decodedXz(XZ_64), text);
  assert.deepEqual(await decodedXz(XZ_64, 66 * MiB), text);
  assert.deepEqual(await decodedXz(XZ_64, Number.POSITIVE_INFINITY), text);
  const limited = (file: string, limit: string, need: string) => (err: unknown) => {
    assert.ok(isLeanrecError(err, 'E_LIMIT'), String(err));
    assert.equal(err.file, file);
    for (const part of [file, limit, need, 'xzMemoryLimit'])
      assert.ok(err.message.includes(part), `${part} in: ${err.message}`);
    return true;
  };
  await assert.rejects(decodedXz(XZ_64, 16 * MiB), limited(XZ_64, '16 MiB', '65 MiB'));
  await assert.rejects(decodedXz(XZ_64, 64 * MiB), limited(XZ_64, '64 MiB', '65 MiB'));
  // A header asking for 1.5 GiB is refused by default, before anything is allocated.
  await assert.rejects(decodedXz(XZ_1536), limited(XZ_1536, '256 MiB', '1537 MiB'));
  // A later stream that needs more: the limit and the file, the need only as "more".
  const two = Buffer.concat([readFileSync(fixture('Packages-sample.xz')), readFileSync(XZ_64)]);
  await assert.rejects(
    collectWith(chunksOf(two, 700), { file: 'two.xz', xzMemoryLimit: 16 * MiB }),
    limited('two.xz', '16 MiB', 'more memory'),
  );
  assert.equal(liveXzDecoders(), 0);
  // Through the parser and readPackages, which take the option too.
  const names: string[] = [];
  for await (const r of readPackages(XZ_64, { xzMemoryLimit: 70 * MiB })) names.push(r.package);
  assert.equal(names.length, 2);
  await assert.rejects(
    (async () => {
      for await (const _ of readPackages(XZ_64, { xzMemoryLimit: 16 * MiB }));
    })(),
    limited(XZ_64, '16 MiB', '65 MiB'),
  );
  await assert.rejects(
    (async () => {
      for await (const _ of parseDeb822(XZ_1536, { xzMemoryLimit: 1 }));
    })(),
    (err) => isLeanrecError(err, 'E_LIMIT'),
  );
});

test('xzMemoryLimit: anything but a positive integer or Infinity is E_ARGUMENT, before reading', () => {
  for (const xzMemoryLimit of [0, -1, 1.5, Number.NaN, '5', 2 ** 60])
    assert.throws(
      () => openInput('/nonexistent/Packages.xz', { xzMemoryLimit } as never),
      (err) =>
        isLeanrecError(err, 'E_ARGUMENT') &&
        err.message.includes('xzMemoryLimit') &&
        err.message.includes(JSON.stringify(xzMemoryLimit)),
      String(xzMemoryLimit),
    );
});
