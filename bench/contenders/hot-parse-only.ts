/**
 * Hot suite, contender "parse-only": the same `readline` read as every other contender,
 * keeping nothing. Its heapUsed + external after two GCs is the floor the other
 * contenders' resident memory is measured from.
 */

import { readParagraphs } from '../lib/debian.ts';
import { emit, settledMemory, status } from '../lib/harness.ts';

const t0 = performance.now();
let records = 0;
let fields = 0;
for await (const p of readParagraphs()) {
  records++;
  fields += p.length;
}
const parseMs = performance.now() - t0;
const mem = settledMemory();
emit({ records, fields, parseMs, ...mem, peakRss: status('VmHWM') });
