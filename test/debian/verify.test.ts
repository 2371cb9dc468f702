/**
 * `verifyDependencies` as a library call: the batch size changes how relations are
 * loaded, never the answer; bad options are `E_ARGUMENT`; malformed relation fields are
 * findings and the rest is still checked; apt's architecture-qualifier rule, case by
 * case. `verifyIndexFile` gives the same answers from a file. (More rules are checked on
 * hand-made indexes in test/cli and against the reference on the real index.)
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from 'leanrec';
import {
  debianPackages,
  readPackages,
  type Unsatisfied,
  type VerifyOptions,
  verifyDependencies,
  verifyIndexFile,
} from 'leanrec/debian';
import { isLeanrecError } from '../../src/errors.ts';
import { debianIndexPath, debianSkip } from '../helpers/debian-index.ts';
import { tempDir } from '../helpers/temp.ts';

const sample = new URL('../fixtures/Packages-sample.gz', import.meta.url).pathname;

test('every batch size gives the same unsatisfied groups; bad options are E_ARGUMENT', async () => {
  const dir = tempDir('verify');
  try {
    const store = await openStore(debianPackages, { path: join(dir, 'db') });
    const { written } = await store.ingest(readPackages(sample));
    const all = await verifyDependencies(store);
    assert.ok(all.length > 0, 'the sample is a slice of an index: some groups are unsatisfied');
    for (const batchSize of [1, 7, written - 1, written, written + 1, 100_000])
      assert.deepEqual(await verifyDependencies(store, { batchSize }), all, `batch ${batchSize}`);
    const recommends = await verifyDependencies(store, { fields: ['Recommends'] });
    assert.ok(recommends.every((u) => u.field === 'Recommends'));
    for (const options of [
      { batchSize: 0 },
      { batchSize: -3 },
      { batchSize: 1.5 },
      { batchSize: Number.NaN },
      { fields: ['Nope' as 'Depends'] },
    ]) {
      await assert.rejects(
        verifyDependencies(store, options),
        (err) => isLeanrecError(err, 'E_ARGUMENT'),
        JSON.stringify(options),
      );
    }
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A paragraph of a hand-made index. */
function pkg(name: string, arch: string, fields: Record<string, string> = {}, version = '1') {
  let s = `Package: ${name}\nVersion: ${version}\nArchitecture: ${arch}\n`;
  for (const [k, v] of Object.entries(fields)) s += `${k}: ${v}\n`;
  return s;
}

/**
 * The findings for the index `paragraphs`, from a store on disk (for each batch size)
 * and from the file: all must agree. Rejects as they do.
 */
