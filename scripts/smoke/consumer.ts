// A strict TypeScript app using every entry point's types, type-checked (not run) by
// .ci/smoke against the installed package: strict, exactOptionalPropertyTypes, lib ES2023
// without DOM, skipLibCheck false, under moduleResolution nodenext and bundler.
import fc from 'fast-check';
import { type Infer, isLeanrecError, LeanrecError, openStore, schema, t } from 'leanrec';
import { compareVersions, debianPackages, readPackages } from 'leanrec/debian';
import { type MemorySample, memstatsChart, memstatsTable, processMemory } from 'leanrec/mem';
import { arbitraryRecord, checkRoundTrip } from 'leanrec/testing';

const Pkg = schema({
  key: ['name', 'version'],
  hot: { name: t.string(), version: t.string(), size: t.u32(), essential: t.flag() },
  cold: { text: { description: t.string() } },
});
type Pkg = Infer<typeof Pkg>;

export async function app(path: string): Promise<number> {
  const records: Pkg[] = [{ name: 'a', version: '1', size: 1, essential: false, description: 'x' }];
  const store = await openStore(Pkg, { path });
  await store.ingest(records);
  const v = store.get({ name: 'a', version: '1' });
  const size: number | undefined = v?.size;
  const description: string | undefined = v?.cold('text').description;
  const n: number = store.count({ essential: true });
  const rss: number = processMemory({ stores: [store] }).rss;
  await store.close();
  const samples: MemorySample[] = [];
  const table: string = memstatsTable(samples);
  const svg: Promise<string> = memstatsChart(samples, { title: 'memory' });
  void svg.catch((e: unknown) => isLeanrecError(e, 'E_MISSING_PEER'));
  const drawn: Pkg[] = fc.sample(arbitraryRecord(Pkg), 3);
  await checkRoundTrip(Pkg, { numRuns: 1 });
  for await (const p of readPackages('Packages')) if (compareVersions(p.version, '1') > 0) break;
  const err = new LeanrecError('E_ARGUMENT', 'no');
  return (
    (size ?? 0) +
    (description?.length ?? 0) +
    n +
    rss +
    table.length +
    drawn.length +
    err.message.length +
    Object.keys(debianPackages).length
  );
}
