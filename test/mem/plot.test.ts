import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLeanrecError, type StoreMemory } from 'leanrec';
import {
  breakdownChart,
  MEMSTATS_SERIES,
  memstatsChart,
  memstatsTable,
  parseMemstats,
  sampleMemory,
  sparkline,
} from 'leanrec/mem';
import { leanrec, runTs } from '../helpers/cli.ts';
import { withoutVega } from '../helpers/no-vega.ts';
import { removeTempDir, repoTempDir, tempDir } from '../helpers/temp.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A minimal well-formedness check: every start tag is closed in order, attributes are
 * quoted, and text holds no raw `<` or bare `&`. Returns the root element's name.
 */
function checkXml(xml: string): string {
  const stack: string[] = [];
  let rootName: string | undefined;
  const token = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
  let i = xml.startsWith('<?xml') ? xml.indexOf('?>') + 2 : 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    assert.doesNotMatch(text, /&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)/, `bare & at ${i}`);
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      i = xml.indexOf('-->', lt) + 3;
      continue;
    }
    token.lastIndex = lt;
    const m = token.exec(xml);
    assert.ok(m, `not a tag at ${lt}: ${xml.slice(lt, lt + 60)}`);
    const [, close, name, , selfClose] = m;
    if (close) assert.equal(stack.pop(), name, `</${name}> at ${lt} closes nothing open`);
    else {
      if (stack.length === 0) {
        assert.equal(rootName, undefined, 'more than one root element');
        rootName = name;
      }
      if (!selfClose) stack.push(name!);
    }
    i = token.lastIndex;
  }
  assert.deepEqual(stack, [], 'unclosed tags');
  assert.ok(rootName !== undefined, 'no root element');
  return rootName;
}

/** A real memstats file from the sampler: 5 ms samples and one mark with XML specials. */
async function memstatsFile(dir: string): Promise<string> {
  const file = join(dir, 'memstats.tsv');
  const sampler = sampleMemory({ intervalMs: 5, file });
  const hold: number[][] = [];
  for (let i = 0; i < 6; i++) {
    hold.push(new Array(50_000).fill(i));
    await sleep(8);
  }
  sampler.mark('ingest <done> & "ok"');
  await sleep(25);
  await sampler.stop();
  assert.ok(hold.length > 0);
  return file;
}

