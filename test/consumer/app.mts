/**
 * A small application as a user of the published package writes it: it imports the
 * entry points by their package names and is type-checked against the built `.d.ts`
 * under a strict app tsconfig (./tsconfig.json: no DOM, `exactOptionalPropertyTypes`,
 * `skipLibCheck: false`). See ./check.sh. The `// @ts-expect-error` lines are what the
 * published types must refuse; `expectType` pins what they must infer. `leanrec/mem` is
 * used in ./mem.mts.
 *
 * It also runs: `node app.mjs [Packages file]` stores, queries and reads back three
 * books (and ingests and checks the Debian index when given one).
 */
import {
  Field,
  type InferCold,
  isLeanrecError,
  LeanrecError,
  openStore,
  type RecordView,
  Schema,
  type Store,
} from 'leanrec';
import {
  compareVersions,
  type DebianPackage,
  debianPackages,
  readPackages,
  verifyDependencies,
} from 'leanrec/debian';
import { arbitraryRecord, checkRoundTrip, constantHash } from 'leanrec/testing';
import { Book, books, expectType } from './books.mjs';

// The published surface: what an application writes code with, and nothing else.
type Root = typeof import('leanrec');
type Gone = 'RecordValidator' | 'schemaDifferences' | 'constantHash' | 'hash64';
expectType<Extract<keyof Root, Gone>, never>(true);
// @ts-expect-error: FieldInfo is internal
type _FieldInfo = import('leanrec').FieldInfo;
// @ts-expect-error: ColdGroup is internal
type _ColdGroup = import('leanrec').ColdGroup;
// @ts-expect-error: SchemaDescriptor is internal
type _SchemaDescriptor = import('leanrec').SchemaDescriptor;
type Debian = typeof import('leanrec/debian');
type DebianGone = 'openInput' | 'packageRecord' | 'Deb822Mapping' | 'serializeParagraph';
expectType<Extract<keyof Debian, DebianGone>, never>(true);
// A deb822 field is a Deb822Field; `Field` is leanrec's field type only.
expectType<import('leanrec/debian').Deb822Field, [name: string, value: string]>(true);
// @ts-expect-error: leanrec/debian has no Field
type _DebianField = import('leanrec/debian').Field;
// @ts-expect-error: E_NOT_FOUND is the command line's code, not the library's
void ((e: LeanrecError) => e.code === 'E_NOT_FOUND');

async function bookStore(): Promise<string[]> {
  const store: Store<typeof Book> = await openStore(Book);
  const { inserted } = await store.ingest(books, { batchSize: 2 });
  const out = [`${inserted} books`];

  // Hot reads.
  const one = store.get({ isbn: '1' });
  expectType<typeof one, RecordView<typeof Book> | undefined>(true);
  const rows = store.where();
  expectType<typeof rows, Generator<RecordView<typeof Book>, void, undefined>>(true);
  rows.return();
  const years: number[] = [];
  for (const b of store.where({ year: { gte: 2000 }, lang: ['de', 'fr'] })) years.push(b.year);
  out.push(`${store.count({ year: 2004 })} from 2004: ${years.join(',')}`);

  // Cold reads, typed by group.
  const text = store.cold({ isbn: '3' }, 'text');
  expectType<typeof text, { title: string; blurb?: string } | undefined>(true);
  const meta = await store.load({ isbn: '2' }, 'meta');
  expectType<typeof meta, { tags: string[]; extra: { shelf: number } } | undefined>(true);
  const all = store.cold({ isbn: '1' });
  expectType<typeof all, InferCold<typeof Book> | undefined>(true);
  const many = await store.loadMany(store.where(), 'text', { cache: false });
  expectType<typeof many, { title: string; blurb?: string }[]>(true);
  out.push(`${text?.title} ${meta?.extra.shelf} ${all?.tags.length} ${many.map((m) => m.title)}`);
  // @ts-expect-error: 'nope' is not a group of Book
  void (() => store.cold({ isbn: '1' }, 'nope'));
  // @ts-expect-error: 'title' is a field, not a group
  void (() => store.load({ isbn: '1' }, 'title'));
  // @ts-expect-error: the key is { isbn }
  void (() => store.get({ id: 1 }));
  // @ts-expect-error: exactOptionalPropertyTypes: an optional field is absent, never undefined
  void (() => store.put({ ...books[0]!, pages: undefined }));

  // Internals are not part of the published types.
  // @ts-expect-error: _tier is internal
  void store._tier;
  // @ts-expect-error: _cold is internal
  void store._cold;
  // @ts-expect-error: stores come from openStore
  void (() => new (store.constructor as typeof Store)());
  // @ts-expect-error: schemas come from schema()
  void (() => new Schema());
  // @ts-expect-error: fields come from the t builders
  void (() => new Field());
  // A schema's resolved fields are internal.
  // @ts-expect-error: hotFields is internal
  void Book.hotFields;
  // @ts-expect-error: byName is internal
  void Book.byName;
  // @ts-expect-error: keyFields is internal
  void Book.keyFields;
  // @ts-expect-error: groups is internal
  void Book.groups;
  // @ts-expect-error: descriptor is internal
  void Book.descriptor;
  // @ts-expect-error: group() is internal
  void Book.group('text');
  expectType<typeof Book.fingerprint, string>(true);

  try {
    // @ts-expect-error: a record needs its required fields
    await store.put({ isbn: '4', year: 1 });
  } catch (err) {
    if (isLeanrecError(err, 'E_INVALID_RECORD')) out.push(`refused: ${err.field}`);
    else throw err;
  }
  out.push(`memory ${store.memory().total > 0}`);
  await store.close();
  return out;
}

async function debian(file: string | undefined): Promise<string[]> {
  if (file === undefined) return [];
  await using store = await openStore(debianPackages);
  const packages = readPackages(file);
  expectType<typeof packages, AsyncGenerator<DebianPackage, void, undefined>>(true);
  const { written } = await store.ingest(packages);
  const control = store.cold(
    { package: 'bash', version: '5.2.15-2+b2', architecture: 'amd64' },
    'control',
  );
  expectType<NonNullable<typeof control>['homepage'], string | undefined>(true);
  const findings = await verifyDependencies(store, { fields: ['Depends'] });
  return [
    `${written} packages`,
    `${findings.length} unsatisfied`,
    `${compareVersions('1.0', '1.0~rc1')}`,
  ];
}

async function tooling(): Promise<string[]> {
  const sample = arbitraryRecord(Book);
  const report = await checkRoundTrip(Book, { numRuns: 3, maxRecords: 5 });
  expectType<typeof report.runs, number>(true);
  // Every key collides: the key index still finds each one by its bytes.
  const colliding = await openStore(Book, { cold: false, hash: constantHash });
  await colliding.ingest(books);
  const found = books.filter((b) => colliding.has({ isbn: b.isbn })).length;
  await colliding.close();
  return [
    `round trips ${report.runs}`,
    `arbitrary ${typeof sample.generate}`,
    `colliding keys found ${found}`,
  ];
}

try {
  const lines = [...(await bookStore()), ...(await debian(process.argv[2])), ...(await tooling())];
  console.log(lines.join('\n'));
} catch (err) {
  console.error(err instanceof LeanrecError ? `${err.code}: ${err.message}` : err);
  process.exitCode = 1;
}