async function verifyBoth(
  paragraphs: string[],
  options: VerifyOptions = {},
): Promise<Unsatisfied[]> {
  const dir = tempDir('verify');
  try {
    const file = join(dir, 'Packages');
    writeFileSync(file, paragraphs.join('\n'));
    const store = await openStore(debianPackages, { path: join(dir, 'db') });
    try {
      await store.ingest(readPackages(file));
      const found = await verifyDependencies(store, options);
      for (const batchSize of [1, 4])
        assert.deepEqual(await verifyDependencies(store, { ...options, batchSize }), found);
      const fromFile = await verifyIndexFile(file, options);
      assert.deepEqual(fromFile.findings, found, 'verifyIndexFile = verifyDependencies');
      assert.equal(fromFile.packages, store.size);
      return found;
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `package field group` of each finding, with `!` before a malformed one's group. */
function brief(found: Unsatisfied[]): string[] {
  return found.map(
    (u) => `${u.package} ${u.field} ${u.malformed === undefined ? '' : '!'}${u.group}`,
  );
}

test('a malformed relation field is a finding; its well-formed groups and the other fields are still checked', async () => {
  const paragraphs = Array.from({ length: 40 }, (_, i) =>
    pkg(`p${String(i).padStart(2, '0')}`, 'amd64', { Depends: i === 23 ? 'base (>= 1' : 'base' }),
  );
  paragraphs.push(
    pkg('base', 'amd64'),
    // the malformed group is in the middle: the groups after it are still checked
    pkg('q-resync', 'amd64', {
      'Pre-Depends': 'nothere',
      Depends: 'base, missing1, base (>>, missing2 (>= 1) | base (>= 2)',
    }),
    // two malformed groups: one finding for the field, naming the first
    pkg('r-two-bad', 'amd64', { Depends: 'base [amd64, missing3, base (= )' }),
    // an empty group is malformed; a trailing comma is not
    pkg('s-empty', 'amd64', { Depends: 'base,, missing4,' }),
    // a malformed Provides is reported (what it provides is partly lost); its
    // well-formed groups still provide
    pkg('t-provides', 'amd64', { Provides: 'virt1, (bad), virt2 (= 2)' }),
    pkg('u-uses-virt', 'amd64', { Depends: 'virt1, virt2 (>= 2), bad' }),
  );
  const found = await verifyBoth(paragraphs);
  assert.deepEqual(brief(found), [
    'p23 Depends !base (>= 1',
    'q-resync Depends !base (>>',
    'q-resync Depends missing1',
    'q-resync Depends missing2 (>= 1) | base (>= 2)',
    'q-resync Pre-Depends nothere',
    'r-two-bad Depends !base [amd64',
    'r-two-bad Depends missing3',
    's-empty Depends !',
    's-empty Depends missing4',
    't-provides Provides !(bad)',
    'u-uses-virt Depends bad',
  ]);
  const p23 = found[0]!;
  assert.deepEqual(
    { ...p23, malformed: undefined },
    {
      package: 'p23',
      version: '1',
      architecture: 'amd64',
      field: 'Depends',
      group: 'base (>= 1',
      malformed: undefined,
    },
  );
  assert.match(p23.malformed!, /Depends: unbalanced '\(' at column 6/);
  assert.match(
    found[1]!.malformed!,
    /Depends: .*column 22/,
    'the column counts in the whole field',
  );
  assert.match(found[7]!.malformed!, /empty relation/);
  // Unsatisfied groups carry no `malformed` member at all (deepEqual with older results).
  assert.ok(!Object.hasOwn(found[2]!, 'malformed'));
  // Provides is reported once even when it is also a checked field.
  const withProvides = await verifyBoth(paragraphs, { fields: ['Provides'] });
  assert.deepEqual(brief(withProvides), ['t-provides Provides !(bad)']);
});

test("apt's qualifier rule on an arm64 index: :any, :native, :arm64 stripped; a foreign qualifier needs that architecture", async () => {
  const found = await verifyBoth([
    pkg('g++', 'arm64', {}, '4:12.2.0-3'),
    pkg('perl', 'arm64', {}, '5.36.0-7'),
    pkg('provider', 'arm64', { Provides: 'virt, vver (= 2.0)' }),
    pkg('all-provider', 'all', { Provides: 'allvirt' }),
    // the case: g++-powerpc-linux-gnu is missing and g++:powerpc is foreign
    pkg('crossbuild-essential-powerpc', 'all', {
      Depends: 'g++-powerpc-linux-gnu (>= 4:10.2) | g++:powerpc, g++:arm64 (>= 4:10.2)',
    }),
    pkg('real-ok', 'arm64', {
      Depends: 'perl:any, perl:native (>= 5.36), perl:arm64, perl:any (>= 5.36)',
    }),
    pkg('real-foreign', 'arm64', {
      Depends: 'perl:amd64, perl:armhf (>= 1), perl:any (>= 6), perl:all',
    }),
    pkg('provides-ok', 'arm64', {
      Depends: 'virt:any, virt:native, virt:arm64, vver:arm64 (>= 2.0), allvirt:any, allvirt:arm64',
    }),
    pkg('provides-foreign', 'arm64', { Depends: 'virt:amd64, vver:i386 (>= 1), allvirt:armhf' }),
  ]);
  assert.deepEqual(brief(found), [
    'crossbuild-essential-powerpc Depends g++-powerpc-linux-gnu (>= 4:10.2) | g++:powerpc',
    'provides-foreign Depends virt:amd64',
    'provides-foreign Depends vver:i386 (>= 1)',
    'provides-foreign Depends allvirt:armhf',
    'real-foreign Depends perl:amd64',
    'real-foreign Depends perl:armhf (>= 1)',
    'real-foreign Depends perl:any (>= 6)',
    'real-foreign Depends perl:all',
  ]);
});

test('several architectures: the own one is an option (E_ARGUMENT without it); a foreign qualifier matches that architecture only', async () => {
  const index = [
    pkg('lib', 'arm64', {}, '3'),
    pkg('lib', 'armhf', {}, '1'),
    pkg('armhf-provider', 'armhf', { Provides: 'pv (= 5)' }),
    pkg('app', 'arm64', {
      Depends:
        'lib:armhf, lib:armhf (>= 2), lib:arm64 (>= 2), pv:armhf (>= 5), pv:s390x, pv:arm64, pv',
    }),
  ];
  await assert.rejects(
    verifyBoth(index),
    (err) =>
      isLeanrecError(err, 'E_ARGUMENT') &&
      err.field === 'architecture' &&
      /arm64, armhf/.test(err.message),
  );
  for (const architecture of ['', 'arm 64', 7 as unknown as string])
    await assert.rejects(verifyBoth(index, { architecture }), (err) =>
      isLeanrecError(err, 'E_ARGUMENT'),
    );
  // `pv` (and `pv:arm64`, stripped to it) is satisfied by the armhf provider: Multi-Arch
  // (which would refuse a foreign provider) is not modelled.
  assert.deepEqual(brief(await verifyBoth(index, { architecture: 'arm64' })), [
    'app Depends lib:armhf (>= 2)',
    'app Depends pv:s390x',
  ]);
  // Naming armhf as the own architecture turns the rule around.
  assert.deepEqual(brief(await verifyBoth(index, { architecture: 'armhf' })), [
    'app Depends pv:s390x',
    'app Depends pv:arm64',
  ]);
  // Only `all` packages: no own architecture, so every specific qualifier is foreign.
  assert.deepEqual(
    brief(
      await verifyBoth([
        pkg('x', 'all'),
        pkg('y', 'all', { Depends: 'x:any, x:native, x:amd64, x:all' }),
      ]),
    ),
    ['y Depends x:amd64'],
  );
});

test('verifyIndexFile: a bad architecture option is E_ARGUMENT before the file is read; errors name the file', async () => {
  const dir = tempDir('verify');
  try {
    // Not there: a check after reading (as before) would be E_IO.
    const missing = join(dir, 'no-such-Packages');
    for (const architecture of [5, '', 'arm 64', null])
      await assert.rejects(
        verifyIndexFile(missing, { architecture } as unknown as VerifyOptions),
        (err) => isLeanrecError(err, 'E_ARGUMENT') && err.field === 'architecture',
        JSON.stringify(architecture),
      );
    // A paragraph without Architecture: the mapping's error names the file, as the
    // parser's do (it said `<input>`).
    const noarch = join(dir, 'noarch-Packages');
    writeFileSync(noarch, 'Package: foo\nVersion: 1\n');
    for (const run of [
      () => verifyIndexFile(noarch),
      async () => {
        for await (const _ of readPackages(noarch));
      },
    ])
      await assert.rejects(
        run(),
        (err) =>
          isLeanrecError(err, 'E_PARSE') &&
          err.file === noarch &&
          err.message.includes(`${noarch}:1:`) &&
          err.message.includes('Architecture'),
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the pinned index from the file: its 6 unsatisfied groups, nothing malformed', {
  skip: debianSkip(),
  timeout: 120_000,
}, async () => {
  const { findings, packages } = await verifyIndexFile(debianIndexPath());
  assert.equal(packages, 63_440);
  assert.deepEqual(brief(findings), [
    'console-setup-freebsd Depends vidcontrol',
    'console-setup-freebsd Depends kbdcontrol',
    'webext-eas4tbsync Depends thunderbird (<= 1:128.x)',
    'webext-mailmindr Depends thunderbird (<= 1:129.x)',
    'webext-quicktext Depends thunderbird (<= 1:128.x)',
    'webext-tbsync Depends thunderbird (<= 1:128.x)',
  ]);
});
