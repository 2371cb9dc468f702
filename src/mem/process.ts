/**
 * `processMemory()`: where this process's memory is, as the OS and V8 see it, and how
 * much of it the given leanrec stores account for. Resident vs claimed vs swapped comes
 * from `/proc/self/status` on Linux (elsewhere those members are `undefined`); LevelDB's
 * block cache and write buffer are native memory that V8's counters never show, so they
 * are reported as configured.
 */
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import type { AnySchema } from '../schema/schema.ts';
import type { Store } from '../store/store.ts';

/** One V8 heap space. Bytes. */
export interface HeapSpace {
  name: string;
  size: number;
  used: number;
  available: number;
}

/** What {@link processMemory} reports. All figures are bytes. */
export interface ProcessMemory {
  /** Resident set size. */
  rss: number;
  /** Peak resident set size (VmHWM), where the OS tells. */
  peakRss: number | undefined;
  /** Virtual size: all address space claimed (VmSize), where the OS tells. */
  virtual: number | undefined;
  /** Swapped out (VmSwap), where the OS tells. */
  swap: number | undefined;
  /** Resident anonymous memory (heap, native allocations), where the OS tells. */
  rssAnon: number | undefined;
  /** Resident file-backed memory (code, mapped files such as LevelDB tables), where the OS tells. */
  rssFile: number | undefined;
  heapTotal: number;
  heapUsed: number;
  /** Memory of C++ objects bound to JS objects (Buffers, typed arrays…). */
  external: number;
  /** ArrayBuffers and SharedArrayBuffers, included in `external`. */
  arrayBuffers: number;
  /** Each V8 heap space. */
  heapSpaces: HeapSpace[];
  /** LevelDB block caches and write buffers of the given stores, as configured. */
  leveldb: number;
  /** `memory().total` of the given stores (hot tier, cache and LevelDB as configured). */
  stores: number;
}

/** Options of {@link processMemory}. */
export interface ProcessMemoryOptions {
  /** Open stores whose memory to attribute. @defaultValue none */
  stores?: readonly Store<AnySchema>[];
}

/**
 * A snapshot of the process's memory, with the part the given stores account for.
 *
 * @example
 * ```ts
 * const m = processMemory({ stores: [store] })
 * console.log(`rss ${m.rss} of which leanrec ${m.stores}; swapped ${m.swap ?? 'n/a'}`)
 * ```
 */
export function processMemory(options: ProcessMemoryOptions = {}): ProcessMemory {
  const u = process.memoryUsage();
  const status = readStatus();
  let leveldb = 0;
  let stores = 0;
  for (const s of options.stores ?? []) {
    if (s.closed) continue;
    const m = s.memory();
    leveldb += m.leveldb;
    stores += m.total;
  }
  return {
    rss: u.rss,
    peakRss: status.get('VmHWM'),
    virtual: status.get('VmSize'),
    swap: status.get('VmSwap'),
    rssAnon: status.get('RssAnon'),
    rssFile: status.get('RssFile'),
    heapTotal: u.heapTotal,
    heapUsed: u.heapUsed,
    external: u.external,
    arrayBuffers: u.arrayBuffers,
    heapSpaces: getHeapSpaceStatistics().map((s) => ({
      name: s.space_name,
      size: s.space_size,
      used: s.space_used_size,
      available: s.space_available_size,
    })),
    leveldb,
    stores,
  };
}

/** The `kB` lines of /proc/self/status as bytes; empty where there is no such file. */
function readStatus(): Map<string, number> {
  const out = new Map<string, number>();
  let text: string;
  try {
    text = readFileSync('/proc/self/status', 'latin1');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * 1024);
  }
  return out;
}
