/**
 * `npm start`: the main job on an embedded default. Reads a Debian Packages index (the
 * argument, else the sample in examples/data/), keeps it in a leanrec store and reports
 * what it holds and what it costs.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { openStore, schema, t } from 'leanrec';

const file = process.argv[2] ?? fileURLToPath(new URL('./data/Packages.gz', import.meta.url));

const Packages = schema({
  key: ['package', 'version', 'architecture'],
  hot: {
    package: t.string(),
    version: t.string(),
    architecture: t.enum(),
    section: t.enum().optional(),
    priority: t.enum().optional(),
    installedSize: t.u32().optional(),
    size: t.u32(),
    essential: t.flag(),
  },
  cold: { control: { fields: t.json<[string, string][]>() } },
});

/** Splits a deb822 file into paragraphs of [name, value] pairs (continuation lines joined). */
async function* paragraphs(path: string): AsyncGenerator<[string, string][]> {
  const input = path.endsWith('.gz')
    ? createReadStream(path).pipe(createGunzip())
    : createReadStream(path);
  let fields: [string, string][] = [];
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line === '') {
      if (fields.length) yield fields;
      fields = [];
    } else if (line[0] === ' ' || line[0] === '\t') fields[fields.length - 1]![1] += `\n${line}`;
    else {
      const colon = line.indexOf(':');
      fields.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
  }
  if (fields.length) yield fields;
}

async function* records(path: string) {
  for await (const fields of paragraphs(path)) {
    const f = new Map(fields);
    yield {
      package: f.get('Package')!,
      version: f.get('Version')!,
      architecture: f.get('Architecture')!,
      ...(f.has('Section') ? { section: f.get('Section')! } : {}),
      ...(f.has('Priority') ? { priority: f.get('Priority')! } : {}),
      ...(f.has('Installed-Size') ? { installedSize: Number(f.get('Installed-Size')) } : {}),
      size: Number(f.get('Size')),
      essential: f.get('Essential') === 'yes',
      fields,
    };
  }
}

const t0 = performance.now();
const store = await openStore(Packages);
const { inserted } = await store.ingest(records(file));
const ms = performance.now() - t0;
const mem = store.memory();
console.log(`${file}\n${inserted} packages in ${ms.toFixed(0)} ms`);
console.log(
  `hot tier ${(mem.hot / 1024).toFixed(0)} KiB for ${mem.records} records (${(mem.hot / mem.records).toFixed(1)} B/record)`,
);
console.log(`essential: ${[...store.where({ essential: true })].map((v) => v.package).join(' ')}`);
for (const p of ['required', 'important', 'standard', 'optional', 'extra'])
  console.log(`priority ${p.padEnd(9)} ${store.count({ priority: p })}`);
const largest = [...store.where({ size: { gt: 0 } })].sort((a, b) => b.size - a.size).slice(0, 3);
for (const v of largest) {
  const desc = new Map(v.cold('control').fields as [string, string][]).get('Description') ?? '';
  console.log(`largest: ${v.package} ${(v.size / 1e6).toFixed(1)} MB — ${desc.split('\n')[0]}`);
}
await store.close();
