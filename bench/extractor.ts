/**
 * Does msgpackr's native string extractor (msgpackr-extract) speed up our cold reads?
 * A store on disk loads it (cold-tier.ts); without a path leanrec uses msgpackr's
 * plain-JavaScript entry only. Fresh processes alternate between the extractor on and
 * off (msgpackr's documented MSGPACKR_NATIVE_ACCELERATION_DISABLED=true) on a store of
 * the real Debian index, and measure CPU time:
 * - decode: every stored value (hot entries and cold groups) through the store's codec,
 *   one pass, best of 7;
 * - cold reads: `view.cold()` (every group) of every record on disk, cache off, one
 *   pass, best of 5.
 * Figures: the median over the processes of each mode.
 *
 *   node --conditions=leanrec-source --import tsx bench/extractor.ts [processes per mode, default 4]
 *
 * Reads $LEANREC_DEBIAN_PACKAGES, else the pinned copy (bench/lib/debian.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from 'leanrec';
import { debianPackages, readPackages } from 'leanrec/debian';
import { unpack } from 'msgpackr/pack';
import { RecordCodec } from '../src/cold/codec.ts';
import { metaKey } from '../src/cold/layout.ts';
import { packagesPath } from './lib/debian.ts';

const [mode, path] = process.argv.slice(2);

function cpuMs(c0: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(c0);
  return (used.user + used.system) / 1000;
}

async function child(native: boolean, dir: string): Promise<void> {
  const st = await openStore(debianPackages, { path: dir, cacheBytes: 0 });
  const { isNativeAccelerationEnabled } = await import('msgpackr');
  if (isNativeAccelerationEnabled !== native)
    throw new Error(`extractor ${isNativeAccelerationEnabled ? 'on' : 'off'}, wanted the other`);
  const views = [...st.where()];
  let reads = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 5; pass++) {
    const c0 = process.cpuUsage();
    for (const v of views) v.cold();
    reads = Math.min(reads, cpuMs(c0));
  }
  await st.close();
  // The database itself for the decode figure: only its stored bytes are needed.
  const { ClassicLevel: Level } = await import('classic-level');
  const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  const structures = unpack((await db.get(metaKey('structures')))!) as unknown[][];
  const values: Uint8Array[] = [];
  let bytes = 0;
  for await (const [k, v] of db.iterator())
    if (k[0] === 0x68 || k[0] === 0x63) {
      values.push(v);
      bytes += v.length;
    }
  await db.close();
  const codec = new RecordCodec(structures);
  let decode = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 7; pass++) {
    const c0 = process.cpuUsage();
    for (const v of values) codec.decode(v, () => '');
    decode = Math.min(decode, cpuMs(c0));
  }
  console.log(
    JSON.stringify({ records: views.length, values: values.length, bytes, decode, reads }),
  );
}

async function parent(perMode: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'leanrec-extractor-'));
  try {
    const db = join(dir, 'db');
    const st = await openStore(debianPackages, { path: db });
    await st.ingest(readPackages(packagesPath()));
    await st.close();
    const script = fileURLToPath(import.meta.url);
    type Run = { decode: number; reads: number };
    const runs: Record<'native' | 'js', Run[]> = { native: [], js: [] };
    let shape = '';
    for (let i = 0; i < perMode; i++)
      for (const m of ['native', 'js'] as const) {
        const env = { ...process.env };
        if (m === 'js') env['MSGPACKR_NATIVE_ACCELERATION_DISABLED'] = 'true';
        else delete env['MSGPACKR_NATIVE_ACCELERATION_DISABLED'];
        const r = spawnSync(
          process.execPath,
          ['--conditions=leanrec-source', '--import', 'tsx', script, m, db],
          { encoding: 'utf8', env },
        );
        if (r.status !== 0) throw new Error(r.stderr);
        const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
        runs[m].push(out);
        shape = `${out.records} records, ${out.values} stored values (${(out.bytes / 2 ** 20).toFixed(1)} MiB)`;
      }
    const med = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const h = s.length >> 1;
      return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
    };
    console.log(`${shape}; CPU ms per pass, median of ${perMode} processes per mode`);
    for (const m of ['native', 'js'] as const) {
      const list = runs[m];
      const d = list.map((x) => x.decode);
      const r = list.map((x) => x.reads);
      console.log(
        `${m === 'native' ? 'with msgpackr-extract' : 'plain JavaScript     '}  decode ${med(d).toFixed(0)} (${d.map((x) => x.toFixed(0)).join(', ')})  cold reads ${med(r).toFixed(0)} (${r.map((x) => x.toFixed(0)).join(', ')})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (mode === 'native' || mode === 'js') await child(mode === 'native', path!);
else await parent(Math.max(1, Number(mode ?? 4) || 4));
