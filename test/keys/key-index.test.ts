import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isLeanrecError } from '../../src/errors.ts';
import { KeyIndex, type KeySource } from '../../src/keys/key-index.ts';
import { constantHash, type HashFn, hash64 } from '../../src/util/hash.ts';

const encoder = new TextEncoder();

/** A store stand-in: row r's canonical key is `keys[r]`; counts comparisons. */
class ArraySource implements KeySource {
  readonly keys: (Uint8Array | undefined)[] = [];
  compares = 0;
  constructor(readonly hash: HashFn) {}
  keyEquals(row: number, key: Uint8Array, keyEnd: number): boolean {
    this.compares++;
    const k = this.keys[row];
    assert.ok(k !== undefined, `index asked about dead row ${row}`);
    if (k.length !== keyEnd) return false;
    for (let i = 0; i < keyEnd; i++) if (k[i] !== key[i]) return false;
    return true;
  }
  rowHash(row: number, out: Uint32Array): void {
    const k = this.keys[row]!;
    this.hash(k, 0, k.length, out);
  }
}

/** Index + source + key helpers for one test. */
function setup(hash: HashFn) {
  const source = new ArraySource(hash);
  const index = new KeyIndex(source);
  const h = new Uint32Array(2);
  const hashKey = (key: Uint8Array) => hash(key, 0, key.length, h);
  return {
    source,
    index,
    find(key: Uint8Array) {
      hashKey(key);
      return index.find(h[0]!, h[1]!, key, key.length);
    },
    add(key: Uint8Array, row: number) {
      hashKey(key);
      assert.equal(index.find(h[0]!, h[1]!, key, key.length), -1);
      source.keys[row] = key;
      index.insert(h[0]!, h[1]!, row);
    },
    remove(key: Uint8Array) {
      hashKey(key);
      const row = index.remove(h[0]!, h[1]!, key, key.length);
      if (row >= 0) source.keys[row] = undefined;
      return row;
    },
  };
}

const key = (i: number) => encoder.encode(`pkg-${i}\u00001.${i % 7}\u0000amd64`);

test('every key collides (constantHash): thousands inserted, each found, never a wrong one', () => {
  const t = setup(constantHash);
  const n = 3000;
  for (let i = 0; i < n; i++) t.add(key(i), i);
  assert.equal(t.index.size, n);
  for (let i = 0; i < n; i++) assert.equal(t.find(key(i)), i);
  for (let i = n; i < n + 200; i++) assert.equal(t.find(key(i)), -1);
  // Remove every third key: tombstones, then reinsert some under new rows.
  for (let i = 0; i < n; i += 3) assert.equal(t.remove(key(i)), i);
  for (let i = 0; i < n; i++) assert.equal(t.find(key(i)), i % 3 === 0 ? -1 : i);
  for (let i = 0; i < n; i += 6) t.add(key(i), n + i);
  for (let i = 0; i < n; i++) {
    assert.equal(t.find(key(i)), i % 6 === 0 ? n + i : i % 3 === 0 ? -1 : i);
  }
  assert.equal(t.index.size, n - Math.ceil(n / 3) + Math.ceil(n / 6));
});

test('model check against a Map: insert, remove, find, replace, with growth and tombstones', () => {
  for (const hash of [hash64, constantHash, loOnlyHash()]) {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('add', 'remove', 'find', 'replace'),
            fc.integer({ min: 0, max: 60 }),
          ),
          { maxLength: 400 },
        ),
        (ops) => {
          const t = setup(hash);
          const model = new Map<number, number>();
          let nextRow = 0;
          for (const [op, k] of ops) {
            const bytes = key(k);
            if (op === 'add') {
              if (model.has(k)) continue;
              t.add(bytes, nextRow);
              model.set(k, nextRow++);
            } else if (op === 'remove') {
              assert.equal(t.remove(bytes), model.get(k) ?? -1);
              model.delete(k);
            } else if (op === 'replace') {
              const h = new Uint32Array(2);
              hash(bytes, 0, bytes.length, h);
              const old = model.get(k);
              const ok = t.index.replaceRow(h[0]!, h[1]!, bytes, bytes.length, nextRow);
              assert.equal(ok, old !== undefined);
              if (old !== undefined) {
                t.source.keys[old] = undefined;
                t.source.keys[nextRow] = bytes;
                model.set(k, nextRow++);
              }
            } else {
              assert.equal(t.find(bytes), model.get(k) ?? -1);
            }
            assert.equal(t.index.size, model.size);
            assert.ok(t.index.size + t.index.tombstones <= t.index.capacity * 0.7);
          }
          for (let k = 0; k <= 60; k++) assert.equal(t.find(key(k)), model.get(k) ?? -1);
        },
      ),
      { numRuns: hash === constantHash ? 60 : 150 },
    );
  }
});

