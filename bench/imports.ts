/**
 * `npm run bench:imports [-- --dist] [-- --root <checkout>]`: time of the `import()` of each
 * entry point and RSS right after it, medians of `BENCH_RUNS` (5) fresh processes after a
 * discarded warm-up round, interleaved. From source through tsx (whose hooks cost time and
 * memory of their own); `--dist` also builds into `.tmp/imports-dist` and imports the JS.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './lib/harness.ts';

const args = process.argv.slice(2);
const dist = args.includes('--dist');
const rootAt = args.indexOf('--root');
const root =
  rootAt >= 0 ? resolve(args[rootAt + 1]!) : fileURLToPath(new URL('..', import.meta.url));
const RUNS = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 5) || 5);

/** Entry points: `''` is a bare node (the same flags, nothing imported). */
const ENTRIES = ['', 'leanrec', 'leanrec/debian', 'leanrec/mem', 'leanrec/testing'] as const;
const DIST_FILES: Record<string, string> = {
  leanrec: 'index.js',
  'leanrec/debian': 'debian/index.js',
  'leanrec/mem': 'mem/index.js',
  'leanrec/testing': 'testing/index.js',
};

interface Sample {
  ms: number;
  rss: number;
  native: number;
}

/** The child: imports `spec` (if any) and prints the import's time, RSS and `.node` count. */
const CHILD = `
const spec = process.argv[1];
const t0 = performance.now();
if (spec) await import(spec);
const ms = performance.now() - t0;
const { readFileSync } = await import('node:fs');
const native = new Set(readFileSync('/proc/self/maps', 'utf8').split('\\n')
  .map((l) => l.split(/\\s+/)[5]).filter((p) => p && p.endsWith('.node'))).size;
console.log(JSON.stringify({ ms, rss: process.memoryUsage().rss, native }));
`;

function sample(flags: string[], spec: string): Sample {
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', CHILD, spec], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`importing ${spec || '(nothing)'} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Sample;
}

function measure(label: string, flags: string[], specOf: (entry: string) => string): void {
  const runs = new Map<string, Sample[]>(ENTRIES.map((e) => [e, []]));
  for (let r = -1; r < RUNS; r++)
    for (const e of ENTRIES) {
      const s = sample(flags, e === '' ? '' : specOf(e));
      if (r >= 0) runs.get(e)!.push(s);
    }
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const bare = median(runs.get('')!.map((s) => s.rss));
  const rows = ENTRIES.map((e) => {
    const list = runs.get(e)!;
    const rss = median(list.map((s) => s.rss));
    return [
      e === '' ? '(bare node)' : e,
      e === '' ? '–' : median(list.map((s) => s.ms)).toFixed(0),
      mib(rss),
      e === '' ? '–' : `${rss >= bare ? '+' : '−'}${mib(Math.abs(rss - bare))}`,
      String(Math.max(...list.map((s) => s.native))),
    ];
  });
  const head = ['entry point', 'import ms', 'RSS MiB', 'RSS over bare', '.node files'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join(' | ')} |`;
  console.log(`\n${label} — median of ${RUNS} fresh processes, node ${process.version}`);
  console.log(line(head));
  console.log(
    `|${width.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  );
  for (const r of rows) console.log(line(r));
}

console.log(`bench:imports on ${root}`);
measure(
  'from source (node --conditions=leanrec-source --import tsx)',
  ['--conditions=leanrec-source', '--import', 'tsx'],
  (e) => e,
);

if (dist) {
  const out = join(root, '.tmp', 'imports-dist');
  rmSync(out, { recursive: true, force: true });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out], {
    cwd: root,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`the build failed:\n${built.stdout}${built.stderr}`);
  try {
    measure(
      'built JavaScript (tsc -p tsconfig.build.json, plain node)',
      [],
      (e) => pathToFileURL(join(out, DIST_FILES[e]!)).href,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
