/**
 * Lookups of ASCII string keys without encoding them: `hashAsciiKey` gives the very hash
 * `hash64` gives the encoded key (or refuses), and stores answer `get`/`has` exactly as
 * a model does whichever way the key arrives — the strings the records were built from,
 * fresh copies, non-ASCII and long strings (the encoding path), colliding hashes,
 * invalid keys (the same errors as before).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LeanrecError, openStore, schema, t } from 'leanrec';
import { constantHash } from 'leanrec/testing';
import { ByteWriter } from '../../src/hot/byte-writer.ts';
import { writeStringKey } from '../../src/hot/columns.ts';
import { hash64, hashAsciiKey } from '../../src/util/hash.ts';
import { removeTempDir, tempDir } from '../helpers/temp.ts';

const LONG = process.env.LEANREC_LONG === '1';
const runs = (n: number) => ({ numRuns: LONG ? n * 10 : n });

/** hash64 of the canonical key bytes of `strs` (what the encoding path hashes). */
function encodedHash(strs: readonly string[]): [number, number] {
  const w = new ByteWriter(16);
  for (const s of strs) writeStringKey(s, w);
  const out = new Uint32Array(2);
  hash64(w.buf, 0, w.pos, out);
  return [out[0]!, out[1]!];
}

const ascii = (maxLength: number) =>
  fc.string({
    unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
    maxLength,
  });

test('hashAsciiKey equals hash64 of the encoded key for every ASCII key under 128 units', () => {
  fc.assert(
    fc.property(fc.array(ascii(127), { minLength: 1, maxLength: 4 }), (strs) => {
      const out = new Uint32Array(2);
      assert.equal(hashAsciiKey(strs, strs.length, out), true);
      assert.deepEqual([out[0], out[1]], encodedHash(strs));
    }),
    runs(2000),
  );
  // Every length around the word and varint boundaries, one field and three.
  for (let n = 0; n < 128; n++) {
    const s = 'abcdefghij'.repeat(13).slice(0, n);
    const out = new Uint32Array(2);
    assert.equal(hashAsciiKey([s], 1, out), true);
    assert.deepEqual([out[0], out[1]], encodedHash([s]), `length ${n}`);
    assert.equal(hashAsciiKey([s, 'x', s], 3, out), true);
    assert.deepEqual([out[0], out[1]], encodedHash([s, 'x', s]), `3 fields, length ${n}`);
  }
});

test('hashAsciiKey refuses any key with a unit above 0x7F or a string of 128 units', () => {
  fc.assert(
    fc.property(
      fc.array(ascii(20), { maxLength: 3 }),
      fc.oneof(
        fc.string({ unit: 'binary', minLength: 1 }).filter((s) => /[^\0-\x7f]/.test(s)),
        fc.constantFrom('\ud800', 'a\udc00', 'é', '\u0080', '😀', 'x'.repeat(128)),
      ),
      fc.nat(3),
      (others, bad, at) => {
        const strs = [...others];
        strs.splice(Math.min(at, strs.length), 0, bad);
        const out = Uint32Array.of(7, 7);
        assert.equal(hashAsciiKey(strs, strs.length, out), false);
        assert.deepEqual([out[0], out[1]], [7, 7]);
      },
    ),
    runs(500),
  );
});

const S = schema({
  key: ['name', 'version', 'arch'],
  hot: {
    name: t.string(),
    version: t.string(),
    arch: t.enum(['amd64', 'all', 'ärm']),
    kind: t.enum().optional(),
    n: t.u32(),
  },
});
type Rec = { name: string; version: string; arch: 'amd64' | 'all' | 'ärm'; n: number };

/** Key strings: mostly ASCII (the fast path), some non-ASCII or long (the encoding path). */
const keyString = fc.oneof(
  { weight: 6, arbitrary: ascii(12) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom('é', 'x'.repeat(127), 'y'.repeat(128), '😀a', '') },
);
const rec = fc.record({
  name: keyString,
  version: keyString,
  arch: fc.constantFrom('amd64' as const, 'all' as const, 'ärm' as const),
  n: fc.nat(),
});
/** A string equal to `s` that shares no memory with it. */
const fresh = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

