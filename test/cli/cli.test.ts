import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { leanrec, root } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const sample = join(root, 'examples/data/Packages.gz');

/** The paragraphs of deb822 text, each ending in one newline. */
function paragraphs(text: string): string[] {
  return text
    .split(/\n\n+/)
    .filter((p) => p.trim() !== '')
    .map((p) => `${p.replace(/\n+$/, '')}\n`);
}

/** The fields of a paragraph as a map (continuation lines joined). */
function fieldsOf(p: string): Map<string, string> {
  const m = new Map<string, string>();
  let last = '';
  for (const line of p.split('\n')) {
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') m.set(last, `${m.get(last)}\n${line}`);
    else {
      const c = line.indexOf(':');
      last = line.slice(0, c);
      m.set(last, line.slice(c + 1).trim());
    }
  }
  return m;
}

const tmp = tempDir('cli-test');
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('leanrec on the sample index', () => {
  const db = join(tmp, 'sample.db');
  const raw = paragraphs(gunzipSync(readFileSync(sample)).toString('utf8'));
  const plain = raw.map(fieldsOf);

  before(async () => {
    const r = await leanrec(['ingest', sample, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^records +${raw.length} `, 'm'));
    assert.match(r.stdout, /^records\/s +[\d,]+/m);
    assert.match(r.stdout, /^memory +[\d.]+ [KM]iB total/m);
    assert.match(r.stdout, /^hot +[\d.]+ [KM]iB/m);
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
  });

  test('get prints the original paragraph, byte for byte', async () => {
    for (const i of [0, Math.floor(raw.length / 2), raw.length - 1]) {
      const f = plain[i]!;
      const r = await leanrec([
        'get',
        db,
        f.get('Package')!,
        f.get('Version')!,
        f.get('Architecture')!,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, raw[i]);
    }
  });

  test('get without version prints every record of the package', async () => {
    const name = plain[1]!.get('Package')!;
    const expected = raw.filter((_, i) => plain[i]!.get('Package') === name);
    const r = await leanrec(['get', db, name]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, expected.join('\n'));
  });

  test('get of a missing package: one line on stderr, exit 1', async () => {
    const r = await leanrec(['get', db, 'no-such-package']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^leanrec: E_NOT_FOUND: [^\n]*no-such-package[^\n]*\n$/);
  });

  test('query --where/--count agrees with counts over plain objects', async () => {
    const count = (pred: (f: Map<string, string>) => boolean) => plain.filter(pred).length;
    const cases: [string[], number][] = [
      [['--where', 'section=games'], count((f) => f.get('Section') === 'games')],
      [
        ['-w', 'priority=optional', '-w', 'priority=extra'],
        count((f) => f.get('Priority') === 'optional' || f.get('Priority') === 'extra'),
      ],
      [
        ['--where', 'architecture=all', '--where', 'multiArch=foreign'],
        count((f) => f.get('Architecture') === 'all' && f.get('Multi-Arch') === 'foreign'),
      ],
      [['--where', 'essential=false'], count((f) => f.get('Essential') !== 'yes')],
      [
        ['--where', `Installed-Size=${plain[0]!.get('Installed-Size')}`],
        count((f) => f.get('Installed-Size') === plain[0]!.get('Installed-Size')),
      ],
      [[], plain.length],
    ];
    for (const [where, expected] of cases) {
      assert.ok(expected > 0 || where.length > 0);
      const r = await leanrec(['query', db, ...where, '--count']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${expected}\n`, where.join(' '));
    }
  });

  test('query lists "package version architecture" lines', async () => {
    const r = await leanrec(['query', db, '--where', 'section=games']);
    assert.equal(r.code, 0, r.stderr);
    const expected = plain
      .filter((f) => f.get('Section') === 'games')
      .map((f) => `${f.get('Package')} ${f.get('Version')} ${f.get('Architecture')}`);
    assert.deepEqual(r.stdout.split('\n').slice(0, -1).sort(), expected.sort());
  });

  test('stats prints a table of parts and totals', async () => {
    const r = await leanrec(['stats', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^part +kind +bytes +share$/m);
    assert.match(r.stdout, /^pool +pool +[\d,]+ +[\d.]+%$/m);
    assert.match(r.stdout, /^total +[\d,]+ +100\.0%$/m);
    assert.match(r.stdout, new RegExp(`^records ${raw.length};`, 'm'));
  });

  test('verify on the store and on the index file give the same lines', async () => {
    const a = await leanrec(['verify', db]);
    const b = await leanrec(['verify', sample]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(a.stdout, b.stdout);
    const n = a.stdout.split('\n').length - 1;
    assert.ok(n > 0);
    assert.match(a.stderr, new RegExp(`^${n.toLocaleString('en-US')} unsatisfied groups`));
  });

  test('a bad --where field is one E_ARGUMENT line, exit 2', async () => {
    const r = await leanrec(['query', db, '--where', 'nosuchfield=1']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^leanrec: E_ARGUMENT: .*nosuchfield[^\n]*\n$/);
    const cold = await leanrec(['query', db, '--where', 'maintainer=x']);
    assert.equal(cold.code, 2);
    assert.match(cold.stderr, /^leanrec: E_ARGUMENT: .*maintainer[^\n]*\n$/);
    const num = await leanrec(['query', db, '--where', 'size=big']);
    assert.equal(num.code, 2);
    assert.match(num.stderr, /^leanrec: [^\n]*size[^\n]*\n$/);
  });
});

describe('leanrec errors', () => {
  test('a missing database: one line, exit 1, nothing created', async () => {
    const missing = join(tmp, 'missing.db');
    for (const args of [
      ['get', missing, 'bash'],
      ['query', missing, '--count'],
      ['stats', missing],
      ['verify', missing],
    ]) {
      const r = await leanrec(args);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^leanrec: E_NOT_FOUND: [^\n]*missing\.db[^\n]*\n$/);
    }
    assert.ok(!readdirSync(tmp).includes('missing.db'));
  });

  test('usage errors exit 2 with one line', async () => {
    for (const args of [
      ['frobnicate'],
      ['query', '--nope'],
      ['ingest', sample],
      ['get', join(tmp, 'x')],
      ['verify', '--fields', 'Nope', sample],
    ]) {
      const r = await leanrec(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(
        r.stderr,
        /^leanrec: E_USAGE: [^\n]+\(see leanrec [^\n]*--help\)\n$/,
        args.join(' '),
      );
    }
  });

  test('--help for every command', async () => {
    const top = await leanrec(['--help']);
    assert.equal(top.code, 0);
    for (const c of ['ingest', 'get', 'query', 'verify', 'stats']) {
      assert.match(top.stdout, new RegExp(`^  ${c} `, 'm'));
      const r = await leanrec([c, '--help']);
      assert.equal(r.code, 0, c);
      assert.match(r.stdout, new RegExp(`^Usage: leanrec ${c} `));
    }
  });

  test('an unreadable index: one line, exit 3, the position said once', async () => {
    const bad = join(tmp, 'bad-Packages');
    writeFileSync(bad, 'Package: x\nno colon here\n');
    const r = await leanrec(['verify', bad]);
    assert.equal(r.code, 3);
    assert.match(
      r.stderr,
      /^leanrec: E_PARSE: [^\n]*bad-Packages:2:1: field line without a colon\n$/,
    );
  });

  test('a paragraph without Architecture: verify and ingest both name the file', async () => {
    const noarch = join(tmp, 'noarch-Packages');
    writeFileSync(noarch, 'Package: foo\nVersion: 1\nDepends: baz\n');
    const v = await leanrec(['verify', noarch]);
    assert.equal(v.code, 3);
    assert.match(v.stderr, /^leanrec: E_PARSE: [^\n]*noarch-Packages:1:[^\n]*Architecture/);
    const i = await leanrec(['ingest', noarch, '--db', join(tmp, 'noarch-db')]);
    assert.equal(i.code, 3);
    assert.match(i.stderr, /^leanrec: E_PARSE: [^\n]*noarch-Packages:1:[^\n]*Architecture/);
  });
});

/** A paragraph for a hand-made index. */
function pkg(name: string, fields: Record<string, string> = {}, version = '1', arch = 'amd64') {
  let s = `Package: ${name}\nVersion: ${version}\nArchitecture: ${arch}\n`;
  for (const [k, v] of Object.entries(fields)) s += `${k}: ${v}\n`;
  return s;
}

describe('leanrec verify on hand-made indexes', () => {
  const index = [
    pkg('base', {}, '1.0-1'),
    pkg('base', {}, '0.5', 'i386'),
    pkg('prov', { Provides: 'virt, vprov (= 3.0), unvprov' }),
    pkg('a-unversioned-real', { Depends: 'base' }),
    pkg('b-unversioned-provides', { Depends: 'virt' }),
    pkg('c-versioned-ok', { Depends: 'base (>= 1.0), base (<< 2), base (= 1.0-1), base (>> 0.5)' }),
    pkg('c-versioned-bad', { Depends: 'base (>> 1.0-1), base (<< 0.1)' }),
    pkg('d-versioned-provides-ok', { Depends: 'vprov (>= 2.0), vprov (= 3.0)' }),
    pkg('d-versioned-provides-bad', { Depends: 'vprov (>= 4)' }),
    pkg('d-unversioned-provides-not-enough', { Depends: 'unvprov (>= 1), unvprov' }),
    pkg('e-arch-qualifiers', {
      Depends: 'base:any, base:native (>= 1.0), base:amd64, virt:any, missing:any',
    }),
    pkg('f-alternatives-ok', { Depends: 'nothere | base (>= 1)' }),
    pkg('f-alternatives-bad', { Depends: 'nothere | alsonot (>= 1) | base (>= 9)' }),
    pkg('g-legacy', { Depends: 'base (< 1.0-1), base (> 1.0-1), base (< 0.4), base (> 1.1)' }),
    pkg('h-pre-depends', { 'Pre-Depends': 'base (>= 2), virt', Depends: 'base' }),
    pkg('i-continuation', { Depends: 'base,\n missing2\n  (>= 1)' }),
    pkg('j-recommends-only', { Recommends: 'missing3' }),
    pkg('k-foreign-qualifiers', {
      Depends: 'base:i386, base:i386 (>= 1), virt:i386, base:arm64, base:i386 (<< 1) | virt:arm64',
    }),
  ].join('\n');

  const expected = [
    'c-versioned-bad\t1\tamd64\tDepends\tbase (>> 1.0-1)',
    'c-versioned-bad\t1\tamd64\tDepends\tbase (<< 0.1)',
    'd-unversioned-provides-not-enough\t1\tamd64\tDepends\tunvprov (>= 1)',
    'd-versioned-provides-bad\t1\tamd64\tDepends\tvprov (>= 4)',
    'e-arch-qualifiers\t1\tamd64\tDepends\tmissing:any',
    'f-alternatives-bad\t1\tamd64\tDepends\tnothere | alsonot (>= 1) | base (>= 9)',
    'g-legacy\t1\tamd64\tDepends\tbase (< 0.4)',
    'g-legacy\t1\tamd64\tDepends\tbase (> 1.1)',
    'h-pre-depends\t1\tamd64\tPre-Depends\tbase (>= 2)',
    'i-continuation\t1\tamd64\tDepends\tmissing2 (>= 1)',
    'k-foreign-qualifiers\t1\tamd64\tDepends\tbase:i386 (>= 1)',
    'k-foreign-qualifiers\t1\tamd64\tDepends\tvirt:i386',
    'k-foreign-qualifiers\t1\tamd64\tDepends\tbase:arm64',
  ];

  test('prints exactly the unsatisfied groups, from a file and from a store', async () => {
    const dir = tempDir('cli-verify');
    const file = join(dir, 'Packages');
    writeFileSync(file, index);
    // amd64 and i386 packages: the own architecture must be named.
    const ambiguous = await leanrec(['verify', 'Packages'], { cwd: dir });
    assert.equal(ambiguous.code, 2);
    assert.equal(ambiguous.stdout, '');
    assert.match(ambiguous.stderr, /^leanrec: [^\n]*amd64, i386[^\n]*--arch[^\n]*\n$/);
    const r = await leanrec(['verify', 'Packages', '--arch', 'amd64'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, expected.map((l) => `${l}\n`).join(''));
    assert.equal(r.stderr, `${expected.length} unsatisfied groups in 18 packages\n`);
    assert.deepEqual(readdirSync(dir), ['Packages'], 'verify of a file writes nothing');

    const db = join(dir, 'db');
    assert.equal((await leanrec(['ingest', file, '--db', db])).code, 0);
    assert.equal((await leanrec(['verify', db])).code, 2);
    const s = await leanrec(['verify', db, '--arch', 'amd64']);
    assert.equal(s.stdout, r.stdout);
    const rec = await leanrec(['verify', db, '--fields', 'Recommends', '--arch', 'amd64']);
    assert.equal(rec.stdout, 'j-recommends-only\t1\tamd64\tRecommends\tmissing3\n');
  });

  test('malformed fields: a !malformed line each, counted on stderr, exit 3; the rest is still checked', async () => {
    const dir = tempDir('cli-verify-malformed');
    const file = join(dir, 'Packages');
    writeFileSync(
      file,
      [
        pkg('base'),
        pkg('bad', { 'Pre-Depends': 'missing0', Depends: 'foo (>>, base,\n missing1' }),
        pkg('bad-provides', { Provides: 'v1 (= )' }),
        pkg('fine', { Depends: 'base | nothing' }),
      ].join('\n'),
    );
    const expectedLines = [
      'bad\t1\tamd64\tDepends\t!malformed\tfoo (>>\tDepends: unbalanced \'(\' at column 5: "(>>"',
      'bad\t1\tamd64\tDepends\tmissing1',
      'bad\t1\tamd64\tPre-Depends\tmissing0',
      'bad-provides\t1\tamd64\tProvides\t!malformed\tv1 (= )\tProvides: missing version at column 7: "(= )"',
    ];
    const r = await leanrec(['verify', file]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, expectedLines.map((l) => `${l}\n`).join(''));
    assert.equal(r.stderr, '2 unsatisfied groups, 2 malformed fields in 4 packages\n');
    const db = join(dir, 'db');
    assert.equal((await leanrec(['ingest', file, '--db', db])).code, 0, 'ingest accepts them');
    const s = await leanrec(['verify', db]);
    assert.equal(s.code, 3);
    assert.equal(s.stdout, r.stdout);
    const one = await leanrec(['verify', db, '--fields', 'Pre-Depends']);
    assert.equal(one.code, 3, 'a malformed Provides counts whatever --fields says');
    assert.equal(one.stderr, '1 unsatisfied group, 1 malformed field in 4 packages\n');
  });

  test('get prints every record of a package, separated by blank lines', async () => {
    const dir = tempDir('cli-get');
    const file = join(dir, 'Packages.in');
    writeFileSync(file, index);
    const db = join(dir, 'db');
    assert.equal((await leanrec(['ingest', file, '--db', db])).code, 0);
    const r = await leanrec(['get', db, 'base']);
    assert.equal(r.stdout, `${pkg('base', {}, '1.0-1')}\n${pkg('base', {}, '0.5', 'i386')}`);
    const one = await leanrec(['get', db, 'base', '0.5']);
    assert.equal(one.stdout, pkg('base', {}, '0.5', 'i386'));
    const cont = await leanrec(['get', db, 'i-continuation', '1', 'amd64']);
    assert.equal(cont.stdout, pkg('i-continuation', { Depends: 'base,\n missing2\n  (>= 1)' }));
  });
});

describe('leanrec ingest of an index into a store that holds it', () => {
  test('replaces every record and compacts: the same hot bytes per record as the first ingest', async () => {
    const db = join(tempDir('cli-again'), 'pkgs.db');
    const hot = (stdout: string) => /^hot +.*\(([\d.]+) B\/record\)$/m.exec(stdout)?.[1];
    const first = await leanrec(['ingest', sample, '--db', db]);
    assert.equal(first.code, 0, first.stderr);
    const n = /^records +([\d,]+) /m.exec(first.stdout)![1]!;
    const again = await leanrec(['ingest', sample, '--db', db]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      new RegExp(`^records +${n} \\(0 new, ${n} replaced; ${n} in the store\\)`, 'm'),
    );
    // The replaced records' rows were freed (an atomic ingest alone leaves them as tombstones).
    assert.ok(hot(first.stdout) !== undefined);
    assert.equal(hot(again.stdout), hot(first.stdout));
    const stats = await leanrec(['stats', db]);
    assert.equal(stats.code, 0, stats.stderr);
    assert.match(
      stats.stdout,
      new RegExp(`hot ${hot(first.stdout)!.replace('.', '\\.')} B/record`),
    );
  });
});

describe('leanrec ingest of a truncated archive', () => {
  const fixture = join(root, 'test/fixtures/Packages-sample.gz');
  const dir = tempDir('cli-truncated');
  const cut = join(dir, 'Packages-cut.gz');
  // The sample's gzip stream cut at 40 %: its first records parse, then E_PARSE.
  const bytes = readFileSync(sample);
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
  const count = async (db: string) => {
    const r = await leanrec(['query', db, '--count']);
    assert.equal(r.code, 0, r.stderr);
    return Number(r.stdout.trim());
  };
  const start = async (db: string) => {
    assert.equal((await leanrec(['ingest', fixture, '--db', db])).code, 0);
    return count(db);
  };

  test('is all or nothing: the store keeps its records and count, exit 3', async () => {
    const db = join(dir, 'atomic.db');
    const before = await start(db);
    assert.ok(before > 0);
    const name = fieldsOf(paragraphs(gunzipSync(readFileSync(fixture)).toString('utf8'))[0]!).get(
      'Package',
    )!;
    const first = await leanrec(['get', db, name]);
    const r = await leanrec(['ingest', cut, '--db', db, '--batch-size', '10']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^leanrec: E_PARSE: [^\n]*Packages-cut\.gz[^\n]*\n$/);
    assert.doesNotMatch(r.stderr, /written before the error/);
    assert.match(
      r.stderr,
      /atomic ingest undone: the \d+ records staged before the error were dropped/,
    );
    assert.equal(await count(db), before);
    const again = await leanrec(['get', db, name]);
    assert.equal(again.stdout, first.stdout);
  });

  test('--no-atomic keeps the batches written before the error and says how many', async () => {
    const db = join(dir, 'plain.db');
    const before = await start(db);
    const r = await leanrec(['ingest', cut, '--db', db, '--batch-size', '10', '--no-atomic']);
    assert.equal(r.code, 3);
    const m =
      /E_PARSE: .*\((\d+) records written before the error; they stay in the store\)\n$/.exec(
        r.stderr,
      );
    assert.ok(m, r.stderr);
    const written = Number(m[1]);
    assert.ok(written >= 10 && written % 10 === 0, `${written} records, whole batches`);
    assert.ok((await count(db)) > before);
  });
});
