/**
 * `npm run bench`, contender "plain": what apps do today. Every record of the index as
 * the plain object `readPackages` yields, in a `Map` by `package\0version\0architecture`.
 *
 * W3: `map.get` with the key built per lookup, then package, version, section. W4: loops
 * over an array of the objects (the fastest loop plain objects have). W5: the same
 * `map.get`, then description, maintainer, depends — all in RAM, so there is no cache to
 * be cold or warm: the one rate is reported for both. W6: the reference verify
 * (bench/lib/verify-reference.ts) over the objects.
 */
import { type DebianPackage, readPackages } from 'leanrec/debian';
import { plainKey } from '../lib/debian.ts';
import { emit, rate, status } from '../lib/harness.ts';
import {
  COLD_KEYS,
  COLD_PASSES,
  FILE,
  freshPassRate,
  LOOKUP_PASSES,
  LOOKUPS,
  measureVerify,
  passRate,
  queryKeys,
  residentAfter,
  settled,
  sink,
} from '../lib/suite.ts';
import { verifyReference } from '../lib/verify-reference.ts';

// W1
const before = settled();
const t0 = performance.now();
const map = new Map<string, DebianPackage>();
for await (const r of readPackages(FILE))
  map.set(plainKey(r.package, r.version, r.architecture), r);
const ingestMs = performance.now() - t0;
const peakRss = status('VmHWM');

// W2
const w2 = residentAfter(before, settled(), 0);

// W3
const q = await queryKeys();
const lookups = passRate(LOOKUPS, LOOKUP_PASSES, (i) => {
  const o = map.get(plainKey(q.package[i]!, q.version[i]!, q.architecture[i]!))!;
  return o.package.length + o.version.length + (o.section?.length ?? 0);
});
const lookupsFresh = freshPassRate(q, LOOKUP_PASSES, (k, i) => {
  const o = map.get(plainKey(k.package[i]!, k.version[i]!, k.architecture[i]!))!;
  return o.package.length + o.version.length + (o.section?.length ?? 0);
});

// W4
const objs = [...map.values()];
let priorityCount = 0;
let gamesAllCount = 0;
const scanPriority = rate(() => {
  let n = 0;
  for (let i = 0; i < objs.length; i++) {
    const p = objs[i]!.priority;
    if (p === 'required' || p === 'important') n++;
  }
  priorityCount = n;
}, objs.length);
const scanGamesAll = rate(() => {
  let n = 0;
  for (let i = 0; i < objs.length; i++) {
    const o = objs[i]!;
    if (o.section === 'games' && o.architecture === 'all') n++;
  }
  gamesAllCount = n;
}, objs.length);

// W5
const coldFetch = passRate(COLD_KEYS, COLD_PASSES, (i) => {
  const o = map.get(plainKey(q.package[i]!, q.version[i]!, q.architecture[i]!))!;
  return (o.description?.length ?? 0) + (o.maintainer?.length ?? 0) + (o.depends?.length ?? 0);
});

// W6
const w6 = await measureVerify(() =>
  verifyReference((visit) => {
    for (const o of objs) visit(o);
  }),
);

emit({
  records: map.size,
  queryRecords: q.records,
  ingestMs,
  peakRss,
  ...w2,
  lookups,
  lookupsFresh,
  scanPriority,
  scanGamesAll,
  priorityCount,
  gamesAllCount,
  coldUncached: coldFetch,
  coldCached: coldFetch,
  ...w6,
  sink: sink.value,
});
