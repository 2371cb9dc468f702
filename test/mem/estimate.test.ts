/**
 * `estimate()` against `store.memory()`: two synthetic schemas ingested into hot-only
 * stores, the real Debian index (gated by `LEANREC_DEBIAN_PACKAGES`: unset skips, set to
 * a missing file fails), and the `leanrec estimate` command.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { type AnySchema, openStore, schema, t } from 'leanrec';
import { debianPackages, readPackages } from 'leanrec/debian';
import { type EstimateOptions, estimate, type FieldFigures } from 'leanrec/mem';
import { leanrecOk } from '../helpers/cli.ts';

const TOLERANCE = 0.15;

/** Ingests `records` into a hot-only store, returns estimate / memory().total. */
async function compare(
  S: AnySchema,
  records: object[],
  options: EstimateOptions,
  label: string,
): Promise<number> {
  const store = await openStore(S, { cold: false });
  try {
    await store.ingest(records, { batchSize: 4096 });
    const m = store.memory();
    assert.equal(m.records, records.length);
    const e = estimate(S, options);
    const ratio = e.total / m.total;
    console.log(
      `${label}: estimate ${e.total} B, memory().total ${m.total} B, ratio ${ratio.toFixed(4)}`,
    );
    assert.ok(
      Math.abs(ratio - 1) <= TOLERANCE,
      `${label}: estimate ${e.total} vs ${m.total} (ratio ${ratio.toFixed(3)})\n${e.parts
        .map((p) => `  ${p.name} ${p.bytes} = ${p.formula}`)
        .join('\n')}`,
    );
    for (const p of e.parts) assert.ok(p.formula.length > 0 && Number.isFinite(p.bytes), p.name);
    return ratio;
  } finally {
    await store.close();
  }
}

/** Distinct count and average UTF-8 bytes of the distinct strings of each field. */
function figuresOf(records: readonly Record<string, unknown>[], fields: readonly string[]) {
  const out: Record<string, FieldFigures> = {};
  for (const f of fields) {
    const seen = new Set<string>();
    for (const r of records) {
      const v = r[f];
      if (typeof v === 'string' && v !== '') seen.add(v);
      else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string' && x) seen.add(x);
    }
    let bytes = 0;
    for (const s of seen) bytes += Buffer.byteLength(s);
    out[f] = { distinct: seen.size, avgBytes: seen.size ? bytes / seen.size : 0 };
  }
  return out;
}

test('string-heavy schema, 100k records: within 15 % of memory().total', async () => {
  const S = schema({
    key: ['name'],
    hot: {
      name: t.string(),
      version: t.string(),
      maintainer: t.string(),
      homepage: t.string().optional(),
      size: t.u32(),
    },
  });
  const N = 100_000;
  const records = [];
  for (let i = 0; i < N; i++) {
    const rec: Record<string, unknown> = {
      name: `package-${i.toString(36)}-lib`, // 100k distinct
      version: `${i % 5000}.${i % 7}-${i % 3}`, // ≤ 5000 × … distinct
      maintainer: `Maintainer Number ${i % 2000} <m${i % 2000}@example.org>`, // 2000 distinct
      size: i * 13,
    };
    if (i % 2 === 0) rec.homepage = `https://example.org/projects/${i}`; // 50k distinct
    records.push(rec);
  }
  const perField = figuresOf(records, ['name', 'version', 'maintainer', 'homepage']);
  await compare(S, records, { records: N, perField }, 'string-heavy 100k (perField)');
  // Global figures only: distinct strings across all fields and their average size.
  const all = new Set<string>();
  let bytes = 0;
  for (const r of records)
    for (const f of ['name', 'version', 'maintainer', 'homepage']) {
      const v = r[f];
      if (typeof v === 'string' && !all.has(v)) {
        all.add(v);
        bytes += Buffer.byteLength(v);
      }
    }
  await compare(
    S,
    records,
    { records: N, distinctStrings: all.size, avgStringBytes: bytes / all.size },
    'string-heavy 100k (global)',
  );
});

test('enums, flags, numbers, optional fields and lists, 50k records: within 15 %', async () => {
  const S = schema({
    key: ['id'],
    hot: {
      id: t.u32(),
      arch: t.enum(['amd64', 'arm64', 'i386', 'all']),
      section: t.enum().optional(),
      essential: t.flag(),
      important: t.flag(),
      score: t.f64(),
      small: t.u8().optional(),
      ratio: t.f32(),
      delta: t.i32().optional(),
      digest: t.hex(16),
      tags: t.list(t.string()).optional(),
      counts: t.list(t.u16()),
      label: t.string().optional(),
    },
  });
  const N = 50_000;
  const records = [];
  let tagItems = 0;
  let countItems = 0;
  for (let i = 0; i < N; i++) {
    const rec: Record<string, unknown> = {
      id: i,
      arch: ['amd64', 'arm64', 'i386', 'all'][i % 4],
      essential: i % 97 === 0,
      important: i % 3 === 0,
      score: i / 7,
      ratio: i / 3,
      digest: (i * 2654435761).toString(16).padStart(32, '0').slice(-32),
      counts: Array.from({ length: i % 5 }, (_, k) => k + i),
    };
    countItems += i % 5;
    if (i % 3 !== 0) rec.section = `section-${i % 40}`;
    if (i % 4 === 0) rec.small = i % 256;
    if (i % 5 !== 0) rec.delta = -i;
    if (i % 2 === 0) {
      const tags = Array.from({ length: 1 + (i % 4) }, (_, k) => `tag::${(i + k) % 300}`);
      tagItems += tags.length;
      rec.tags = tags;
    }
    if (i % 10 === 0) rec.label = `label ${i}`;
    records.push(rec);
  }
  const perField: Record<string, FieldFigures> = {
    ...figuresOf(records, ['tags', 'label', 'section']),
  };
  perField.tags = { ...perField.tags, avgItems: tagItems / N };
  perField.counts = { avgItems: countItems / N };
  await compare(S, records, { records: N, perField }, 'mixed 50k');
});

test('the real Debian index (debianPackages, cold: false): within 15 %', async (t) => {
  const path = process.env.LEANREC_DEBIAN_PACKAGES;
  if (path === undefined) {
    t.skip('LEANREC_DEBIAN_PACKAGES is not set');
    return;
  }
  assert.ok(existsSync(path), `LEANREC_DEBIAN_PACKAGES=${path} does not exist`);
  const records: Record<string, unknown>[] = [];
  for await (const r of readPackages(path)) records.push(r as unknown as Record<string, unknown>);
  const hotStrings = debianPackages.hotFields
    .filter((f) => f.field.kind === 'string' || f.field.kind === 'enum')
    .map((f) => f.name);
  const perField = figuresOf(records, hotStrings);
  await compare(
    debianPackages as unknown as AnySchema,
    records,
    { records: records.length, perField },
    `debian ${records.length}`,
  );
});

test('leanrec estimate --records 63440 prints the parts and a total', async () => {
  const stdout = await leanrecOk(['estimate', '--records', '63440']);
  assert.match(stdout, /^total\s+[\d,]+/m);
  assert.match(stdout, /column:package/);
  assert.match(stdout, /4 B × 63,456 rows/); // 63,440 rounded up to whole 32-row words
});
