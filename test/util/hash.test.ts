import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { constantHash, hash64 } from '../../src/util/hash.ts';

const encoder = new TextEncoder();
const out = new Uint32Array(2);

function hashOf(bytes: Uint8Array, start = 0, end = bytes.length): [number, number] {
  hash64(bytes, start, end, out);
  return [out[0]!, out[1]!];
}

function popcount(v: number): number {
  let n = 0;
  for (; v !== 0; v &= v - 1) n++;
  return n;
}

test('hash64 is a function of the bytes only, not of their position', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 8 }), (key, pad) => {
      const padded = new Uint8Array(pad.length + key.length + 3);
      padded.set(pad);
      padded.set(key, pad.length);
      padded.fill(0xff, pad.length + key.length);
      assert.deepEqual(hashOf(padded, pad.length, pad.length + key.length), hashOf(key));
      assert.deepEqual(hashOf(key), hashOf(key.slice()));
    }),
  );
});

test('hash64 has no 64-bit collision over 200k package-like keys, and spreads both halves', () => {
  const seen = new Set<bigint>();
  const loBuckets = new Uint32Array(1024);
  const tagBuckets = new Uint32Array(256);
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const [lo, hi] = hashOf(encoder.encode(`lib${i % 977}-dev\u0000${i}\u0000amd64`));
    seen.add((BigInt(hi) << 32n) | BigInt(lo));
    loBuckets[lo & 1023]!++;
    tagBuckets[hi >>> 24]!++;
  }
  assert.equal(seen.size, n);
  // Loose chi-square bounds: a uniform hash lands near the degrees of freedom.
  const chi = (buckets: Uint32Array) => {
    const e = n / buckets.length;
    let x = 0;
    for (const c of buckets) x += (c - e) ** 2 / e;
    return x;
  };
  assert.ok(chi(loBuckets) < 1023 * 1.3, `lo chi2 ${chi(loBuckets)}`);
  assert.ok(chi(tagBuckets) < 255 * 1.5, `tag chi2 ${chi(tagBuckets)}`);
});

test('hash64 avalanches: flipping one input bit flips about half the output bits', () => {
  const flips = new Float64Array(64);
  let trials = 0;
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 24 }), (key) => {
      const [lo0, hi0] = hashOf(key);
      for (let bit = 0; bit < key.length * 8; bit++) {
        key[bit >>> 3]! ^= 1 << (bit & 7);
        const [lo, hi] = hashOf(key);
        key[bit >>> 3]! ^= 1 << (bit & 7);
        const dlo = lo ^ lo0;
        const dhi = hi ^ hi0;
        for (let b = 0; b < 32; b++) {
          flips[b]! += (dlo >>> b) & 1;
          flips[32 + b]! += (dhi >>> b) & 1;
        }
        assert.ok(popcount(dlo) + popcount(dhi) > 8, 'too few output bits changed');
        trials++;
      }
    }),
    { numRuns: 300 },
  );
  for (let b = 0; b < 64; b++) {
    const p = flips[b]! / trials;
    assert.ok(p > 0.45 && p < 0.55, `output bit ${b} flips with p=${p}`);
  }
});

test('hash64 distinguishes lengths and trailing zero bytes', () => {
  const seen = new Set<string>();
  for (let len = 0; len <= 16; len++) seen.add(hashOf(new Uint8Array(len)).join(','));
  assert.equal(seen.size, 17);
});

test('constantHash maps everything to (0, 0)', () => {
  const o = new Uint32Array([7, 7]);
  constantHash(encoder.encode('bash'), 0, 4, o);
  assert.deepEqual([...o], [0, 0]);
});
