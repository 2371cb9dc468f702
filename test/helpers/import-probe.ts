/**
 * Child of test/imports.test.ts and bench/imports.ts: imports leanrec's entry points in a
 * fresh process, does one job with them, and prints on stdout (one JSON line) what the
 * process has loaded: every `.node` file mapped into it (/proc/self/maps, so a native
 * binding counts however it was loaded) and every LevelDB/msgpackr package in the
 * CommonJS module cache (classic-level, level, memory-level and msgpackr-extract are
 * CommonJS: importing them from ESM goes through that cache too).
 *
 * Usage: `node --conditions=leanrec-source --import tsx test/helpers/import-probe.ts <job> [dir]`
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export type ProbeJob =
  | 'schema'
  | 'import:leanrec/debian'
  | 'import:leanrec/mem'
  | 'import:leanrec/testing'
  | 'hot'
  | 'memory'
  | 'disk';

export interface ProbeReport {
  job: ProbeJob;
  /** `.node` files mapped into the process. */
  nativeFiles: string[];
  /** Watched packages in the CommonJS module cache. */
  packages: string[];
  /** What the job read back, for the parent to check that it did its work. */
  result: unknown;
}

const WATCHED = ['classic-level', 'level', 'memory-level', 'abstract-level', 'msgpackr-extract'];

function loadedPackages(): string[] {
  const found = new Set<string>();
  for (const file of Object.keys(createRequire(import.meta.url).cache)) {
    // The innermost node_modules/<name>/ of the path is the package that file belongs to.
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(file);
    if (m !== null && WATCHED.includes(m[1]!)) found.add(m[1]!);
  }
  return [...found].sort();
}

function nativeFiles(): string[] {
  const files = new Set<string>();
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const path = line.split(/\s+/)[5];
    if (path?.endsWith('.node')) files.add(path);
  }
  return [...files].sort();
}

async function run(job: ProbeJob, dir: string | undefined): Promise<unknown> {
  const { schema, t, openStore } = await import('leanrec');
  const S = schema({
    key: ['name'],
    hot: { name: t.string(), size: t.u32() },
    cold: { text: { description: t.string() } },
  });
  const record = { name: 'bash', size: 1234, description: 'GNU Bourne Again SHell' };
  switch (job) {
    case 'schema':
      return S.descriptor;
    case 'import:leanrec/debian': {
      const { debianPackages, compareVersions } = await import('leanrec/debian');
      return [debianPackages.groups.length, compareVersions('1.0-1', '1.0-2')];
    }
    case 'import:leanrec/mem': {
      const { estimate } = await import('leanrec/mem');
      return estimate(S, { records: 1000 }).total > 0;
    }
    case 'import:leanrec/testing': {
      const { arbitrarySchema, FAULT_KINDS } = await import('leanrec/testing');
      return [typeof arbitrarySchema, FAULT_KINDS.length > 0];
    }
    case 'hot': {
      const st = await openStore(S, { cold: false });
      await st.put(record);
      const out = st.get({ name: 'bash' })?.toObject();
      await st.close();
      return out;
    }
    case 'memory': {
      // Every entry point in use: a Debian index (gzip) into an in-memory store, a
      // fault-injecting database without a path (memory-level), and the estimator.
      const { debianPackages, readPackages } = await import('leanrec/debian');
      const { estimate } = await import('leanrec/mem');
      const { FaultyLevel } = await import('leanrec/testing');
      const st = await openStore(S);
      await st.put(record);
      const synced = st.cold({ name: 'bash' });
      const loaded = await st.load({ name: 'bash' });
      await st.close();
      const faulty = await openStore(S, { database: (p, o) => FaultyLevel.wrap(p, o) });
      await faulty.put(record);
      const viaFaulty = await faulty.load({ name: 'bash' });
      await faulty.close();
      const deb = await openStore(debianPackages);
      const sample = new URL('../fixtures/Packages-sample.gz', import.meta.url);
      await deb.ingest(readPackages(sample.pathname));
      const first = deb.where().next().value;
      const description = first?.cold('control').description;
      const size = deb.size;
      await deb.close();
      return [
        synced,
        loaded,
        viaFaulty,
        size,
        typeof description,
        estimate(S, { records: 10 }).total > 0,
      ];
    }
    case 'disk': {
      if (dir === undefined) throw new Error('disk: a directory is needed');
      const path = join(dir, 'db');
      const st = await openStore(S, { path });
      await st.put(record);
      await st.close();
      const again = await openStore(S, { path });
      const out = again.cold({ name: 'bash' });
      await again.close();
      return out;
    }
  }
}

const job = process.argv[2] as ProbeJob;
const result = await run(job, process.argv[3]);
const report: ProbeReport = { job, nativeFiles: nativeFiles(), packages: loadedPackages(), result };
process.stdout.write(`${JSON.stringify(report)}\n`);
