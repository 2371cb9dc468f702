/**
 * README.md's examples run, as a user would copy them: every ```ts and ```sh block is
 * extracted and run unless its fence says `no-run: <reason>` (see test/helpers/readme-blocks.ts
 * for the fence attributes). A block that is neither run nor marked fails the summary test.
 *
 * Extracted rather than kept as files under examples/ that the README would include: the
 * README stays the one copy (Markdown has no include, so files would need a sync step and a
 * check that both agree), and a block anyone adds to the README is run with no change here.
 *
 * Harness (generic, so that examples added later run without changes here):
 * - each block runs in its own empty temp directory, which holds `Packages.gz`: a symlink to
 *   the pinned index (`LEANREC_DEBIAN_PACKAGES`; set but missing fails) or, when it is not
 *   set, to the committed sample `examples/data/Packages.gz`; `Packages`, `Packages.xz`,
 *   `Packages.lz4` and `Sources` are the small test fixtures (test/fixtures/*-sample*), for
 *   examples of other inputs. Stores (`./pkgs.db`…) and files an example writes go to that
 *   directory;
 * - a TypeScript block is written to a file under `.tmp/` in the repository, so that
 *   `import … from 'leanrec'` resolves through the package's self-reference, and run with
 *   `node --conditions=leanrec-source --import tsx`;
 * - a shell block runs with `bash` (`set -eo pipefail`), `leanrec` on PATH (bin/leanrec.js,
 *   from the sources).
 * The TypeScript blocks are type-checked too (tsc with the repository's strict tsconfig, which
 * tsx does not do), those that need the real index included.
 * Every run block must exit 0, print something, print no `undefined`/`NaN`, and (TypeScript)
 * write nothing to stderr; blocks with an `id` get the checks in {@link checks} as well.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { debianIndexPath, debianSkip } from './helpers/debian-index.ts';
import { type Block, programOf, readmeBlocks } from './helpers/readme-blocks.ts';
import { tempDir } from './helpers/temp.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const blocks = readmeBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
const byId = new Map(blocks.flatMap((b) => (b.id === undefined ? [] : [[b.id, b] as const])));
const realIndex = debianSkip() === false;
const sample = join(root, 'examples/data/Packages.gz');
/** Other inputs in each block's directory: name → file under test/fixtures. */
const FIXTURES = [
  ['Packages', 'Packages-sample'],
  ['Packages.xz', 'Packages-sample.xz'],
  ['Packages.lz4', 'Packages-sample.lz4'],
  ['Sources', 'Sources-sample'],
] as const;

interface Run {
  code: number | string | null;
  stdout: string;
  stderr: string;
  /** The directory the block ran in. */
  cwd: string;
}

interface Check {
  /** Why the block needs the real index (it is skipped, with this reason, without one). */
  needsRealIndex?: string;
  check(run: Run): void;
}

/** The `bash` paragraph of the index, as the index holds it (each line ending in `\n`). */
let bashParagraph: string | undefined;
function bashInIndex(): string {
  if (bashParagraph !== undefined) return bashParagraph;
  const text = gunzipSync(readFileSync(debianIndexPath())).toString('utf8');
  const start = text.indexOf('Package: bash\n');
  assert.ok(start === 0 || text[start - 1] === '\n', 'bash is in the index');
  return (bashParagraph = `${text.slice(start, text.indexOf('\n\n', start))}\n`);
}

