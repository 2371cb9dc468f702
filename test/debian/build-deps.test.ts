import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openStore } from 'leanrec';
import { debianSources, readSources, verifyBuildDependencies } from 'leanrec/debian';
import { openInput } from '../../src/debian/input.ts';
import { archListAdmits, archMatches, profilesAdmit } from '../../src/debian/restrictions.ts';
import { debianIndexPath, debianSkip } from '../helpers/debian-index.ts';
import { debianSourcesPath } from '../helpers/debian-sources.ts';
import { tempDir } from '../helpers/temp.ts';

const tmp = tempDir('build-deps');
after(() => rmSync(tmp, { recursive: true, force: true }));

test('architecture wildcards match as dpkg-architecture does', () => {
  const cases: [string, string, boolean][] = [
    ['amd64', 'amd64', true],
    ['amd64', 'i386', false],
    ['amd64', 'any', true],
    ['amd64', 'linux-any', true],
    ['amd64', 'any-amd64', true],
    ['amd64', 'any-i386', false],
    ['amd64', 'gnu-linux-any', true],
    ['amd64', 'musl-linux-any', false],
    ['amd64', 'kfreebsd-any', false],
    ['armhf', 'any-arm', true],
    ['armel', 'any-arm', true],
    ['arm64', 'any-arm', false],
    ['armhf', 'eabihf-any-any-any', true],
    ['armel', 'eabihf-any-any-any', false],
    ['x32', 'any-amd64', true],
    ['kfreebsd-amd64', 'linux-any', false],
    ['kfreebsd-amd64', 'kfreebsd-any', true],
    ['kfreebsd-amd64', 'any-amd64', true],
    ['hurd-i386', 'hurd-any', true],
    ['hurd-i386', 'any-i386', true],
    ['musl-linux-arm64', 'musl-linux-any', true],
    ['musl-linux-arm64', 'linux-any', true],
    ['musl-linux-arm64', 'any-arm64', true],
  ];
  for (const [arch, term, want] of cases)
    assert.equal(archMatches(arch, term), want, `${arch} ${term}`);
  assert.equal(archListAdmits(['amd64', 'i386'], 'amd64'), true);
  assert.equal(archListAdmits(['i386', 'arm64'], 'amd64'), false);
  assert.equal(archListAdmits(['!amd64'], 'amd64'), false);
  assert.equal(archListAdmits(['!i386', '!hurd-any'], 'amd64'), true);
  assert.equal(archListAdmits(['linux-any', '!amd64'], 'amd64'), false);
  assert.equal(archListAdmits(undefined, 'amd64'), true);
});

test('build-profile formulas: groups are alternatives, terms within one all hold', () => {
  const none = new Set<string>();
  const nocheck = new Set(['nocheck']);
  const stage1cross = new Set(['stage1', 'cross']);
  assert.equal(profilesAdmit([['!nocheck']], none), true);
  assert.equal(profilesAdmit([['!nocheck']], nocheck), false);
  assert.equal(profilesAdmit([['nocheck']], none), false);
  assert.equal(profilesAdmit([['stage1', 'cross']], new Set(['stage1'])), false);
  assert.equal(profilesAdmit([['stage1', 'cross']], stage1cross), true);
  assert.equal(profilesAdmit([['stage1'], ['cross']], new Set(['cross'])), true);
  assert.equal(profilesAdmit([['!stage1', '!nocheck']], nocheck), false);
  assert.equal(profilesAdmit(undefined, nocheck), true);
});

