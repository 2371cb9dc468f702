/**
 * Every error code is real: for each `ErrorCode` the library documents, one case makes it
 * happen through the public API (`leanrec`, `leanrec/debian`, `leanrec/mem`,
 * `leanrec/testing`) and checks the code. The table is keyed by `ErrorCode`, so a code
 * added to the type does not compile here until it has a case, and a code removed from it
 * (as `E_NOT_FOUND` was: nothing in the library threw it) fails here too. README.md's
 * "Errors" section lists exactly these codes. Detailed cases of each code live with the
 * code that throws it; these only show that it is thrown, and how.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { type ErrorCode, isLeanrecError, openStore, schema, t } from 'leanrec';
import { parseDeb822, readPackages } from 'leanrec/debian';
import { FaultyLevel } from 'leanrec/testing';
import { MemoryLevel } from 'memory-level';
import { root, runTs } from './helpers/cli.ts';
import { withoutVega } from './helpers/no-vega.ts';
import { removeTempDir, repoTempDir, tempDir } from './helpers/temp.ts';

const fixture = (name: string) => join(root, 'test/fixtures', name);
const dir = tempDir('errors');

const S = schema({
  key: ['name'],
  hot: { name: t.string(), size: t.u32() },
  cold: { text: { description: t.string() } },
});

async function drain(it: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of it);
}

/** Runs `program` (TypeScript) in a child where `vega` and `vega-lite` do not resolve. */
async function withoutVegaRun(program: string): Promise<string> {
  const work = tempDir('errors-novega');
  // Under the repository, so that 'leanrec/mem' resolves through the package's self-reference.
  const tmp = repoTempDir('errors');
  try {
    const file = join(tmp, 'program.ts');
    writeFileSync(file, program);
    const r = await runTs(file, [], withoutVega(work));
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  } finally {
    removeTempDir(tmp);
  }
}

/** One way to make each code happen; each resolves to the error it caught. */
const cases: { readonly [C in ErrorCode]: () => Promise<unknown> } = {
  E_SCHEMA: async () =>
    schema({ key: ['missing'], hot: { name: t.string() } } as never) && undefined,
  E_INVALID_RECORD: async () => {
    const store = await openStore(S, { cold: false });
    await store.put({ name: 'bash', size: -1, description: 'x' });
  },
  E_PARSE: () => drain(parseDeb822(Readable.from([Buffer.from('Package: a\nno colon here\n')]))),
  E_CLOSED: async () => {
    const store = await openStore(S, { cold: false });
    await store.close();
    store.get({ name: 'bash' });
  },
  E_LOCKED: async () => {
    const path = join(dir, 'locked');
    const first = await openStore(S, { path });
    try {
      await openStore(S, { path });
    } finally {
      await first.close();
    }
  },
  E_CORRUPT: async () => {
    let db: MemoryLevel<Uint8Array, Uint8Array> | undefined;
    const store = await openStore(S, {
      database: (_path, o) => (db = new MemoryLevel<Uint8Array, Uint8Array>(o as never)) as never,
      cacheBytes: 0,
    });
    try {
      await store.put({ name: 'bash', size: 1, description: 'GNU Bourne Again SHell' });
      // A bit flipped in every stored entry, as damage on disk would.
      for await (const [k, v] of db!.iterator()) {
        const bad = new Uint8Array(v);
        bad[bad.length - 1]! ^= 1;
        await db!.put(k, bad);
      }
      store.cold({ name: 'bash' });
    } finally {
      await store.close().catch(() => undefined);
    }
  },
  E_ARGUMENT: async () => {
    const store = await openStore(S, { cold: false });
    store.count({ description: 'x' } as never); // a cold field in a filter
  },
  E_LIMIT: () => drain(readPackages(fixture('xz-dict-64MiB.xz'), { xzMemoryLimit: 1 << 20 })),
  E_IO: async () => {
    let db!: FaultyLevel;
    const store = await openStore(S, { database: (p, o) => (db = FaultyLevel.wrap(p, o)) });
    db.inject({ kind: 'batch' });
    try {
      await store.put({ name: 'bash', size: 1, description: 'x' });
    } finally {
      await store.close();
    }
  },
  E_MISSING_PEER: async () => {
    const out = await withoutVegaRun(
      `import { openStore, schema, t } from 'leanrec';
       import { breakdownChart } from 'leanrec/mem';
       const store = await openStore(schema({ key: ['k'], hot: { k: t.u32() } }), { cold: false });
       await store.put({ k: 1 });
       try { await breakdownChart(store.memory()); console.log('drawn'); }
       catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code })); }\n`,
    );
    const { name, code } = JSON.parse(out) as { name: string; code: string };
    throw Object.assign(new Error(`from the child: ${name}`), { code, name });
  },
};

for (const [code, make] of Object.entries(cases) as [ErrorCode, () => Promise<unknown>][]) {
  test(`${code} is thrown by the public API`, async () => {
    const err = await make().then(
      () => assert.fail(`${code}: nothing was thrown`),
      (e: unknown) => e,
    );
    if (code === 'E_MISSING_PEER') {
      // Thrown in the child: its name and code come back as text.
      assert.deepEqual(
        [(err as Error).message, (err as { code?: string }).code],
        ['from the child: LeanrecError', code],
      );
      return;
    }
    assert.ok(isLeanrecError(err), `a LeanrecError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
  });
}

test("README.md's Errors section documents exactly the library's codes", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Errors\n');
  assert.ok(start >= 0, 'README.md has an Errors section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const documented = [...section.matchAll(/^- \*\*`(E_[A-Z_]+)`\*\*/gm)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), Object.keys(cases).sort());
});
