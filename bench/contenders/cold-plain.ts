/**
 * Cold suite, contender "plain": every paragraph parsed into a plain object with every
 * field, in a Map by key (what apps do today) — its peak RSS is what leanrec's ingest is
 * compared with.
 */
import { plainKey, readParagraphs, toPlainObject } from '../lib/debian.ts';
import { emit, RssSampler, settledMemory, status } from '../lib/harness.ts';

const before = settledMemory();
const sampler = new RssSampler(20);
const t0 = performance.now();
const map = new Map<string, Record<string, string>>();
for await (const p of readParagraphs()) {
  const o = toPlainObject(p);
  map.set(plainKey(o['Package']!, o['Version']!, o['Architecture']!), o);
}
const loadMs = performance.now() - t0;
const peakRssSampled = sampler.stop();
const peakRss = status('VmHWM');
const after = settledMemory();
emit({
  records: map.size,
  loadMs,
  peakRss,
  peakRssSampled,
  residentV8: after.resident - before.resident,
  rssAfter: after.rss,
  rssDelta: after.rss - before.rss,
});