describe('verifyBuildDependencies on hand-made indexes', () => {
  const pkg = (name: string, more = '', arch = 'amd64', version = '1') =>
    `Package: ${name}\nVersion: ${version}\nArchitecture: ${arch}\n${more}`;
  const packages = join(tmp, 'Packages');
  writeFileSync(
    packages,
    [
      pkg('base', '', 'amd64', '1.5'),
      pkg('prov', 'Provides: virt, vver (= 2)\n'),
      pkg('ess', 'Essential: yes\n'),
      pkg('be', 'Build-Essential: yes\n', 'all'),
      pkg('other'),
    ].join('\n'),
  );
  const src = (name: string, fields: string, arch = 'any') =>
    `Package: ${name}\nBinary: ${name}\nVersion: 1\nArchitecture: ${arch}\nFormat: 3.0 (quilt)\n${fields}`;
  const sources = join(tmp, 'Sources');
  writeFileSync(
    sources,
    [
      src('a-plain', 'Build-Depends: base, missing\n'),
      src(
        'b-arch-lists',
        'Build-Depends: m1 [i386], m2 [!amd64], m3 [linux-any], m4 [kfreebsd-any], m5 [any-amd64]\n',
      ),
      src(
        'c-profiles',
        'Build-Depends: p1 <!nocheck>, p2 <stage1 cross>, p3 <stage1> <cross>, p4 <!stage1 !nocheck>\n',
      ),
      src(
        'd-versions',
        'Build-Depends: base (>= 2), base (>= 1), virt, vver (>= 2), vver (>> 2), base:native, base:any\n',
      ),
      src('e-alternatives', 'Build-Depends: missing | base, missing [amd64] | gone\n'),
      src('f-arch-indep', 'Build-Depends-Arch: q1\nBuild-Depends-Indep: q2, base\n'),
      src(
        'g-conflicts',
        'Build-Depends: base\nBuild-Conflicts: ess, be, base, other, base [i386], base (>= 9)\nBuild-Conflicts-Indep: ess <nocheck>\n',
      ),
      src('h-not-built-here', 'Build-Depends: missing\n', 'i386 arm64'),
      src('i-malformed', 'Build-Depends: base (>=, missing\n'),
      src('j-all', 'Build-Depends: missing-all\n', 'all'),
    ].join('\n'),
  );
  const lines = (found: Awaited<ReturnType<typeof verifyBuildDependencies>>) =>
    found.map(
      (u) =>
        `${u.package} ${u.field} ${u.malformed === undefined ? u.group : `!malformed ${u.group}`}`,
    );

  test('each restriction and profile form, versions, Provides, conflicts (amd64, no profiles)', async () => {
    const found = await verifyBuildDependencies(sources, packages, { arch: 'amd64' });
    assert.ok(found.every((u) => u.architecture === 'amd64'));
    assert.deepEqual(lines(found), [
      'a-plain Build-Depends missing',
      'b-arch-lists Build-Depends m3 [linux-any]',
      'b-arch-lists Build-Depends m5 [any-amd64]',
      'c-profiles Build-Depends p1 <!nocheck>',
      'c-profiles Build-Depends p4 <!stage1 !nocheck>',
      'd-versions Build-Depends base (>= 2)',
      'd-versions Build-Depends vver (>> 2)',
      'e-alternatives Build-Depends missing [amd64] | gone',
      'f-arch-indep Build-Depends-Arch q1',
      'f-arch-indep Build-Depends-Indep q2',
      'g-conflicts Build-Conflicts ess',
      'g-conflicts Build-Conflicts be',
      'g-conflicts Build-Conflicts base',
      'i-malformed Build-Depends !malformed base (>=',
      'i-malformed Build-Depends missing',
      'j-all Build-Depends missing-all',
    ]);
  });

  test('profiles and another architecture change what applies', async () => {
    const found = await verifyBuildDependencies(sources, packages, {
      arch: 'amd64',
      profiles: ['nocheck', 'stage1', 'cross'],
    });
    const c = lines(found).filter((l) => /^[cg]-/.test(l));
    assert.deepEqual(c, [
      'c-profiles Build-Depends p2 <stage1 cross>',
      'c-profiles Build-Depends p3 <stage1> <cross>',
      'g-conflicts Build-Conflicts ess',
      'g-conflicts Build-Conflicts be',
      'g-conflicts Build-Conflicts base',
      'g-conflicts Build-Conflicts-Indep ess <nocheck>',
    ]);
    const i386 = lines(await verifyBuildDependencies(sources, packages, { arch: 'i386' }));
    assert.ok(i386.includes('b-arch-lists Build-Depends m1 [i386]'));
    assert.ok(i386.includes('b-arch-lists Build-Depends m2 [!amd64]'));
    assert.ok(!i386.some((l) => l.startsWith('b-arch-lists Build-Depends m5')));
    assert.ok(i386.includes('h-not-built-here Build-Depends missing'));
  });

  test('a Sources store gives what its file gives', async () => {
    const store = await openStore(debianSources);
    await store.ingest(readSources(sources));
    const a = await verifyBuildDependencies(store, packages, { arch: 'amd64' });
    const b = await verifyBuildDependencies(sources, packages, { arch: 'amd64' });
    assert.deepEqual(a, b);
    await store.close();
  });
});

test('the real Sources excerpt against the real amd64 Packages index', {
  skip: debianSkip(),
}, async () => {
  const found = await verifyBuildDependencies(debianSourcesPath(), debianIndexPath(), {
    arch: 'amd64',
  });
  // Every finding is a group of a source of the excerpt, as written there.
  const chunks: Uint8Array[] = [];
  for await (const c of openInput(debianSourcesPath())) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  assert.ok(found.length > 0 && found.length < 100, `${found.length} findings`);
  for (const u of found) {
    const para = text.split('\n\n').find((p) => p.startsWith(`Package: ${u.package}\n`));
    assert.ok(para?.includes(u.group.split(' ')[0]!), `${u.package}: ${u.group}`);
  }
  // doxygen's clang-11 toolchain is restricted to architectures amd64 is one of, and
  // bookworm has no LLVM 11: unsatisfied.
  assert.ok(
    found.some((u) => u.package === 'doxygen' && u.group.startsWith('llvm-11-dev [amd64 ')),
  );
});
