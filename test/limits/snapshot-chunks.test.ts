/**
 * The hot snapshot's chunks (src/cold/layout.ts: `SNAPSHOT_CHUNK`, 4 MiB): each array of
 * the hot tier is stored in chunks of at most that many bytes and joined again on open.
 * A part of chunk − 1, chunk and chunk + 1 bytes (and of 0 bytes) restores exactly:
 * - at the real size, with a string pool of exactly 4 MiB − 1, 4 MiB and 4 MiB + 1 bytes
 *   (one hot string of about 4 MiB);
 * - with the chunk size made small for one store (`snapshotChunkBytes`, internal), every
 *   part of a store with several field kinds, deletions and optional fields, at its own
 *   size − 1, size and size + 1.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { isLeanrecError, openStore, schema, t } from 'leanrec';
import { parseSnapshotKey, SNAPSHOT_CHUNK, SNAPSHOT_RANGE } from '../../src/cold/layout.ts';
import { type AnyStore, assertRecords, reopen, tempDir } from '../helpers/limits.ts';
import { Small, smallRecord } from '../helpers/small-store.ts';

type Chunks = Map<string, Uint8Array[]>;

const small = (i: number) => smallRecord(i) as unknown as Record<string, unknown>;

/** The stored snapshot's chunks by part, in chunk order (read from an open store). */
async function storedChunks(store: AnyStore): Promise<Chunks> {
  const out: Chunks = new Map();
  for await (const [k, v] of store._cold!._db.iterator(SNAPSHOT_RANGE)) {
    const { part, chunk } = parseSnapshotKey(k);
    const list = out.get(part) ?? [];
    assert.equal(chunk, list.length, `chunk ${chunk} of ${part} in order`);
    list.push(new Uint8Array(v));
    out.set(part, list);
  }
  return out;
}

function joined(list: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(list));
}

/** Varint (LEB128) length of `n`: the string pool's length prefix. */
function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

const OneString = schema({ key: ['id'], hot: { id: t.u32(), s: t.string() }, cold: { c: t.u8() } });

