/**
 * The examples run on the committed sample index (examples/data/Packages.gz), and print
 * the figures of that index: each figure is computed here again from the file, with the
 * test's own deb822 reader (test/helpers/debian-index.ts) and a plain dependency check
 * (below), not with `leanrec/debian`; only dpkg's version order is borrowed
 * (`compareVersions`, tested against hand-checked cases in test/debian/version.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { compareVersions } from 'leanrec/debian';
import { root, runTs } from './helpers/cli.ts';
import { readIndex } from './helpers/debian-index.ts';

const SAMPLE = join(root, 'examples/data/Packages.gz');
const paragraphs = readIndex(SAMPLE).map((r) => new Map(r.fields));
const text = gunzipSync(readFileSync(SAMPLE)).toString('utf8');
const rawParagraphs = text.split(/\n\n+/).filter((p) => p.trim() !== '');
const field = (p: Map<string, string>, name: string) => p.get(name);
const count = (pred: (p: Map<string, string>) => boolean) => paragraphs.filter(pred).length;

/** Version constraint `op ver` holds for `have`. */
function fits(have: string, op: string, want: string): boolean {
  const c = compareVersions(have, want);
  return op === '>='
    ? c >= 0
    : op === '<='
      ? c <= 0
      : op === '>>'
        ? c > 0
        : op === '<<'
          ? c < 0
          : c === 0;
}

/**
 * Pre-Depends and Depends groups of the index that nothing in it satisfies: no package of
 * that name (architecture qualifiers dropped) in a fitting version, and no Provides of it
 * (a versioned constraint needs a versioned Provides that fits).
 */
