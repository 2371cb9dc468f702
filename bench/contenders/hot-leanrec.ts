/**
 * Hot suite, contender "leanrec hot-only": `openStore(Hot, { cold: false })`, ingest of the
 * whole index, then the same lookups and scans as "plain", and the floor of the layout
 * (the bytes no columnar layout of these fields can go under).
 */
import { openStore } from 'leanrec';
import { HOT_STRING_FIELDS, Hot, readRecords, toHotRecord } from '../lib/debian.ts';
import { emit, median, pickIndices, rate, settledMemory, status } from '../lib/harness.ts';

const LOOKUPS = 100_000;

const t0 = performance.now();
const store = await openStore(Hot, { cold: false });
await store.ingest(readRecords(toHotRecord));
const loadMs = performance.now() - t0;
const mem = settledMemory();
const peakRss = status('VmHWM');
const m = store.memory();

// Query keys in row order (= file order, as in "plain"), same seeded sequence.
const rows = store.size;
const kp: string[] = [];
const kv: string[] = [];
const ka: string[] = [];
for (const v of store.where(undefined, { reuse: true })) {
  kp.push(v.package);
  kv.push(v.version);
  ka.push(v.architecture);
}
const idx = pickIndices(rows, LOOKUPS);
const qp = Array.from(idx, (i) => kp[i]!);
const qv = Array.from(idx, (i) => kv[i]!);
const qa = Array.from(idx, (i) => ka[i]!);

let sink = 0;
const lookupPass = (n: number): number => {
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const v = store.get({ package: qp[i]!, version: qv[i]!, architecture: qa[i]! })!;
    sink += v.package.length + v.version.length + (v.section?.length ?? 0);
  }
  return n / ((performance.now() - t) / 1000);
};
lookupPass(20_000); // warm-up
const lookupsPerSec = median(Array.from({ length: 5 }, () => lookupPass(LOOKUPS)));

let priorityCount = 0;
let gamesAllCount = 0;
const scanPriority = rate(() => {
  priorityCount = store.count({ priority: ['required', 'important'] });
}, rows);
const scanGamesAll = rate(() => {
  gamesAllCount = store.count({ section: 'games', architecture: 'all' });
}, rows);

// The floor: distinct string bytes + fixed-width bytes × rows + key index slots (4 B each).
const distinct = new Set<string>();
for (const v of store.where(undefined, { reuse: true }))
  for (const f of HOT_STRING_FIELDS) {
    const s = v[f];
    if (s !== undefined) distinct.add(s);
  }
let stringBytes = 0;
for (const s of distinct) stringBytes += Buffer.byteLength(s, 'utf8');
const width = { string: 4, enum: 1, u8: 1, u16: 2, u32: 4, i32: 4, f32: 4, f64: 8 } as const;
let bytesPerRow = 0;
let bitsPerRow = 0;
for (const f of Hot.hotFields) {
  if (f.field.kind === 'flag') bitsPerRow++;
  else bytesPerRow += width[f.field.kind as keyof typeof width] ?? 0;
  if (f.field.isOptional) bitsPerRow++;
}
const slots = Math.max(16, 2 ** Math.ceil(Math.log2(Math.ceil((rows + 1) / 0.7))));
const fixedBytes = bytesPerRow * rows + Math.ceil((bitsPerRow * rows) / 8);
const floor = stringBytes + fixedBytes + 4 * slots;

emit({
  records: rows,
  loadMs,
  ...mem,
  peakRss,
  total: m.total,
  hot: m.hot,
  lookupsPerSec,
  scanPriority,
  scanGamesAll,
  priorityCount,
  gamesAllCount,
  floor,
  floorStrings: stringBytes,
  floorFixed: fixedBytes,
  floorIndex: 4 * slots,
  distinctStrings: distinct.size,
  bytesPerRow,
  bitsPerRow,
  slots,
  parts: Object.fromEntries(m.parts.map((p) => [p.name, p.bytes])),
  sink,
});
