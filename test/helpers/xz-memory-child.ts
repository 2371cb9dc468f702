/**
 * Child of test/debian/xz-memory.test.ts (run with --expose-gc): reads the .xz Packages
 * index given as argv[2] argv[3] times with `readPackages` and prints one JSON line with
 * `external`, RSS and RSS outside the V8 heap after gc, before the first read and after
 * each, and each read's own peak RSS (VmHWM, reset before the read through
 * /proc/self/clear_refs).
 * argv[4], the same text as .gz, is read once first: the parser's first-run growth (JIT,
 * heap) then happens before the measures. It is also read before each .xz read, its own
 * peak measured the same way (`gzHwm`): what the parser and V8 hold for that text whatever
 * the decompressor. During each .xz read, RSS outside the V8 heap is sampled every 64
 * records (`nativePeak`): where the decoder's dictionary and buffers live, apart from
 * the parser's garbage, whose amount depends on V8's young generation.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { setImmediate as turn } from 'node:timers/promises';
import { getHeapStatistics } from 'node:v8';
import { readPackages } from '../../src/debian/read.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

/** gc with turns of the event loop between, so that finalizers and what they free run. */
async function settle(): Promise<{ external: number; rss: number; native: number }> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await turn();
    await turn();
  }
  gc!();
  const m = process.memoryUsage();
  // RSS less the V8 heap's resident pages: what malloc and native code hold.
  return {
    external: m.external,
    rss: m.rss,
    native: m.rss - getHeapStatistics().total_physical_size,
  };
}

const hwm = (): number =>
  Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
/** Sets VmHWM back to the current RSS (Linux ≥ 4.0). */
const resetHwm = (): void => writeFileSync('/proc/self/clear_refs', '5');

const [file, reads, warmUp] = [process.argv[2]!, Number(process.argv[3]), process.argv[4]];
if (warmUp !== undefined) for await (const _ of readPackages(warmUp));
const before = { ...(await settle()), hwm: hwm() };
const after: {
  records: number;
  external: number;
  rss: number;
  native: number;
  hwm: number;
  rssBefore: number;
  gzHwm: number;
  gzRssBefore: number;
  nativeBefore: number;
  nativePeak: number;
}[] = [];
const native = (): number => process.memoryUsage.rss() - getHeapStatistics().total_physical_size;
for (let i = 0; i < reads; i++) {
  let gzHwm = 0;
  let gzRssBefore = 0;
  if (warmUp !== undefined) {
    gzRssBefore = (await settle()).rss;
    resetHwm();
    for await (const _ of readPackages(warmUp));
    gzHwm = hwm();
  }
  const start = await settle();
  resetHwm();
  let records = 0;
  let nativePeak = start.native;
  for await (const _ of readPackages(file)) {
    if ((++records & 63) === 0) nativePeak = Math.max(nativePeak, native());
  }
  const peak = hwm();
  nativePeak = Math.max(nativePeak, native());
  after.push({
    records,
    ...(await settle()),
    hwm: peak,
    rssBefore: start.rss,
    gzHwm,
    gzRssBefore,
    nativeBefore: start.native,
    nativePeak,
  });
}
process.stdout.write(`${JSON.stringify({ before, after })}\n`);