test('memstatsChart renders well-formed SVG with the series and the mark', async () => {
  const dir = tempDir('plot');
  try {
    const samples = parseMemstats(readFileSync(await memstatsFile(dir), 'utf8'));
    assert.ok(samples.length >= 5, `only ${samples.length} samples`);
    const svg = await memstatsChart(samples, { title: 'ingest run', width: 400, height: 200 });
    assert.ok(svg.startsWith('<svg'), svg.slice(0, 80));
    assert.equal(checkXml(svg), 'svg');
    for (const name of MEMSTATS_SERIES) assert.ok(svg.includes(`>${name}<`), `no series ${name}`);
    assert.ok(svg.includes('ingest &lt;done&gt; &amp;'), 'no mark label');
    assert.ok(svg.includes('ingest run'));
    assert.ok(svg.includes('seconds') && svg.includes('MiB'));
    // The sampler's own start/stop marks are not drawn as rules.
    assert.ok(!svg.includes('>start<') && !svg.includes('>stop<'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('memstatsChart buckets long series and rejects bad input', async () => {
  const samples = Array.from({ length: 5000 }, (_, i) => ({
    tMs: i * 10,
    rss: 1e8 + (i === 2345 ? 5e8 : 0),
    heapTotal: 5e7,
    heapUsed: 4e7,
    external: 1e6,
    arrayBuffers: 1e5,
  }));
  const svg = await memstatsChart(samples, { maxPoints: 100 });
  checkXml(svg);
  // The spike survives bucketing: the y axis reaches past 500 MiB.
  assert.match(svg, />5\d0</);
  await assert.rejects(memstatsChart([]), (e) => isLeanrecError(e, 'E_ARGUMENT'));
  await assert.rejects(memstatsChart(samples, { width: 0 }), (e) =>
    isLeanrecError(e, 'E_ARGUMENT'),
  );
});

test('breakdownChart shows every large part and groups the small ones', async () => {
  const parts: StoreMemory['parts'] = [
    { name: 'column:version', kind: 'column', bytes: 4_000_000 },
    { name: 'pool', kind: 'pool', bytes: 9_000_000 },
    { name: 'key-index', kind: 'index', bytes: 2_500_000 },
    { name: 'leveldb', kind: 'leveldb', bytes: 8 << 20 },
    { name: 'bitset:essential', kind: 'bitset', bytes: 1_000 },
    { name: 'bitset:priority', kind: 'bitset', bytes: 2_000 },
    { name: 'empty', kind: 'cache', bytes: 0 },
  ];
  const total = parts.reduce((s, p) => s + p.bytes, 0);
  const memory: StoreMemory = {
    total,
    hot: total - (8 << 20),
    cache: 0,
    cacheEntries: 0,
    leveldb: 8 << 20,
    records: 60_000,
    parts,
  };
  const svg = await breakdownChart(memory, { title: 'Packages' });
  assert.ok(svg.startsWith('<svg'));
  assert.equal(checkXml(svg), 'svg');
  for (const name of ['column:version', 'pool', 'key-index', 'leveldb', 'Packages'])
    assert.ok(svg.includes(`>${name}<`), `no ${name}`);
  assert.ok(svg.includes('other (2 parts)'));
  assert.ok(!svg.includes('bitset:essential') && !svg.includes('>empty<'));
  // Sorted: pool is drawn above leveldb, leveldb above column:version.
  const at = (n: string) => svg.indexOf(`>${n}<`);
  assert.ok(at('pool') < at('leveldb') && at('leveldb') < at('column:version'));
});

test('memstatsTable and sparkline summarise as text', () => {
  assert.equal(sparkline([1, 2, 3, 4, 5, 6, 7, 8]), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([3, 3, 3]), '▁▁▁');
  assert.equal(sparkline([]), '');
  assert.equal(
    [
      ...sparkline(
        Array.from({ length: 1000 }, (_, i) => i),
        40,
      ),
    ].length,
    40,
  );
  const mb = 1024 * 1024;
  const samples = [0, 1, 2, 3].map((i) => ({
    tMs: i * 500,
    rss: (10 + i * 10) * mb,
    heapTotal: 8 * mb,
    heapUsed: (4 + i) * mb,
    external: 1024,
    arrayBuffers: 100,
    ...(i === 2 ? { mark: 'ingest done' } : {}),
  }));
  const text = memstatsTable(samples);
  const lines = text.trimEnd().split('\n');
  assert.match(lines[0]!, /^series\s+min\s+max\s+last$/);
  assert.match(text, /^rss\s+10\.0 MiB\s+40\.0 MiB\s+40\.0 MiB$/m);
  assert.match(text, /^heapUsed\s+4\.0 MiB\s+7\.0 MiB\s+7\.0 MiB$/m);
  assert.match(text, /^ {2}1\.000 s {2}ingest done$/m);
  assert.equal(lines.at(-1), 'rss  ▁▃▆█  (4 samples, 1.5 s)');
  // Aligned: every row of the table is as wide as the header.
  for (const l of lines.slice(1, 6)) assert.equal(l.length, lines[0]!.length);
  assert.equal(memstatsTable([]), 'no samples\n');
});

test('leanrec plot writes an SVG file, or prints the text fallback', async () => {
  const dir = tempDir('plot-cli');
  try {
    const tsv = await memstatsFile(dir);
    const svgFile = join(dir, 'mem.svg');
    const [written, printed, missing, usage] = await Promise.all([
      leanrec(['plot', tsv, '-o', svgFile, '--title', 'from the cli']),
      leanrec(['plot', tsv]),
      leanrec(['plot', join(dir, 'nope.tsv')]),
      leanrec(['plot', tsv, '--width', 'wide', '-o', svgFile]),
    ]);
    assert.equal(written.code, 0, written.stderr);
    const svg = readFileSync(svgFile, 'utf8');
    assert.ok(svg.startsWith('<svg'));
    checkXml(svg);
    assert.ok(svg.includes('from the cli') && svg.includes('ingest &lt;done&gt;'));

    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /^series\s+min\s+max\s+last$/m);
    assert.match(printed.stdout, /ingest <done> & "ok"/);
    assert.match(printed.stdout, /^rss {2}[▁▂▃▄▅▆▇█]+ {2}\(\d+ samples/m);

    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /^leanrec: E_NOT_FOUND: cannot read the memstats file .*nope\.tsv: no such file or directory on .*nope\.tsv\n$/,
    );
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--width must be a positive whole number/);

    writeFileSync(join(dir, 'bad.tsv'), 'not memstats\n');
    const bad = await leanrec(['plot', join(dir, 'bad.tsv')]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /^leanrec: E_PARSE: .*bad\.tsv: the first line must be the header/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without vega installed, charts fail with E_MISSING_PEER and leanrec plot falls back to text', async () => {
  const dir = tempDir('plot-novega');
  try {
    const tsv = await memstatsFile(dir);
    // Under the repository, so that 'leanrec/mem' resolves through the package's self-reference.
    const program = join(repoTempDir('plot-novega'), 'chart.ts');
    writeFileSync(
      program,
      `import { memstatsChart, parseMemstats } from 'leanrec/mem';
       import { readFileSync } from 'node:fs';
       const samples = parseMemstats(readFileSync(${JSON.stringify(tsv)}, 'utf8'));
       try { await memstatsChart(samples); console.log('drawn'); }
       catch (e) { console.log(e.code, e.message); }\n`,
    );
    const svgFile = join(dir, 'mem.svg');
    const [chart, cli] = await Promise.all([
      runTs(program, [], withoutVega(dir)),
      leanrec(['plot', tsv, '-o', svgFile], withoutVega(dir)),
    ]);
    assert.equal(chart.code, 0, chart.stderr);
    assert.match(chart.stdout, /^E_MISSING_PEER .*\bvega\b.*npm install vega vega-lite/);

    assert.equal(cli.code, 4, cli.stderr);
    assert.match(cli.stdout, /^series\s+min\s+max\s+last$/m, 'the text chart is printed');
    assert.match(
      cli.stderr,
      /^leanrec: E_MISSING_PEER: .*mem\.svg not written: .*npm install vega vega-lite/,
    );
    assert.ok(!existsSync(svgFile));
    removeTempDir(join(program, '..'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