const checks: Record<string, Check> = {
  // The tour: `use` fills the store; the others print after its two lines.
  use: {
    check({ stdout }) {
      assert.equal(tourOutput(stdout, 0).join('\n'), tourPrelude.join('\n'));
    },
  },
  read: {
    check({ stdout }) {
      const out = tourOutput(stdout);
      assert.equal(out[0], '1490700 shells', 'hot fields of the view, after the put');
      assert.equal(out[1], 'true false', 'has');
      assert.equal(out[2], 'GNU Bourne Again SHell', 'cold()');
      assert.match(out[3]!, /base-files \(>= 2\.1\.12\)/, 'store.cold(key, group)');
      assert.match(
        stdout,
        /name: 'bash'[\s\S]*size: 1490700[\s\S]*description: 'GNU Bourne Again SHell'/,
      );
      assert.equal(
        out.at(-1),
        'Matthias Klose <doko@debian.org>; Michael Stone <mstone@debian.org>',
      );
    },
  },
  select: {
    check({ stdout }) {
      const out = tourOutput(stdout);
      assert.deepEqual(out, ['2', '0ad-data', String(1_490_700 + 2_896_560), 'bash coreutils']);
    },
  },
  delete: {
    check({ stdout }) {
      const out = tourOutput(stdout);
      assert.deepEqual(out.slice(0, 2), ['true false', 'false 2']);
      assert.match(out[2]!, /^[1-9]\d*$/, 'memory().hot after compact() is a byte count');
    },
  },
  diff: {
    check({ stdout }) {
      assert.deepEqual(tourOutput(stdout), ['removed 0ad-data', 'changed bash size']);
    },
  },
  errors: {
    check({ stdout }) {
      const out = tourOutput(stdout);
      assert.equal(out[0], 'true true');
      assert.match(out[1]!, /^E_INVALID_RECORD size .*bash/, 'the code, the field and the key');
    },
  },
  debian: {
    needsRealIndex: 'it looks up bash, which the committed sample does not hold',
    check({ stdout }) {
      assert.ok(stdout.includes(bashInIndex()), "bash's paragraph comes back as in the index");
      assert.match(stdout, /^Version: \S+$/m);
      assert.match(stdout, /^-[1-9]\d*$/m, "compareVersions('1.0~rc1', '1.0') < 0");
    },
  },
  cli: {
    needsRealIndex: 'it gets bash, which the committed sample does not hold',
    check({ stdout }) {
      assert.ok(
        stdout.includes(bashInIndex()),
        "leanrec get prints bash's paragraph as in the index",
      );
      assert.match(stdout, /^[1-9]\d*$/m, 'query --count prints a count');
      assert.match(stdout, /^\S+\t\S+\t\S+\t\S+\t.+$/m, 'verify prints TSV findings');
      assert.match(stdout, /total/, 'stats prints the total');
    },
  },
  faulty: {
    check({ stdout }) {
      assert.match(stdout, /^E_IO true$/m, 'the injected fault rejects the ingest with E_IO');
    },
  },
  mem: {
    check({ stdout, cwd }) {
      const tsv = readFileSync(join(cwd, 'memstats.tsv'), 'utf8').trim().split('\n');
      assert.match(tsv[0]!, /^t_ms\trss\t/);
      assert.ok(tsv.length >= 2, 'the sampler wrote at least one sample');
      assert.match(stdout.split('\n').at(-2) ?? '', /\S/);
      assert.match(stdout, /^[1-9]\d* /m, 'processMemory().rss is a byte count');
    },
  },
};

/** What the tour's first block (`use`) prints: the ingest's result, then the store's size. */
const tourPrelude = ['{ written: 3, inserted: 3, updated: 0, skipped: 0, batches: 1 }', '3'];

/** The lines a tour block printed after `use`'s (`skip` lines), checking those first. */
function tourOutput(stdout: string, skip = tourPrelude.length): string[] {
  const lines = stdout.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, tourPrelude.length), tourPrelude, 'the tour starts with use');
  return lines.slice(skip);
}

/** Why a block, or the block it follows, needs the real index; undefined when it does not. */
function needsIndex(b: Block): string | undefined {
  let x: Block | undefined = b;
  for (let depth = 0; x !== undefined && depth < 32; depth++) {
    const need = x.id === undefined ? undefined : checks[x.id]?.needsRealIndex;
    if (need !== undefined) return x === b ? need : `${need} (via ${x.id})`;
    x = x.after === undefined ? undefined : byId.get(x.after);
  }
  return undefined;
}

