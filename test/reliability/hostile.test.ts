/**
 * Hostile input: names that are also `Object.prototype` members, NUL bytes, lone
 * surrogates, megabyte values, 64 KiB names, and command-line paths with `..` and
 * symlinks.
 *
 * - Names such as `__proto__`, `constructor`, `prototype`, `toString` are stored and read
 *   back like any other name — as deb822 fields, as hot and cold fields, as keys inside
 *   `t.json()` values — as own data properties of plain objects, and no prototype changes
 *   (checked after every test).
 * - NUL is an ordinary character in values, keys and field names of records, and in deb822
 *   values; a deb822 field name cannot hold it (`E_PARSE`).
 * - A lone surrogate is refused, as the README documents: `E_INVALID_RECORD` naming the
 *   field for a record (nothing is written), `E_ARGUMENT` in a key object, `E_SCHEMA` in a
 *   field name, and `E_PARSE` for its UTF-8 encoding (ED A0 80) in deb822 input.
 * - 1 MiB values and 64 KiB names round-trip through a store on disk (snapshot and rebuild)
 *   and, for deb822, back to the same bytes.
 * - The CLI uses `--db` as given: with `..` segments the database lands where the path
 *   resolves, through a symlink it is written through the link, and nothing is written
 *   anywhere else.
 */
import assert from 'node:assert/strict';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { type AnySchema, isLeanrecError, openStore, type Store, schema, t } from 'leanrec';
import {
  debianPackages,
  type Paragraph,
  parseDeb822,
  parseRelations,
  readPackages,
  toDeb822,
} from 'leanrec/debian';
import { metaKey } from '../../src/cold/layout.ts';
import { leanrec } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SAMPLE = join(root, 'test/fixtures/Packages-sample');

/** Names that are members of Object.prototype (or special to it), plus the mapping's own keys. */
const HOSTILE = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'isPrototypeOf',
];

function own(obj: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Own property names and descriptors of the built-in prototypes, to see that none changes. */
function prototypes(): string {
  const protos = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
  return JSON.stringify(
    protos.map((p) =>
      Reflect.ownKeys(p).map((k) => {
        const d = Object.getOwnPropertyDescriptor(p, k)!;
        return [String(k), typeof d.value, d.get === undefined, d.enumerable];
      }),
    ),
  );
}
const pristine = prototypes();
afterEach(() => {
  assert.equal(prototypes(), pristine, 'no built-in prototype changed');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
});

/** Every object in `v` is a plain object (or array) whose `__proto__`, if any, is own data. */
function assertPlain(v: unknown, path = 'value'): void {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return;
  if (Array.isArray(v)) {
    assert.equal(Object.getPrototypeOf(v), Array.prototype, `${path}: an array`);
    for (let i = 0; i < v.length; i++) assertPlain(v[i], `${path}[${i}]`);
    return;
  }
  assert.equal(Object.getPrototypeOf(v), Object.prototype, `${path}: a plain object`);
  for (const k of Object.keys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, k)!;
    assert.ok('value' in d, `${path}.${k} is a data property`);
    assertPlain(d.value, `${path}.${k}`);
  }
}

/** Drops the hot snapshot's marker: the next open rebuilds the hot tier from the database. */
async function forgetSnapshot(dir: string): Promise<void> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  await db.del(metaKey('snap'));
  await db.close();
}

async function parseText(text: string | Uint8Array): Promise<Paragraph[]> {
  const out: Paragraph[] = [];
  for await (const p of parseDeb822(once(text))) out.push(p);
  return out;
}

async function* once(text: string | Uint8Array): AsyncGenerator<Uint8Array> {
  yield typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
}

/**
 * Ingests the paragraphs of `text` into a store on disk, then reads each back after a
 * reopen from the snapshot and after a forced rebuild: `toDeb822` must give `text`'s
 * paragraphs back, byte for byte.
 */
