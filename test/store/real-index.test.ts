/**
 * The real Debian bookworm main amd64 index (63,440 records) in a hot-only store, with a
 * wider hot schema than the shared test schema (source, sizes, Multi-Arch, the flags).
 * The index is read by the shared test reader (test/helpers/debian-index.ts: unset
 * `LEANREC_DEBIAN_PACKAGES` skips with a reason, a missing file fails), which is
 * independent of `leanrec/debian`, so this test exercises the store alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Infer, openStore, schema, t } from 'leanrec';
import {
  DEBIAN_RECORDS,
  type DebRecord,
  debianIndexPath,
  debianSkip,
  hotOf,
  readIndex,
} from '../helpers/debian-index.ts';

const Deb = schema({
  key: ['package', 'version', 'architecture'],
  hot: {
    package: t.string(),
    version: t.string(),
    architecture: t.enum([
      'amd64',
      'all',
      'arm64',
      'armel',
      'armhf',
      'i386',
      'mips64el',
      'ppc64el',
      's390x',
    ]),
    section: t.enum().optional(),
    priority: t.enum(['required', 'important', 'standard', 'optional', 'extra']).optional(),
    source: t.string().optional(),
    sourceVersion: t.string().optional(),
    installedSize: t.u32().optional(),
    size: t.u32(),
    multiArch: t.enum(['same', 'foreign', 'allowed', 'no']).optional(),
    essential: t.flag(),
    protected: t.flag(),
    important: t.flag(),
    buildEssential: t.flag(),
  },
});
type DebRec = Infer<typeof Deb>;

/** A record of the shared reader as a record of the wider schema. */
function toRecord(r: DebRecord): DebRec {
  // The shared reader's hot fields, and those of the wider schema from the paragraph.
  const p = new Map(r.fields);
  const rec = {
    ...hotOf(r),
    protected: p.get('Protected') === 'yes',
    important: p.get('Important') === 'yes',
    buildEssential: p.get('Build-Essential') === 'yes',
  } as DebRec;
  const source = p.get('Source');
  if (source !== undefined) {
    const m = /^(\S+)(?:\s+\((.+)\))?$/.exec(source);
    assert.ok(m, `bad Source: ${source}`);
    rec.source = m[1]!;
    if (m[2] !== undefined) rec.sourceVersion = m[2];
  }
  const installed = p.get('Installed-Size');
  if (installed !== undefined) rec.installedSize = Number(installed);
  const multiArch = p.get('Multi-Arch');
  if (multiArch !== undefined) rec.multiArch = multiArch as NonNullable<DebRec['multiArch']>;
  return rec;
}

test('the real Debian index: ingest, find every record, count like plain objects', {
  skip: debianSkip(),
}, async () => {
  const records = readIndex(debianIndexPath()).map(toRecord);
  assert.equal(records.length, DEBIAN_RECORDS);

  const store = await openStore(Deb, { cold: false });
  const res = await store.ingest(records, { batchSize: 4096 });
  assert.equal(res.inserted, DEBIAN_RECORDS);
  assert.equal(res.skipped, 0);
  assert.equal(store.size, DEBIAN_RECORDS);

  for (const r of records) {
    const v = store.get(r);
    assert.ok(v, `${r.package} ${r.version} ${r.architecture} not found`);
    assert.deepEqual(v.toObject(), r);
  }

  const countPlain = (pred: (r: DebRec) => boolean) => records.filter(pred).length;
  const required = countPlain((r) => r.priority === 'required');
  assert.ok(required > 0);
  assert.equal(store.count({ priority: 'required' }), required);
  const gamesAll = countPlain((r) => r.section === 'games' && r.architecture === 'all');
  assert.ok(gamesAll > 0);
  assert.equal(store.count({ section: 'games', architecture: 'all' }), gamesAll);
  assert.equal(
    store.count({ essential: true }),
    countPlain((r) => r.essential),
  );
  assert.equal(
    store.count({ installedSize: { gte: 100_000 } }),
    countPlain((r) => r.installedSize !== undefined && r.installedSize >= 100_000),
  );
  assert.equal(
    store.count({ multiArch: ['same', 'foreign'], protected: false }),
    countPlain((r) => (r.multiArch === 'same' || r.multiArch === 'foreign') && !r.protected),
  );
  const bash = [...store.where({ package: 'bash' })];
  assert.ok(bash.length >= 1 && bash.every((v) => v.essential && v.package === 'bash'));

  const mem = store.memory();
  assert.equal(
    mem.parts.reduce((s, p) => s + p.bytes, 0),
    mem.total,
  );
  await store.close();
});
