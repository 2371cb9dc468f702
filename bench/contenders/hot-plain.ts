/**
 * Hot suite, contender "plain": what apps do today. One object per paragraph with every
 * field, in a `Map` by `package\0version\0arch`. Then point lookups (key built per
 * lookup, as an app holding the three parts would) and the two scans as loops over the
 * objects (an array of them, the fastest loop there is).
 */
import { plainKey, readParagraphs, toPlainObject } from '../lib/debian.ts';
import { emit, median, pickIndices, rate, settledMemory, status } from '../lib/harness.ts';

const LOOKUPS = 100_000;

const t0 = performance.now();
const map = new Map<string, Record<string, string>>();
for await (const p of readParagraphs()) {
  const o = toPlainObject(p);
  map.set(plainKey(o['Package']!, o['Version']!, o['Architecture']!), o);
}
const loadMs = performance.now() - t0;
const mem = settledMemory();
const peakRss = status('VmHWM');

// Query keys: fresh flat strings (as if they came from elsewhere), same seeded sequence.
const objs = [...map.values()];
const flat = (s: string) => Buffer.from(s, 'utf8').toString('utf8');
const idx = pickIndices(objs.length, LOOKUPS);
const qp: string[] = [];
const qv: string[] = [];
const qa: string[] = [];
for (const i of idx) {
  const o = objs[i]!;
  qp.push(flat(o['Package']!));
  qv.push(flat(o['Version']!));
  qa.push(flat(o['Architecture']!));
}

let sink = 0;
const lookupPass = (n: number): number => {
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const o = map.get(plainKey(qp[i]!, qv[i]!, qa[i]!))!;
    sink += o['Package']!.length + o['Version']!.length + (o['Section']?.length ?? 0);
  }
  return n / ((performance.now() - t) / 1000);
};
lookupPass(20_000); // warm-up
const lookupsPerSec = median(Array.from({ length: 5 }, () => lookupPass(LOOKUPS)));

const rows = objs.length;
let priorityCount = 0;
let gamesAllCount = 0;
const scanPriority = rate(() => {
  let n = 0;
  for (let i = 0; i < objs.length; i++) {
    const p = objs[i]!['Priority'];
    if (p === 'required' || p === 'important') n++;
  }
  priorityCount = n;
}, rows);
const scanGamesAll = rate(() => {
  let n = 0;
  for (let i = 0; i < objs.length; i++) {
    const o = objs[i]!;
    if (o['Section'] === 'games' && o['Architecture'] === 'all') n++;
  }
  gamesAllCount = n;
}, rows);

emit({
  records: map.size,
  loadMs,
  ...mem,
  peakRss,
  lookupsPerSec,
  scanPriority,
  scanGamesAll,
  priorityCount,
  gamesAllCount,
  sink,
});
