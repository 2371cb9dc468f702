// Fails when importing 'leanrec' and using a hot-only store loads a native binding (a
// `.node` file, e.g. classic-level's or msgpackr-extract's): those belong to stores on disk
// only. Linux: reads /proc/self/maps, where every loaded shared object is mapped.
// Run from an app that has leanrec installed (or inside the repository, after a build).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openStore, schema, t } from 'leanrec';

const loaded = () => [
  ...new Set(
    readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .map((l) => l.slice(l.indexOf('/')))
      .filter((f) => f.startsWith('/') && f.endsWith('.node')),
  ),
];

const Tiny = schema({ key: ['id'], hot: { id: t.u32(), name: t.string() } });
const store = await openStore(Tiny, { cold: false });
await store.ingest([{ id: 1, name: 'one' }]);
assert.equal(store.get({ id: 1 })?.name, 'one');
await store.close();

const native = loaded();
assert.deepEqual(
  native,
  [],
  `import 'leanrec' + a hot-only store loaded native code:\n${native.join('\n')}`,
);
console.log("no-native: import 'leanrec' and a hot-only store load no .node file");
