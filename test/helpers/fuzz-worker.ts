/**
 * Worker body of test/helpers/isolated.ts: runs one parser job per message and posts
 * back what came out (the value, or the error's name, code and context), with the time
 * the job took. The parent kills the worker when a job does not come back in time, so a
 * parser stuck in a loop fails its case instead of hanging the suite.
 */
import { parentPort } from 'node:worker_threads';
import { openStore } from 'leanrec';
import {
  debianPackages,
  debianSources,
  parseDeb822,
  parseRelations,
  readPackages,
  readSources,
  toDeb822,
} from 'leanrec/debian';
import type { Deb822Options, Paragraph } from '../../src/debian/deb822.ts';
import { LeanrecError } from '../../src/errors.ts';

/** A job the worker runs. `cuts` are the offsets where the input is split into chunks. */
export type Job =
  | { kind: 'deb822'; bytes: Uint8Array; cuts: number[]; options: Deb822Options }
  | { kind: 'relations'; text: string; field?: string }
  | { kind: 'records'; index: 'packages' | 'sources'; bytes: Uint8Array; cuts: number[] }
  | { kind: 'store'; index: 'packages' | 'sources'; bytes: Uint8Array; cuts: number[] }
  /** For the runner's own test: a job that never ends, and one that allocates without bound. */
  | { kind: 'spin' }
  | { kind: 'hog' };

/** What an error looked like, flattened for postMessage. */
export interface ErrorInfo {
  name: string;
  /** True when it was a `LeanrecError`. */
  leanrec: boolean;
  code?: string;
  message: string;
  line?: number;
  column?: number;
  field?: string;
  file?: string;
  stack?: string;
}

/** The answer to a job. */
export type Outcome =
  | { ok: true; value: unknown; ms: number }
  | { ok: false; error: ErrorInfo; ms: number };

/** What a `store` job gives back: per stored key, the record's deb822 text or why it was refused. */
export interface StoredText {
  key: string;
  text?: string;
  error?: ErrorInfo;
}

export function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof LeanrecError) {
    const info: ErrorInfo = { name: err.name, leanrec: true, code: err.code, message: err.message };
    if (err.line !== undefined) info.line = err.line;
    if (err.column !== undefined) info.column = err.column;
    if (err.field !== undefined) info.field = err.field;
    if (err.file !== undefined) info.file = err.file;
    if (err.stack !== undefined) info.stack = err.stack;
    return info;
  }
  const e = err as Error;
  return {
    name: e?.constructor?.name ?? typeof err,
    leanrec: false,
    message: String(e?.message ?? err),
    ...(e?.stack === undefined ? {} : { stack: e.stack }),
  };
}

async function* chunks(bytes: Uint8Array, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let prev = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut <= prev || cut >= bytes.length) continue;
    yield bytes.subarray(prev, cut);
    prev = cut;
  }
  yield bytes.subarray(prev);
}

async function run(job: Job): Promise<unknown> {
  switch (job.kind) {
    case 'deb822': {
      const out: Paragraph[] = [];
      for await (const p of parseDeb822(chunks(job.bytes, job.cuts), job.options)) out.push(p);
      return out;
    }
    case 'relations':
      return parseRelations(job.text, job.field);
    case 'records': {
      const read = job.index === 'packages' ? readPackages : readSources;
      const out: unknown[] = [];
      for await (const r of read(chunks(job.bytes, job.cuts))) out.push(r);
      return out;
    }
    case 'store':
      return storeTexts(job);
    case 'spin':
      for (;;) {}
    case 'hog': {
      const kept: number[][] = [];
      for (let i = 0; ; i++) kept.push(new Array(1 << 20).fill(i));
    }
  }
}

/** Reads the records, ingests them into an in-memory store and prints every stored record. */
async function storeTexts(job: Extract<Job, { kind: 'store' }>): Promise<StoredText[]> {
  const input = chunks(job.bytes, job.cuts);
  const out: StoredText[] = [];
  if (job.index === 'packages') {
    const store = await openStore(debianPackages);
    try {
      await store.ingest(readPackages(input));
      for (const v of store.where())
        out.push(textOf(`${v.package} ${v.version} ${v.architecture}`, () => v.record()));
    } finally {
      await store.close();
    }
  } else {
    const store = await openStore(debianSources);
    try {
      await store.ingest(readSources(input));
      for (const v of store.where())
        out.push(textOf(`${v.package} ${v.version}`, () => v.record()));
    } finally {
      await store.close();
    }
  }
  return out;
}

function textOf(key: string, record: () => Record<string, unknown>): StoredText {
  try {
    return { key, text: toDeb822(record()) };
  } catch (err) {
    return { key, error: errorInfo(err) };
  }
}

parentPort?.on('message', async (job: Job) => {
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    const value = await run(job);
    outcome = { ok: true, value, ms: performance.now() - t0 };
  } catch (err) {
    outcome = { ok: false, error: errorInfo(err), ms: performance.now() - t0 };
  }
  parentPort?.postMessage(outcome);
});
