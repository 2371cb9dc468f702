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
import { arbitraryRecord, checkRoundTrip } from 'leanrec/testing';
import { Book, books, expectType } from './books.mjs';

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
  return [`round trips ${report.runs}`, `arbitrary ${typeof sample.generate}`];
}

try {
  const lines = [...(await bookStore()), ...(await debian(process.argv[2])), ...(await tooling())];
  console.log(lines.join('\n'));
} catch (err) {
  console.error(err instanceof LeanrecError ? `${err.code}: ${err.message}` : err);
  process.exitCode = 1;
}
