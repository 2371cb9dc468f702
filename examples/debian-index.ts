/**
 * The library API on the Debian job, in a few lines: stream a Packages index into a
 * store, look a package up, get its paragraph back byte for byte, query the hot tier,
 * read cold fields on demand, and verify dependencies.
 *
 *   node --conditions=leanrec-source --import tsx examples/debian-index.ts [Packages.gz]
 */
import { fileURLToPath } from 'node:url';
import { openStore } from 'leanrec';
import {
  compareVersions,
  debianPackages,
  parseRelations,
  readPackages,
  toDeb822,
  verifyDependencies,
} from 'leanrec/debian';

const file = process.argv[2] ?? fileURLToPath(new URL('./data/Packages.gz', import.meta.url));

// No path: the cold tier lives in memory. Give `{ path: './packages.db' }` to keep it on disk.
const store = await openStore(debianPackages);
const { inserted } = await store.ingest(readPackages(file));
console.log(`${inserted} packages from ${file}`);

// Hot fields come straight from typed-array columns; the key is package+version+architecture.
const first = store.where({}).next().value!;
const view = store.get({
  package: first.package,
  version: first.version,
  architecture: first.architecture,
})!;
console.log(
  `${view.package} ${view.version} ${view.architecture}: section ${view.section}, ${view.size} bytes`,
);

// Cold groups are loaded on demand; the whole record gives the original paragraph back.
console.log(`description: ${view.cold('control').description?.split('\n')[0]}`);
const paragraph = toDeb822(view.record());
console.log(
  `paragraph: ${paragraph.split('\n').length - 1} lines, ${Buffer.byteLength(paragraph)} bytes`,
);

// Relations parse into OR-groups; versions compare like dpkg.
const depends = view.cold('relations').depends ?? '';
console.log(`depends on ${parseRelations(depends, 'Depends').length} groups`);
console.log(`1.0~rc1 < 1.0: ${compareVersions('1.0~rc1', '1.0') < 0}`);

// Queries scan enum codes, flag bits and numbers; nothing is decoded.
console.log(
  `optional: ${store.count({ priority: 'optional' })}, games: ${store.count({ section: 'games' })}`,
);
console.log(`over 10 MB: ${store.count({ size: { gt: 10_000_000 } })}`);
let mine = 0;
for (const v of store.where({ architecture: 'all' }, { reuse: true }))
  if (v.multiArch === 'foreign') mine++;
console.log(`arch all + Multi-Arch: foreign: ${mine}`);

// Every Pre-Depends/Depends group must be satisfied by a package or a Provides.
const unsatisfied = await verifyDependencies(store);
console.log(
  `${unsatisfied.length} unsatisfied dependency groups (a sample index lacks most targets)`,
);
for (const u of unsatisfied.slice(0, 3)) console.log(`  ${u.package} ${u.field}: ${u.group}`);

console.log(`hot tier: ${(store.memory().hot / 1024).toFixed(1)} KiB for ${store.size} records`);
await store.close();