async function deb822RoundTrip(text: string): Promise<void> {
  const paragraphs = text.split(/\n\n/).map((p) => (p.endsWith('\n') ? p : `${p}\n`));
  const dir = tempDir();
  const store = await openStore(debianPackages, { path: dir });
  await store.ingest(readPackages(once(text)));
  await store.close();
  for (const mode of ['snapshot', 'rebuild'] as const) {
    if (mode === 'rebuild') {
      await forgetSnapshot(dir);
    }
    const s = await openStore(debianPackages, { path: dir });
    try {
      assert.equal(s._cold?.openMode, mode);
      assert.equal(s.size, paragraphs.length);
      const texts = new Set<string>();
      for (const v of s.where()) {
        const rec = v.record();
        assertPlain(rec, `record ${v.package}`);
        texts.add(toDeb822(rec));
        assert.equal(toDeb822(await v.loadRecord()), toDeb822(rec));
      }
      assert.deepEqual(texts, new Set(paragraphs), `${mode}: every paragraph back, byte for byte`);
    } finally {
      await s.close();
    }
  }
}

describe('names that are Object.prototype members', () => {
  test('deb822 fields named __proto__, constructor, rest, order…: parsed, stored and printed back byte-exact', async () => {
    const names = [...HOSTILE, 'rest', 'order', 'essential', 'Essential2'];
    const text =
      'Package: hostile\nVersion: 1.0\nArchitecture: all\n' +
      names.map((n, i) => `${n}: {"polluted": ${i}}\n`).join('') +
      'Description: names\n that are\n .\n members of Object.prototype\n\n' +
      'Package: second\nVersion: 2\nArchitecture: amd64\n__proto__: x\nconstructor:\n prototype\n';
    const [p] = await parseText(text);
    assert.deepEqual(
      p!.fields.slice(3, 3 + names.length),
      names.map((n, i) => [n, `{"polluted": ${i}}`]),
    );
    const recs = [];
    for await (const r of readPackages(once(text))) recs.push(r);
    for (const r of recs) {
      assertPlain(r);
      // They are kept as [name, value] pairs, never as properties of the record.
      for (const n of HOSTILE) assert.ok(!Object.hasOwn(r, n), `no own property ${n}`);
    }
    assert.deepEqual(
      recs[0]!.rest?.map(([n]) => n),
      names,
    );
    await deb822RoundTrip(text);
  });

  test('hot fields, cold fields, t.json keys and maps with these names read back as own data properties', async () => {
    const hot: Record<string, unknown> = { name: t.string() };
    for (const n of HOSTILE) own(hot, n, n === '__proto__' ? t.u32() : t.string().optional());
    const cold: Record<string, unknown> = { data: t.json(), map: t.json<Record<string, string>>() };
    for (const n of HOSTILE) own(cold, `${n}Cold`, t.string().optional());
    const S = schema({
      key: ['name', '__proto__'] as never,
      hot: hot as never,
      cold: { first: cold as never, second: { toString2: t.list(t.string()).optional() } },
    }) as unknown as AnySchema;

    const record = (i: number): Record<string, unknown> => {
      const r: Record<string, unknown> = { name: `r${i}` };
      for (const n of HOSTILE) own(r, n, n === '__proto__' ? i : `${n} ${i}`);
      for (const n of HOSTILE) own(r, `${n}Cold`, `cold ${n}`);
      r.data = JSON.parse(
        `{"__proto__": {"polluted": ${i}}, "constructor": {"prototype": {"toString": "x"}}, "a": [{"__proto__": null}], "\\u0000__proto__": 1, "\\u0000": 2}`,
      );
      const map: Record<string, string> = {};
      for (const n of HOSTILE) own(map, n, `map ${n}`);
      r.map = map;
      r.toString2 = ['__proto__', 'constructor'];
      return r;
    };
    const records = [record(1), record(2), record(3)];
    const dir = tempDir();
    const store = (await openStore(S, { path: dir })) as Store<AnySchema>;
    await store.ingest(records as never);
    const check = async (s: Store<AnySchema>, what: string) => {
      for (const r of records) {
        const key: Record<string, unknown> = { name: r.name };
        own(key, '__proto__', Object.getOwnPropertyDescriptor(r, '__proto__')?.value);
        const v = s.get(key as never) as unknown as {
          toObject(): Record<string, unknown>;
          record(): Record<string, unknown>;
          loadRecord(): Promise<Record<string, unknown>>;
          cold(g?: string): Record<string, unknown>;
          constructor: unknown;
        };
        assert.ok(v !== undefined, `${what}: ${String(r.name)} found`);
        assert.equal(v.constructor, r.constructor, `${what}: the hot field "constructor" reads`);
        for (const got of [v.record(), await v.loadRecord()]) {
          assertPlain(got, what);
          assert.deepStrictEqual(got, r, `${what}: ${String(r.name)}`);
        }
        const first = v.cold('first');
        assertPlain(first);
        assert.deepStrictEqual(first.data, r.data);
        assert.equal(
          Object.getOwnPropertyDescriptor(first.data, '__proto__')?.value.polluted,
          Number(String(r.name).slice(1)),
        );
      }
    };
    await check(store, 'open');
    await store.close();
    const again = (await openStore(S, { path: dir })) as Store<AnySchema>;
    await check(again, 'reopened');
    await again.close();
    await forgetSnapshot(dir);
    const rebuilt = (await openStore(S, { path: dir })) as Store<AnySchema>;
    assert.equal(rebuilt._cold?.openMode, 'rebuild');
    await check(rebuilt, 'rebuilt');
    await rebuilt.close();
  });
});