test('a string pool of 4 MiB − 1, 4 MiB and 4 MiB + 1 bytes: 1, 1 and 2 chunks, restored exactly', async () => {
  for (const poolBytes of [SNAPSHOT_CHUNK - 1, SNAPSHOT_CHUNK, SNAPSHOT_CHUNK + 1]) {
    // The pool: the empty string (1 byte), then the string's varint length and its bytes.
    const len = poolBytes - 1 - varintLength(poolBytes);
    assert.equal(1 + varintLength(len) + len, poolBytes);
    const rec = { id: 1, s: 'x'.repeat(len - 2) + 'yz', c: 7 };
    const dir = tempDir();
    try {
      let store = (await openStore(OneString, { path: dir })) as AnyStore;
      await store.put(rec as never);
      await store.close();
      store = await reopen(OneString, dir, 'snapshot');
      const pool = (await storedChunks(store)).get('pool#0')!;
      assert.deepStrictEqual(
        pool.map((c) => c.length),
        poolBytes > SNAPSHOT_CHUNK ? [SNAPSHOT_CHUNK, 1] : [poolBytes],
      );
      assertRecords(store, 'id', [rec]);
      // The restored pool takes new strings after its last byte.
      const rec2 = { id: 2, s: 'after', c: 8 };
      await store.put(rec2 as never);
      await store.close();
      store = await reopen(OneString, dir, 'snapshot');
      assertRecords(store, 'id', [rec, rec2]);
      await store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

/** A store with deletions (tombstones), optional fields and a flag, closed: its snapshot written. */
async function buildSmall(dir: string, chunk?: number): Promise<Record<string, unknown>[]> {
  const recs = Array.from({ length: 60 }, (_, i) => small(i));
  const store = (await openStore(Small, {
    path: dir,
    ...(chunk === undefined ? {} : { snapshotChunkBytes: chunk }),
  })) as AnyStore;
  await store.ingest(recs as never, { batchSize: 16 });
  for (let i = 0; i < 60; i += 7) await store.delete({ name: `rec-${i}` } as never);
  await store.close();
  return sortByName(recs.filter((_, i) => i % 7 !== 0));
}

test('every snapshot part at chunk size − 1, size and size + 1 (chunk size made small)', async () => {
  const base = tempDir();
  const dirs = [base];
  try {
    // The same writes give the same hot tier: the parts' bytes with 4 MiB chunks.
    const expected = await buildSmall(base);
    let store = await reopen(Small, base, 'snapshot');
    // The header (`#meta`) is one entry of its own, never chunked.
    const sizes = new Map(
      [...(await storedChunks(store))]
        .filter(([p]) => p !== '#meta')
        .map(([p, l]) => [p, joined(l)]),
    );
    await store.close();
    assert.ok(sizes.size >= 8, `parts: ${[...sizes.keys()].join(', ')}`);
    const lengths = new Set([...sizes.values()].map((b) => b.length).filter((n) => n > 1));
    let cases = 0;
    for (const n of lengths) {
      for (const chunk of [n - 1, n, n + 1]) {
        const dir = tempDir();
        dirs.push(dir);
        await buildSmall(dir, chunk);
        store = await reopen(Small, dir, 'snapshot');
        const parts = await storedChunks(store);
        for (const [part, bytes] of sizes) {
          const list = parts.get(part);
          assert.ok(list !== undefined, `part ${part} stored`);
          assert.deepStrictEqual(joined(list), bytes, `part ${part} with chunks of ${chunk}`);
          assert.equal(list.length, Math.max(1, Math.ceil(bytes.length / chunk)));
          assert.ok(list.every((c) => c.length <= chunk));
        }
        assertRecords(store, 'name', expected);
        // A store restored from these chunks keeps working through another reopen.
        await store.put(small(100) as never);
        await store.close();
        store = await reopen(Small, dir, 'snapshot');
        assertRecords(store, 'name', sortByName([...expected, small(100)]));
        await store.close();
        cases++;
      }
    }
    assert.ok(cases >= 9, `${cases} cases`);
  } finally {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
});

test('parts of 0 bytes (every record deleted and compacted) restore, and the store takes writes', async () => {
  const dir = tempDir();
  try {
    let store = (await openStore(Small, { path: dir })) as AnyStore;
    await store.ingest([0, 1, 2].map((i) => smallRecord(i)) as never);
    for (const i of [0, 1, 2]) await store.delete({ name: `rec-${i}` } as never);
    await store.compact();
    await store.close();
    store = await reopen(Small, dir, 'snapshot', { snapshotChunkBytes: 1 });
    const parts = await storedChunks(store);
    assert.deepStrictEqual(
      parts.get('ids#0')!.map((c) => c.length),
      [0],
    );
    assert.equal(store.size, 0);
    await store.put(smallRecord(3) as never);
    await store.close();
    // Written in chunks of 1 byte: every part is as many chunks as it has bytes.
    store = await reopen(Small, dir, 'snapshot');
    const ones = await storedChunks(store);
    for (const [part, list] of ones)
      if (part !== '#meta')
        assert.ok(
          list.every((c) => c.length <= 1),
          part,
        );
    assertRecords(store, 'name', [small(3)]);
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('snapshotChunkBytes must be a positive integer', async () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    await assert.rejects(openStore(Small, { snapshotChunkBytes: bad } as never), (err) => {
      assert.ok(isLeanrecError(err));
      assert.equal(err.code, 'E_ARGUMENT');
      assert.ok(err.message.includes('snapshotChunkBytes'));
      return true;
    });
  }
});

function sortByName(list: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return [...list].sort((a, b) => ((a['name'] as string) < (b['name'] as string) ? -1 : 1));
}