for (const hash of ['hash64', 'constantHash'] as const)
  test(`get/has answer as a model for reused, fresh and absent keys (${hash})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rec, { maxLength: 60 }),
        fc.array(rec, { maxLength: 20 }),
        async (recs, probes) => {
          const st = await openStore(S, {
            cold: false,
            ...(hash === 'constantHash' ? { hash: constantHash } : {}),
          });
          await st.ingest(recs);
          const model = new Map<string, Rec>();
          for (const r of recs) model.set(JSON.stringify([r.name, r.version, r.arch]), r);
          for (const r of [...recs, ...probes]) {
            const want = model.get(JSON.stringify([r.name, r.version, r.arch]));
            for (const key of [
              { name: r.name, version: r.version, arch: r.arch },
              {
                name: fresh(r.name),
                version: fresh(r.version),
                arch: fresh(r.arch) as Rec['arch'],
              },
              { arch: r.arch, version: r.version, name: r.name, extra: 1 } as never,
            ]) {
              const v = st.get(key);
              assert.equal(v?.n, want?.n, JSON.stringify(key));
              if (v !== undefined)
                assert.deepEqual([v.name, v.version, v.arch], [r.name, r.version, r.arch]);
              assert.equal(st.has(key), want !== undefined);
            }
          }
          await st.close();
        },
      ),
      runs(40),
    );
  });

test('lookups after delete, upsert, compaction and a reopen from the snapshot', async () => {
  const recs: Rec[] = Array.from({ length: 3000 }, (_, i) => ({
    name: i % 10 === 0 ? `pkg-é${i % 331}` : `pkg-${i % 331}`,
    version: `${i}`,
    arch: i % 3 === 0 ? 'all' : 'amd64',
    n: i,
  }));
  const dir = tempDir('ascii-key');
  try {
    let st = await openStore(S, { path: dir });
    await st.ingest(recs);
    for (let i = 0; i < 3000; i += 4)
      await st.delete({ name: recs[i]!.name, version: `${i}`, arch: recs[i]!.arch });
    await st.ingest(recs.filter((_, i) => i % 8 === 0).map((r) => ({ ...r, n: r.n + 1 })));
    const check = () => {
      for (let i = 0; i < 3000; i++) {
        const r = recs[i]!;
        const want = i % 8 === 0 ? i + 1 : i % 4 === 0 ? undefined : i;
        const key = { name: fresh(r.name), version: fresh(r.version), arch: r.arch };
        assert.equal(st.get(key)?.n, want, JSON.stringify(key));
      }
    };
    check();
    await st.compact();
    check();
    await st.close();
    st = await openStore(S, { path: dir });
    check();
    await st.close();
  } finally {
    removeTempDir(dir);
  }
});

test('an invalid key is refused as before, whichever path looks it up', async () => {
  const st = await openStore(S, { cold: false });
  await st.ingest([{ name: 'a', version: '1', arch: 'all', n: 1 }]);
  const bad: [unknown, string | undefined][] = [
    [{ name: 'a', version: '1', arch: 'sparc' }, 'arch'], // closed enum: not a value
    [{ name: 'a', version: '1' }, 'arch'],
    [{ name: 'a', version: 1, arch: 'all' }, 'version'],
    [{ name: 'a\ud800', version: '1', arch: 'all' }, 'name'],
    [{ name: `${'x'.repeat(200)}\udc00`, version: '1', arch: 'all' }, 'name'],
    [null, undefined],
    ['a', undefined],
  ];
  for (const [key, field] of bad)
    for (const call of [() => st.get(key as never), () => st.has(key as never)]) {
      assert.throws(call, (err) => {
        assert.ok(err instanceof LeanrecError);
        assert.equal(err.code, 'E_ARGUMENT');
        if (field !== undefined) assert.ok(err.message.includes(`"${field}"`), err.message);
        return true;
      });
    }
  assert.equal(st.get({ name: 'a', version: '1', arch: 'all' })?.n, 1);
  assert.equal(st.get({ name: 'a', version: '1', arch: 'ärm' }), undefined);
  await st.close();
});