describe('NUL, lone surrogates, 1 MiB values, 64 KiB names', () => {
  test('deb822: NUL in a value is kept byte for byte; in a field name it is E_PARSE', async () => {
    const text = 'Package: nul\nVersion: 1\nArchitecture: all\nX-Nul: a\0b\n \0\nDescription: \0\n';
    const [p] = await parseText(text);
    assert.deepEqual(p!.fields[3], ['X-Nul', 'a\0b\n \0']);
    await deb822RoundTrip(text);
    await assert.rejects(parseText('Package: x\nX-\0: y\n'), (err: unknown) => {
      assert.ok(isLeanrecError(err, 'E_PARSE'));
      assert.equal(err.line, 2);
      assert.equal(err.column, 3);
      assert.match(err.message, /invalid byte 0x00 in field name/);
      return true;
    });
  });

  test('deb822 and relations: an encoded lone surrogate is E_PARSE with its place', async () => {
    const bytes = Buffer.concat([
      Buffer.from('Package: s\nVersion: 1\nDescription: ok\n a'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('b\n'),
    ]);
    await assert.rejects(parseText(bytes), (err: unknown) => {
      assert.ok(isLeanrecError(err, 'E_PARSE'), String(err));
      assert.equal(err.line, 4);
      assert.equal(err.column, 3);
      assert.equal(err.field, 'Description');
      return true;
    });
    assert.throws(
      () => parseRelations('a, b\ud800c', 'Depends'),
      (err: unknown) => isLeanrecError(err, 'E_PARSE') && err.column === 5,
    );
  });

  const Rec = schema({
    key: ['name'],
    hot: { name: t.string(), tag: t.enum().optional(), list: t.list(t.string()).optional() },
    cold: { body: t.string().optional(), data: t.json().optional() },
  });

  test('records: NUL in keys, values, json keys and field names round-trips', async () => {
    const hot: Record<string, unknown> = { name: t.string(), 'a\0b': t.string() };
    const S = schema({
      key: ['name'],
      hot: hot as never,
      cold: { '\0x': t.string(), j: t.json() },
    });
    const recs = [
      { name: '\0', 'a\0b': 'v\0', '\0x': '\0\0', j: { '\0': 1, '\0\0x': '\0', '\0__proto__': 2 } },
      { name: 'k\0k', 'a\0b': '', '\0x': 'x\0', j: ['\0'] },
    ];
    const dir = tempDir();
    const store = await openStore(S as AnySchema, { path: dir });
    await store.ingest(recs as never);
    await store.close();
    const again = await openStore(S as AnySchema, { path: dir });
    for (const r of recs) {
      const got = again.get({ name: r.name } as never)!.record();
      assertPlain(got);
      assert.deepStrictEqual(got, r);
    }
    assert.equal(again.get({ name: 'k' } as never), undefined, 'a key is not cut at its NUL');
    await again.close();
  });

  test('records: a lone surrogate anywhere is E_INVALID_RECORD naming the field; nothing is written', async () => {
    const dir = tempDir();
    const store = await openStore(Rec, { path: dir });
    await store.put({ name: 'ok' });
    const bad: [string, Record<string, unknown>][] = [
      ['name', { name: 'x\ud800' }],
      ['tag', { name: 'a', tag: '\udc00' }],
      ['list', { name: 'a', list: ['ok', 'b\ud83d'] }],
      ['body', { name: 'a', body: 'lone \udfff' }],
      ['data', { name: 'a', data: { nested: ['\ud800'] } }],
      ['data', { name: 'a', data: { 'key\ud800': 1 } }],
    ];
    for (const [field, rec] of bad) {
      await assert.rejects(
        store.ingest([{ name: 'first of the batch' }, rec] as never),
        (err: unknown) => {
          assert.ok(isLeanrecError(err, 'E_INVALID_RECORD'), String(err));
          assert.equal(err.field, field);
          assert.ok(err.message.includes(`"${field}"`), err.message);
          assert.equal(err.index, 1);
          return true;
        },
      );
    }
    assert.equal(store.size, 1, 'no batch with a lone surrogate wrote anything');
    assert.throws(
      () => store.get({ name: '\ud800' }),
      (err: unknown) => isLeanrecError(err, 'E_ARGUMENT') && err.field === 'name',
    );
    await store.close();
    const again = await openStore(Rec, { path: dir });
    assert.deepEqual(
      [...again.where()].map((v) => v.name),
      ['ok'],
    );
    await again.close();
    assert.throws(
      () => schema({ key: ['k'], hot: { k: t.string(), 'bad\udc00': t.u8() } }),
      (err: unknown) => isLeanrecError(err, 'E_SCHEMA') && err.field === 'bad\udc00',
    );
  });

  test('deb822: a 1 MiB value and a 64 KiB field name, byte-exact through a store', async () => {
    const mib = 1 << 20;
    const longName = `X-${'N'.repeat(64 * 1024 - 2)}`;
    const line = 'd'.repeat(79);
    const description = Array.from({ length: mib / 80 }, (_, i) =>
      i === 0 ? line : ` ${line}`,
    ).join('\n');
    const text =
      'Package: big\nVersion: 1\nArchitecture: all\n' +
      `${longName}: ${'v'.repeat(mib)}\n` +
      `Description: ${description}\n` +
      `Depends: ${Array.from({ length: 20_000 }, (_, i) => `p${i} (>= ${i})`).join(', ')}\n`;
    const [p] = await parseText(text);
    assert.equal(p!.fields[3]![0], longName);
    assert.equal(p!.fields[3]![1].length, mib);
    await deb822RoundTrip(text);
  });

  test('records: 1 MiB values, 64 KiB field names, keys and json keys, through snapshot and rebuild', async () => {
    const mib = 1 << 20;
    const hotName = `h${'H'.repeat(64 * 1024 - 1)}`;
    const coldName = `c${'C'.repeat(64 * 1024 - 1)}`;
    const hot: Record<string, unknown> = { name: t.string(), big: t.string() };
    hot[hotName] = t.u32();
    const cold: Record<string, unknown> = { body: t.string(), data: t.json() };
    cold[coldName] = t.list(t.string());
    const S = schema({
      key: ['name'],
      hot: hot as never,
      cold: cold as never,
    }) as unknown as AnySchema;
    const record = (i: number) => {
      const r: Record<string, unknown> = {
        name: `${String(i)}${'K'.repeat(64 * 1024)}`,
        big: `${i}${'b'.repeat(mib)}`,
        body: `${i}${'é'.repeat(mib / 2)}`,
        data: { [`${'J'.repeat(64 * 1024)}`]: 'x'.repeat(mib), list: [i] },
      };
      r[hotName] = i;
      r[coldName] = ['y'.repeat(mib / 4), 'z'];
      return r;
    };
    const records = [record(1), record(2)];
    const dir = tempDir();
    const store = await openStore(S, { path: dir });
    await store.ingest(records as never);
    const check = async (s: typeof store, what: string) => {
      for (const r of records) {
        const v = s.get({ name: r.name } as never);
        assert.ok(v !== undefined, `${what}: found by a 64 KiB key`);
        assert.deepStrictEqual(await v.loadRecord(), r, what);
      }
    };
    await check(store, 'open');
    await store.close();
    const again = await openStore(S, { path: dir });
    assert.equal(again._cold?.openMode, 'snapshot');
    await check(again, 'reopened');
    await again.close();
    await forgetSnapshot(dir);
    const rebuilt = await openStore(S, { path: dir });
    assert.equal(rebuilt._cold?.openMode, 'rebuild');
    await check(rebuilt, 'rebuilt');
    await rebuilt.close();
  });
});

// ── CLI paths ──────────────────────────────────────────────────────────────────────

/** Every entry under `dir` (symlinks not followed), with what identifies its content. */
function tree(dir: string, skip: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const rel = relative(dir, p);
      if (skip.some((s) => rel === s || rel.startsWith(`${s}/`))) continue;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out.set(rel, `link ${realpathSync(p)}`);
      else if (st.isDirectory()) {
        out.set(rel, 'dir');
        walk(p);
      } else out.set(rel, `file ${st.size} ${st.mtimeMs} ${readFileSync(p).toString('base64')}`);
    }
  };
  walk(dir);
  return out;
}

