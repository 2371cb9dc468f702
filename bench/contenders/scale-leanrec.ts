/**
 * `npm run bench:scale`, contender "leanrec": `node … scale-leanrec.ts <records> [hot|disk]`:
 * `<records>` synthetic records into `openStore(debianPackages, { cold: false })` (hot) or
 * the full store in a temp directory (disk: adds close time and disk size). Measures ingest
 * rate, `memory()` (allocated, and in use: row parts scaled from capacity to rows held),
 * heap+external after gc minus before ingest, peak RSS and 100,000 point lookups.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from 'leanrec';
import { debianPackages } from 'leanrec/debian';
import { emit, median, settledMemory, status } from '../lib/harness.ts';
import { lookupKeys, progress, SCALE_SEED, SyntheticPackages } from '../lib/synthetic.ts';

const LOOKUPS = 100_000;
/** Records drained to time the generator alone. */
const GEN_SAMPLE = 500_000;

const records = Number(process.argv[2]);
const mode = process.argv[3] ?? 'hot';
if (!Number.isSafeInteger(records) || records < 1)
  throw new Error(`bad record count ${process.argv[2]}`);
if (mode !== 'hot' && mode !== 'disk') throw new Error(`mode must be hot or disk, got ${mode}`);

const tLoad = performance.now();
const syn = await SyntheticPackages.load();
const templatesMs = performance.now() - tLoad;

// The generator alone (object spread + suffixes + version shuffle), to set beside the ingest rate.
const genCount = Math.min(records, GEN_SAMPLE);
let genSink = 0;
const tGen = performance.now();
for (const r of syn.records(genCount)) genSink += r.package.length;
const generatorPerSec = genCount / ((performance.now() - tGen) / 1000);

const dir = mode === 'disk' ? mkdtempSync(join(tmpdir(), 'leanrec-scale-')) : undefined;
const store = await openStore(debianPackages, dir === undefined ? { cold: false } : { path: dir });
const before = settledMemory();
const rssBefore = status('VmRSS');

const t0 = performance.now();
const res = await store.ingest(syn.records(records, (i) => progress(i, t0)));
const ingestMs = performance.now() - t0;
progress(records, t0);
if (res.inserted !== records || store.size !== records)
  throw new Error(`ingested ${res.inserted} of ${records} (size ${store.size}): keys not unique?`);

const after = settledMemory();
const peakRssIngest = status('VmHWM');
const m = store.memory();
const parts = Object.fromEntries(m.parts.map((p) => [p.name, p.bytes]));
// Row capacity of the columns: `ids` is 4 B per row of capacity.
const capacity = (parts['ids'] ?? Number.NaN) / 4;
let hotUsed = 0;
for (const p of m.parts) {
  if (p.kind === 'cache' || p.kind === 'leveldb') continue;
  const perRow = p.kind === 'column' || p.kind === 'bitset' || p.kind === 'rows';
  hotUsed += perRow ? (p.bytes * records) / capacity : p.bytes;
}

// Lookups: the same seeded sequence of rows as every contender, keys as fresh strings.
const { qp, qv, qa } = lookupKeys(syn, records, LOOKUPS);
let sink = 0;
let misses = 0;
const lookupPass = (n: number): number => {
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const v = store.get({ package: qp[i]!, version: qv[i]!, architecture: qa[i]! });
    if (v === undefined) misses++;
    else sink += v.package.length + v.version.length + (v.section?.length ?? 0);
  }
  return n / ((performance.now() - t) / 1000);
};
lookupPass(20_000); // warm-up
const lookupsPerSec = median(Array.from({ length: 5 }, () => lookupPass(LOOKUPS)));
if (misses > 0) throw new Error(`${misses} lookups of existing keys missed`);

let closeMs = Number.NaN;
let diskBytes = Number.NaN;
if (dir !== undefined) {
  const tc = performance.now();
  await store.close();
  closeMs = performance.now() - tc;
  diskBytes = 0;
  for (const f of readdirSync(dir)) diskBytes += statSync(join(dir, f)).size;
  rmSync(dir, { recursive: true, force: true });
}

emit({
  contender: mode === 'hot' ? 'leanrec' : 'leanrec-disk',
  records,
  templates: syn.real.length,
  keptVersions: syn.shuffle.kept,
  seed: SCALE_SEED,
  templatesMs,
  generatorPerSec,
  ingestMs,
  ingestPerSec: records / (ingestMs / 1000),
  batches: res.batches,
  residentBefore: before.resident,
  residentAfter: after.resident,
  residentDelta: after.resident - before.resident,
  heapUsedAfter: after.heapUsed,
  externalAfter: after.external,
  rssBefore,
  rssAfter: after.rss,
  peakRssIngest,
  peakRss: status('VmHWM'),
  total: m.total,
  hot: m.hot,
  hotUsed,
  capacity,
  cache: m.cache,
  leveldb: m.leveldb,
  lookupsPerSec,
  closeMs,
  diskBytes,
  parts,
  sink: sink + genSink,
});
