/**
 * `npm run bench:scale`, contender "plain": `node … scale-plain.ts <records>`, default heap.
 * One plain object per synthetic record with every field as a fresh string, in a `Map` by
 * `package\0version\0arch`; measured as scale-leanrec.ts is. When the heap is full V8 aborts
 * and the parent reads how far it got from the last progress line.
 */
import { plainKey } from '../lib/debian.ts';
import { emit, median, settledMemory, status } from '../lib/harness.ts';
import { lookupKeys, progress, SCALE_SEED, SyntheticParagraphs } from '../lib/synthetic.ts';

const LOOKUPS = 100_000;
/** Objects made (and dropped) to time the generator alone. */
const GEN_SAMPLE = 200_000;

const records = Number(process.argv[2]);
if (!Number.isSafeInteger(records) || records < 1)
  throw new Error(`bad record count ${process.argv[2]}`);

const tLoad = performance.now();
const syn = await SyntheticParagraphs.load();
const templatesMs = performance.now() - tLoad;

// The generator alone (fresh strings for every field, suffixes, version shuffle).
const genCount = Math.min(records, GEN_SAMPLE);
let genSink = 0;
const tGen = performance.now();
for (let i = 0; i < genCount; i++) genSink += syn.objectAt(i)['Package']!.length;
const generatorPerSec = genCount / ((performance.now() - tGen) / 1000);

const before = settledMemory();
const rssBefore = status('VmRSS');

const map = new Map<string, Record<string, string>>();
const t0 = performance.now();
for (let i = 0; i < records; i++) {
  if ((i & 0x1ffff) === 0 && i > 0) progress(i, t0);
  const o = syn.objectAt(i);
  map.set(plainKey(o['Package']!, o['Version']!, o['Architecture']!), o);
}
const ingestMs = performance.now() - t0;
progress(records, t0);
if (map.size !== records)
  throw new Error(`${map.size} keys for ${records} records: keys not unique?`);

const after = settledMemory();
const peakRssIngest = status('VmHWM');

const { qp, qv, qa } = lookupKeys(syn, records, LOOKUPS);
let sink = 0;
let misses = 0;
const lookupPass = (n: number): number => {
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const o = map.get(plainKey(qp[i]!, qv[i]!, qa[i]!));
    if (o === undefined) misses++;
    else sink += o['Package']!.length + o['Version']!.length + (o['Section']?.length ?? 0);
  }
  return n / ((performance.now() - t) / 1000);
};
lookupPass(20_000); // warm-up
const lookupsPerSec = median(Array.from({ length: 5 }, () => lookupPass(LOOKUPS)));
if (misses > 0) throw new Error(`${misses} lookups of existing keys missed`);

emit({
  contender: 'plain',
  records,
  templates: syn.real.length,
  keptVersions: syn.shuffle.kept,
  seed: SCALE_SEED,
  templatesMs,
  generatorPerSec,
  ingestMs,
  ingestPerSec: records / (ingestMs / 1000),
  residentBefore: before.resident,
  residentAfter: after.resident,
  residentDelta: after.resident - before.resident,
  heapUsedAfter: after.heapUsed,
  externalAfter: after.external,
  rssBefore,
  rssAfter: after.rss,
  peakRssIngest,
  peakRss: status('VmHWM'),
  lookupsPerSec,
  sink: sink + genSink,
});