/** Slot collisions for every key, distinct tags: the tag byte must do the filtering. */
function loOnlyHash(): HashFn {
  return (bytes, start, end, out) => {
    hash64(bytes, start, end, out);
    out[0] = 0;
  };
}

test('the tag byte keeps most non-matching slots away from the source', () => {
  const t = setup(loOnlyHash());
  const n = 2000;
  for (let i = 0; i < n; i++) t.add(key(i), i);
  t.source.compares = 0;
  for (let i = 0; i < n; i++) assert.equal(t.find(key(i)), i);
  // Without tags this would be ~n²/2 = 2M comparisons; tags divide it by ~256.
  assert.ok(t.source.compares < 30_000, `${t.source.compares} comparisons`);
});

test('churn on a small key set does not grow the table: tombstones are cleaned', () => {
  const t = setup(hash64);
  let row = 0;
  for (let round = 0; round < 5000; round++) {
    const k = key(round % 10);
    if (t.find(k) >= 0) t.remove(k);
    t.add(k, row++);
  }
  assert.equal(t.index.size, 10);
  assert.equal(t.index.capacity, 16);
});

test('rebuild re-inserts rows sized for their count; toBytes/fromBytes round trip', () => {
  const t = setup(hash64);
  const n = 5000;
  for (let i = 0; i < n; i++) t.add(key(i), i);
  for (let i = 0; i < n; i += 2) t.remove(key(i));
  const snap = KeyIndex.fromBytes(t.index.toBytes(), t.source);
  assert.equal(snap.size, t.index.size);
  assert.equal(snap.tombstones, t.index.tombstones);
  assert.equal(snap.byteLength, t.index.byteLength);
  const h = new Uint32Array(2);
  for (let i = 0; i < n; i++) {
    const k = key(i);
    hash64(k, 0, k.length, h);
    assert.equal(snap.find(h[0]!, h[1]!, k, k.length), i % 2 === 0 ? -1 : i);
  }

  // Compaction: odd rows move to row (i - 1) / 2.
  const compacted = new ArraySource(hash64);
  for (let i = 1; i < n; i += 2) compacted.keys[(i - 1) / 2] = key(i);
  const index = new KeyIndex(compacted);
  const live = n / 2;
  index.rebuild(
    (function* () {
      for (let r = 0; r < live; r++) yield r;
    })(),
    live,
  );
  assert.equal(index.size, live);
  assert.equal(index.tombstones, 0);
  assert.equal(index.capacity, 4096); // 2500 keys at load 0.61
  for (let i = 1; i < n; i += 2) {
    const k = key(i);
    hash64(k, 0, k.length, h);
    assert.equal(index.find(h[0]!, h[1]!, k, k.length), (i - 1) / 2);
  }
});

test('fromBytes rejects damaged snapshots; insert rejects rows past the limit', () => {
  const t = setup(hash64);
  t.add(key(1), 1);
  const bytes = t.index.toBytes();
  assert.throws(
    () => KeyIndex.fromBytes(bytes.subarray(0, 10), t.source),
    (e) => isLeanrecError(e, 'E_CORRUPT'),
  );
  const bad = bytes.slice();
  bad[0] = 0;
  assert.throws(
    () => KeyIndex.fromBytes(bad, t.source),
    (e) => isLeanrecError(e, 'E_CORRUPT'),
  );
  const wrongSize = bytes.slice();
  wrongSize[8] = 5; // header says 5 live keys
  assert.throws(
    () => KeyIndex.fromBytes(wrongSize, t.source),
    (e) => isLeanrecError(e, 'E_CORRUPT'),
  );
  assert.throws(
    () => t.index.insert(0, 0, 0xfffffffe),
    (e) => isLeanrecError(e, 'E_LIMIT'),
  );
});