describe('command-line paths', () => {
  test('--db with .. segments: the database lands where the path resolves, nothing is written elsewhere', async () => {
    const top = tempDir();
    mkdirSync(join(top, 'work/sub'), { recursive: true });
    mkdirSync(join(top, 'other'));
    writeFileSync(join(top, 'other/keep.txt'), 'untouched');
    const input = join(top, 'other/Packages');
    writeFileSync(input, readFileSync(SAMPLE));
    const before = tree(top);

    const cwd = join(top, 'work/sub');
    const r = await leanrec(['ingest', input, '--db', '../../other/../work/db'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const after = tree(top, ['work/db']);
    assert.deepEqual(after, before, 'only work/db was created or changed');
    assert.ok(lstatSync(join(top, 'work/db/CURRENT')).isFile(), 'the database is at top/work/db');

    // Read-only commands through the same path write nothing outside it either.
    for (const args of [
      ['get', '../../other/../work/db', '0ad'],
      ['query', '../db', '--count'],
      ['stats', '../../work/db'],
    ]) {
      const q = await leanrec(args, { cwd });
      assert.equal(q.code, 0, `${args.join(' ')}: ${q.stderr}`);
    }
    assert.deepEqual(tree(top, ['work/db']), before);
    const store = await openStore(debianPackages, { path: join(top, 'work/db') });
    assert.equal(store.size, (await parseText(readFileSync(SAMPLE))).length);
    await store.close();
  });

  test('--db through a symlink: written through the link, which stays a link; nothing else changes', async () => {
    const top = tempDir();
    mkdirSync(join(top, 'real'));
    mkdirSync(join(top, 'cwd'));
    symlinkSync(join(top, 'real'), join(top, 'cwd/link'));
    const before = tree(top);

    const r = await leanrec(['ingest', SAMPLE, '--db', 'link/db'], { cwd: join(top, 'cwd') });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(join(top, 'cwd/link')).isSymbolicLink(), 'the link is still a link');
    assert.ok(
      lstatSync(join(top, 'real/db/CURRENT')).isFile(),
      'the database is in the link target',
    );
    assert.deepEqual(tree(top, ['real/db']), before);

    // A link to the database directory itself: commands read and write through it.
    symlinkSync(join(top, 'real/db'), join(top, 'cwd/dblink'));
    const withLink = tree(top, ['real/db']);
    const again = await leanrec(['ingest', SAMPLE, '--db', 'dblink'], { cwd: join(top, 'cwd') });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /\(0 new, \d+ replaced/);
    const get = await leanrec(['get', './dblink', '0ad'], { cwd: join(top, 'cwd') });
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /^Package: 0ad$/m);
    assert.ok(lstatSync(join(top, 'cwd/dblink')).isSymbolicLink());
    assert.deepEqual(tree(top, ['real/db']), withLink, 'nothing outside the database changed');
  });

  test('a damaged or foreign --db is refused without writing into it', async () => {
    const top = tempDir();
    mkdirSync(join(top, 'notadb'));
    writeFileSync(join(top, 'notadb/file'), 'x');
    const before = tree(top);
    const r = await leanrec(['get', join(top, 'notadb/../notadb'), 'hello'], { cwd: top });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no database at/);
    assert.deepEqual(tree(top), before);
  });
});
