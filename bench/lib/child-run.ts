/**
 * Runs one bench:scale child and says how it ended: ok (its `emit` JSON line), V8's "heap
 * out of memory" abort, a time cap, or an error. The last progress line on stderr
 * (bench/lib/synthetic.ts `progress`) says how far a child that died got, and when.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CHILD_FLAGS, type Result, ROOT } from './harness.ts';

/** How a child ended. */
export type Outcome = 'ok' | 'oom' | 'timeout' | 'error';

/**
 * One run of one child: `result` is its JSON line (when ok); `records`, `progressMs` and
 * `heapUsed` are those of the last progress line (0 when none), `ingestWallMs` the time
 * from the first progress line's start to the end of the process; `stderrTail` the last
 * stderr lines that are not progress lines (the error, when there is one).
 */
export interface Attempt {
  outcome: Outcome;
  result?: Result;
  code: number | null;
  signal: NodeJS.Signals | null;
  wallMs: number;
  records: number;
  progressMs: number;
  ingestWallMs: number;
  heapUsed: number;
  stderrTail: string[];
}

const PROGRESS = /^scale-progress records=(\d+) ms=(\d+) heapUsed=(\d+)/;
/** A frame of V8's native stack trace (printed after a fatal error): not worth keeping. */
const NATIVE_FRAME = /^\s*\d+: 0x[0-9a-f]+ /;
const OOM = /JavaScript heap out of memory|Reached heap limit|Allocation failed/;

/**
 * Runs `node <CHILD_FLAGS> <script> <args…>` from the repository root, in the default heap,
 * killing it (SIGKILL, by its pid) after `timeoutMs`. `onProgress` sees each progress line.
 */
export function runChild(
  script: string,
  args: readonly string[],
  timeoutMs: number,
  onProgress?: (records: number, ms: number) => void,
): Promise<Attempt> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...CHILD_FLAGS, join(ROOT, script), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let errBuf = '';
  const tail: string[] = [];
  let records = 0;
  let progressMs = 0;
  let heapUsed = 0;
  /** Parent clock when the ingest started (first progress line minus its own `ms`). */
  let ingestStart = Number.NaN;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    errBuf += s;
    let nl = errBuf.indexOf('\n');
    while (nl >= 0) {
      const line = errBuf.slice(0, nl);
      errBuf = errBuf.slice(nl + 1);
      const m = PROGRESS.exec(line);
      if (m !== null) {
        records = Number(m[1]);
        progressMs = Number(m[2]);
        heapUsed = Number(m[3]);
        if (Number.isNaN(ingestStart)) ingestStart = performance.now() - progressMs;
        onProgress?.(records, progressMs);
      } else if (line.trim() !== '' && !NATIVE_FRAME.test(line)) {
        tail.push(line);
        if (tail.length > 40) tail.shift();
      }
      nl = errBuf.indexOf('\n');
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (errBuf.trim() !== '') tail.push(errBuf);
      const end = performance.now();
      const base = {
        code,
        signal,
        wallMs: end - t0,
        records,
        progressMs,
        ingestWallMs: Number.isNaN(ingestStart) ? Number.NaN : end - ingestStart,
        heapUsed,
        stderrTail: tail.slice(-12),
      };
      const line = stdout
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      if (code === 0 && line !== undefined) {
        const result = JSON.parse(line) as Result;
        result['wallMs'] = end - t0;
        resolve({ outcome: 'ok', result, ...base });
      } else if (timedOut) resolve({ outcome: 'timeout', ...base });
      else if (tail.some((l) => OOM.test(l))) resolve({ outcome: 'oom', ...base });
      else resolve({ outcome: 'error', ...base });
    });
  });
}