function unsatisfiedGroups(): string[] {
  const versions = new Map<string, string[]>();
  const provides = new Map<string, (string | undefined)[]>();
  for (const p of paragraphs) {
    const name = field(p, 'Package')!;
    versions.set(name, [...(versions.get(name) ?? []), field(p, 'Version')!]);
    for (const item of (field(p, 'Provides') ?? '').split(',')) {
      const m = /^\s*([^\s(:]+)(?::\S+)?\s*(?:\(\s*=\s*([^)\s]+)\s*\))?\s*$/.exec(item);
      if (m) provides.set(m[1]!, [...(provides.get(m[1]!) ?? []), m[2]]);
    }
  }
  const out: string[] = [];
  // In the paragraph's order of fields, as verify reports them.
  for (const p of paragraphs)
    for (const [f, value] of p) {
      if (f !== 'Pre-Depends' && f !== 'Depends') continue;
      for (const group of value.split(',').map((g) => g.trim().replace(/\s+/g, ' '))) {
        const ok = group.split('|').some((alt) => {
          const m = /^\s*([^\s(:[]+)(?::\S+)?\s*(?:\(\s*(<<|<=|=|>=|>>)\s*([^)\s]+)\s*\))?/.exec(
            alt,
          );
          assert.ok(m, `${field(p, 'Package')} ${f}: ${alt}`);
          const [, name, op, ver] = m;
          const real = (versions.get(name!) ?? []).some(
            (v) => op === undefined || fits(v, op, ver!),
          );
          const virtual = (provides.get(name!) ?? []).some(
            (pv) => op === undefined || (pv !== undefined && fits(pv, op, ver!)),
          );
          return real || virtual;
        });
        if (!ok) out.push(`${field(p, 'Package')} ${f}: ${group}`);
      }
    }
  return out;
}

async function run(file: string, args: string[] = []): Promise<string[]> {
  const r = await runTs(`examples/${file}`, args, { timeout: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n');
}

test('examples/debian-index.ts prints the figures of the sample index', async () => {
  const out = await run('debian-index.ts');
  const first = paragraphs[0]!;
  const name = field(first, 'Package')!;
  const depends = field(first, 'Depends') ?? '';
  const unsatisfied = unsatisfiedGroups();
  const expected = [
    `${paragraphs.length} packages from ${SAMPLE}`,
    `${name} ${field(first, 'Version')} ${field(first, 'Architecture')}: section ${field(first, 'Section')}, ${field(first, 'Size')} bytes`,
    `description: ${field(first, 'Description')!.split('\n')[0]}`,
    `paragraph: ${rawParagraphs[0]!.split('\n').length} lines, ${Buffer.byteLength(`${rawParagraphs[0]}\n`)} bytes`,
    `depends on ${depends === '' ? 0 : depends.split(',').length} groups`,
    '1.0~rc1 < 1.0: true',
    `optional: ${count((p) => field(p, 'Priority') === 'optional')}, games: ${count((p) => field(p, 'Section') === 'games')}`,
    `over 10 MB: ${count((p) => Number(field(p, 'Size')) > 10_000_000)}`,
    `arch all + Multi-Arch: foreign: ${count((p) => field(p, 'Architecture') === 'all' && field(p, 'Multi-Arch') === 'foreign')}`,
    `${unsatisfied.length} unsatisfied dependency groups (a sample index lacks most targets)`,
    ...unsatisfied.slice(0, 3).map((u) => `  ${u}`),
  ];
  assert.deepEqual(out.slice(0, expected.length), expected);
  const hot = /^hot tier: ([\d.]+) KiB for (\d+) records$/.exec(out[expected.length]!);
  assert.ok(hot, out[expected.length]);
  assert.equal(Number(hot[2]), paragraphs.length);
  // The hot tier's bytes are the store's own figure: a sane size per record, not a recount.
  const perRecord = (Number(hot[1]) * 1024) / paragraphs.length;
  assert.ok(perRecord > 16 && perRecord < 400, `${perRecord} B per record`);
});

test('examples/quickstart.ts (npm start) prints the figures of the index it reads', async () => {
  const out = (await run('quickstart.ts', [SAMPLE])).join('\n');
  const n = paragraphs.length;
  assert.match(out, new RegExp(`^${n} packages in [\\d.]+ s \\(\\d+ records/s\\)`, 'm'));
  assert.match(out, new RegExp(`plain objects heap\\+external .*\\(${n} records\\)`));
  const essential = paragraphs.filter((p) => field(p, 'Essential') === 'yes');
  assert.match(out, new RegExp(`^essential: ${essential.length} packages`, 'm'));
  // The five largest, with the first line of their description.
  const largest = [...paragraphs]
    .sort((a, b) => Number(field(b, 'Size')) - Number(field(a, 'Size')))
    .slice(0, 5)
    .map(
      (p) =>
        `  ${field(p, 'Package')!.padEnd(32)} ${(Number(field(p, 'Size')) / 1e6).toFixed(1).padStart(6)} MB  ${field(p, 'Description')!.split('\n')[0]}`,
    );
  assert.ok(
    out.includes(`largest packages (descriptions from the cold tier):\n${largest.join('\n')}\n`),
    out,
  );
  const priorities = [
    ...new Set(paragraphs.map((p) => field(p, 'Priority')).filter((p) => p !== undefined)),
  ]
    .sort()
    .map((p) => `${p} ${count((q) => field(q, 'Priority') === p)}`);
  assert.match(out, new RegExp(`^per priority: ${priorities.join(', ')}$`, 'm'));
  const unsatisfied = unsatisfiedGroups();
  assert.match(out, /unsatisfied groups in/);
  assert.ok(
    out.includes(`verify (Pre-Depends, Depends): ${unsatisfied.length} unsatisfied groups`),
    out,
  );
  assert.ok(out.includes(`… and ${unsatisfied.length - 5} more`), out);
});

test('examples/property-test.ts reports its runs and the refused records', async () => {
  const out = await run('property-test.ts');
  const held = /^round trip held for (\d+) packages over (\d+) runs/.exec(out[0]!);
  assert.ok(held, out[0]);
  assert.equal(Number(held[2]), 10);
  assert.ok(Number(held[1]) > 0 && Number(held[1]) <= 10 * 30, held[1]);
  assert.equal(out[1], '50 packages with one wrong field each were refused, naming the field');
});