/** Why a block is not run, or undefined to run it. */
function skipReason(b: Block): string | undefined {
  if (b.noRun !== undefined) return `marked no-run: ${b.noRun}`;
  const need = needsIndex(b);
  if (need !== undefined && !realIndex)
    return `needs the real index (LEANREC_DEBIAN_PACKAGES): ${need}`;
  return undefined;
}

const scripts = join(root, '.tmp');
mkdirSync(scripts, { recursive: true });
const scriptDir = mkdtempSync(join(scripts, 'readme-'));
const work = tempDir('readme');
const bin = join(work, 'bin');
mkdirSync(bin);
symlinkSync(join(root, 'bin/leanrec.js'), join(bin, 'leanrec'));
/** The program of each TypeScript block, written where `'leanrec'` resolves to the sources. */
const programs = new Map<Block, string>();
for (const b of blocks) {
  if (b.kind !== 'ts' || b.problem !== undefined || b.noRun !== undefined) continue;
  const file = join(scriptDir, `line-${b.line}.ts`);
  try {
    writeFileSync(file, programOf(b, byId));
    programs.set(b, file);
  } catch (e) {
    b.problem = (e as Error).message; // an `after=` naming no block: reported by the summary
  }
}
writeFileSync(
  join(scriptDir, 'tsconfig.json'),
  JSON.stringify({ extends: '../../tsconfig.json', include: ['./*.ts'] }),
);
after(() => {
  rmSync(scriptDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

function name(b: Block): string {
  return `README.md:${b.line} ${b.lang}${b.id ? ` id=${b.id}` : ''} (${b.heading})`;
}

async function runBlock(b: Block, n: number): Promise<Run> {
  const cwd = mkdtempSync(join(work, `${n}-`));
  // Without LEANREC_DEBIAN_PACKAGES only blocks that do not need the real index run: they get the sample.
  symlinkSync(realIndex ? debianIndexPath() : sample, join(cwd, 'Packages.gz'));
  for (const [alias, fixture] of FIXTURES)
    symlinkSync(join(root, 'test/fixtures', fixture), join(cwd, alias));
  let cmd: string;
  let args: string[];
  const file = programs.get(b);
  if (file !== undefined) {
    cmd = process.execPath;
    args = ['--conditions=leanrec-source', `--import=${import.meta.resolve('tsx')}`, file];
  } else {
    const script = join(cwd, '.example.sh');
    writeFileSync(script, `set -eo pipefail\n${programOf(b, byId)}\n`);
    cmd = 'bash';
    args = [script];
  }
  const env = { ...process.env, LEANREC_SOURCE: '1', PATH: `${bin}:${process.env.PATH ?? ''}` };
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd, env, timeout: 180_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : (err.code ?? err.signal ?? -1), stdout, stderr, cwd });
      },
    );
  });
}

const runnable = blocks.filter((b) => b.kind !== 'other' && b.problem === undefined);
const ran: string[] = [];
const skipped: string[] = [];

/** The blocks that read the real index take most of the time: started first, side by side. */
const heavyFirst = [...runnable].sort(
  (a, b) => Number(needsIndex(b) !== undefined) - Number(needsIndex(a) !== undefined),
);

