/**
 * The real Debian index (set LEANREC_DEBIAN_PACKAGES to bookworm main amd64's
 * Packages.gz; `.ci/run` does): every paragraph goes into an on-disk store and comes back
 * byte for byte after a reopen, and `verifyDependencies` agrees with a reference
 * implementation written here over plain objects.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { openStore } from 'leanrec';
import {
  compareVersions,
  debianPackages,
  parseDeb822,
  readPackages,
  toDeb822,
  type Unsatisfied,
  verifyDependencies,
} from 'leanrec/debian';
import { openInput } from '../../src/debian/input.ts';
import { serializeParagraph } from '../../src/debian/serialize.ts';
import { tempDir } from '../helpers/temp.ts';

const file = process.env['LEANREC_DEBIAN_PACKAGES'];
const skip = file === undefined || file === '' ? 'LEANREC_DEBIAN_PACKAGES is not set' : false;

/** The decompressed text of `path`, split into paragraphs (each ending in one newline). */
async function rawParagraphs(path: string): Promise<string[]> {
  const chunks: Uint8Array[] = [];
  for await (const c of openInput(path)) chunks.push(c);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split('\n\n')
    .filter((p) => p.trim() !== '')
    .map((p) => `${p.replace(/\n+$/, '')}\n`);
}

// ── reference verify: plain objects, a regex per alternative, compareVersions ──────────

const ALT =
  /^([A-Za-z0-9][A-Za-z0-9+.\-_]*)(?::[A-Za-z0-9-]+)?\s*(?:\(\s*(<<|<=|>=|>>|=|<|>)\s*([^\s()]+)\s*\))?\s*(?:\[[^\]]*\]\s*)?(?:<[^>]*>\s*)*$/;

interface Alt {
  name: string;
  op?: string;
  version?: string;
}

function parseAlt(text: string): Alt {
  const m = ALT.exec(text.trim());
  assert.ok(m !== null, `reference parser: cannot read ${JSON.stringify(text)}`);
  return m[2] === undefined ? { name: m[1]! } : { name: m[1]!, op: m[2], version: m[3]! };
}

function holds(have: string, op: string, want: string): boolean {
  const c = compareVersions(have, want);
  switch (op) {
    case '<<':
      return c < 0;
    case '<=':
    case '<':
      return c <= 0;
    case '=':
      return c === 0;
    case '>=':
    case '>':
      return c >= 0;
    case '>>':
      return c > 0;
  }
  throw new Error(`bad op ${op}`);
}

function groupsOf(text: string): string[] {
  return text
    .split(',')
    .map((g) => g.replace(/\s+/g, ' ').trim())
    .filter((g) => g !== '');
}

function referenceVerify(pkgs: Record<string, string>[]): Unsatisfied[] {
  const real = new Map<string, string[]>();
  const provided = new Map<string, (string | null)[]>();
  for (const p of pkgs) {
    const name = p['Package']!;
    if (!real.has(name)) real.set(name, []);
    real.get(name)!.push(p['Version']!);
    for (const g of groupsOf(p['Provides'] ?? ''))
      for (const a of g.split('|').map(parseAlt)) {
        if (!provided.has(a.name)) provided.set(a.name, []);
        provided.get(a.name)!.push(a.op === '=' ? a.version! : null);
      }
  }
  const ok = (a: Alt): boolean => {
    const versions = real.get(a.name) ?? [];
    const prov = provided.get(a.name) ?? [];
    if (a.op === undefined) return versions.length > 0 || prov.length > 0;
    return (
      versions.some((v) => holds(v, a.op!, a.version!)) ||
      prov.some((v) => v !== null && holds(v, a.op!, a.version!))
    );
  };
  const out: Unsatisfied[] = [];
  for (const p of pkgs)
    for (const field of ['Pre-Depends', 'Depends'])
      for (const g of groupsOf(p[field] ?? ''))
        if (!g.split('|').map(parseAlt).some(ok))
          out.push({
            package: p['Package']!,
            version: p['Version']!,
            architecture: p['Architecture']!,
            field,
            group: g,
          });
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort(
    (a, b) =>
      cmp(a.package, b.package) ||
      cmp(a.version, b.version) ||
      cmp(a.architecture, b.architecture) ||
      cmp(a.field, b.field),
  );
}

// ── the test ───────────────────────────────────────────────────────────────────────────

test('the real index: every paragraph back byte for byte after reopen; verify = reference', {
  skip,
  timeout: 90_000,
}, async () => {
  assert.ok(existsSync(file!), `LEANREC_DEBIAN_PACKAGES=${file}: no such file`);
  const dir = tempDir('real');
  try {
    const first = await openStore(debianPackages, { path: dir });
    const { inserted } = await first.ingest(readPackages(file!));
    assert.equal(inserted, 63_440);
    await first.close();

    const raw = await rawParagraphs(file!);
    assert.equal(raw.length, 63_440);
    const store = await openStore(debianPackages, { path: dir });
    try {
      assert.equal(store.size, 63_440);
      const plain: Record<string, string>[] = [];
      let i = 0;
      for await (const p of parseDeb822(file!)) {
        const o = Object.fromEntries(p.fields);
        plain.push(o);
        const expected = raw[i]!;
        assert.equal(serializeParagraph(p.fields), expected, `paragraph ${i} (line ${p.line})`);
        const key = {
          package: o['Package']!,
          version: o['Version']!,
          architecture: o['Architecture']!,
        };
        const view = store.get(key);
        assert.ok(view !== undefined, `missing after reopen: ${JSON.stringify(key)}`);
        const text = toDeb822(view.record());
        if (text !== expected) assert.equal(text, expected, `record ${i} (line ${p.line})`);
        i++;
      }
      assert.equal(i, 63_440);

      const got = await verifyDependencies(store);
      const want = referenceVerify(plain);
      assert.deepEqual(got, want);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