describe('README.md examples', { concurrency: 2 }, () => {
  heavyFirst.forEach((b, n) => {
    const skip = skipReason(b);
    if (skip !== undefined) {
      skipped.push(`${name(b)}: ${skip}`);
      test(name(b), { skip }, () => {});
      return;
    }
    ran.push(name(b));
    test(name(b), async () => {
      const r = await runBlock(b, n);
      const output = `\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
      assert.equal(r.code, 0, `exit code ${r.code}${output}`);
      if (b.kind === 'ts') assert.equal(r.stderr, '', `nothing on stderr${output}`);
      else assert.doesNotMatch(r.stderr, /^leanrec: /m, `no error line${output}`);
      assert.match(r.stdout, /\S/, `the example prints something${output}`);
      assert.doesNotMatch(r.stdout, /\b(undefined|NaN)\b/, `no undefined or NaN printed${output}`);
      const check = b.id === undefined ? undefined : checks[b.id];
      if (check !== undefined) {
        try {
          check.check(r);
        } catch (e) {
          (e as Error).message += output;
          throw e;
        }
      }
    });
  });
  test(`the ${programs.size} TypeScript examples type-check`, async () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const r = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [tsc, '-p', scriptDir, '--noEmit'], { cwd: root }, (err, so, se) =>
        resolve({ code: err === null ? 0 : 1, out: so + se }),
      );
    });
    assert.equal(r.code, 0, `tsc found errors (README.md:<line> is line-<line>.ts):\n${r.out}`);
  });
});

test('README.md: every ts/sh block is run or marked no-run, and every check has its block', (t) => {
  const problems = blocks
    .filter((b) => b.problem !== undefined)
    .map((b) => `README.md:${b.line}: ${b.problem}`);
  for (const id of Object.keys(checks))
    if (!byId.has(id)) problems.push(`the check '${id}' has no block with id=${id}`);
  for (const b of blocks)
    if (b.after !== undefined && !byId.has(b.after))
      problems.push(`README.md:${b.line}: after=${b.after}, but no block has that id`);
  const other = blocks.filter((b) => b.kind === 'other' && b.problem === undefined);
  t.diagnostic(
    `index: ${realIndex ? `${process.env.LEANREC_DEBIAN_PACKAGES} (LEANREC_DEBIAN_PACKAGES)` : `${sample} (LEANREC_DEBIAN_PACKAGES not set)`}`,
  );
  t.diagnostic(`run ${ran.length}: ${ran.join('; ')}`);
  t.diagnostic(`skipped ${skipped.length}: ${skipped.join('; ')}`);
  t.diagnostic(`not code (${other.length}): ${other.map((b) => `${b.line} ${b.lang}`).join(', ')}`);
  assert.deepEqual(problems, []);
  assert.equal(ran.length + skipped.length, runnable.length);
  assert.ok(ran.length > 0, 'some README example runs');
  if (realIndex) assert.ok(existsSync(debianIndexPath()));
});

test('the block reader: languages, attributes, problems, and after= programs', () => {
  const md = [
    '# A',
    '```ts id=a',
    "import { x } from 'x';",
    'const s = 1;',
    '```',
    '## B',
    '````sh no-run: shows a fence',
    '```ts',
    '````',
    '```ts after=a',
    "import { y } from 'y';",
    'const s = 2;',
    '```',
    '```',
    'no language',
    '```',
    '```sh no-run',
    '```',
    '```ts norun',
    '```',
    '~~~text',
    'output',
    '~~~',
  ].join('\n');
  const bs = readmeBlocks(md);
  assert.deepEqual(
    bs.map((b) => [b.line, b.heading, b.lang, b.kind, b.id, b.after, b.noRun, b.problem]),
    [
      [2, 'A', 'ts', 'ts', 'a', undefined, undefined, undefined],
      [7, 'B', 'sh', 'sh', undefined, undefined, 'shows a fence', undefined],
      [10, 'B', 'ts', 'ts', undefined, 'a', undefined, undefined],
      [
        14,
        'B',
        '',
        'other',
        undefined,
        undefined,
        undefined,
        'no language (mark output as ```text)',
      ],
      [
        17,
        'B',
        'sh',
        'sh',
        undefined,
        undefined,
        undefined,
        'no-run without a reason (no-run: why)',
      ],
      [19, 'B', 'ts', 'ts', undefined, undefined, undefined, "unknown attribute 'norun'"],
      [21, 'B', 'text', 'other', undefined, undefined, undefined, undefined],
    ],
  );
  assert.equal(bs[1]!.code, '```ts');
  const ids = new Map([['a', bs[0]!]]);
  // The earlier block, then the imports hoisted, then the rest in a scope of its own.
  assert.equal(
    programOf(bs[2]!, ids),
    "import { x } from 'x';\nconst s = 1;\nimport { y } from 'y';\n{\nconst s = 2;\n}\n",
  );
  assert.throws(() => programOf({ ...bs[2]!, after: 'nope' }, ids), /no block has id=nope/);
});
