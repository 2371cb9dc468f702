/**
 * Sources through the command line: `ingest` detects the index, `get` gives paragraphs
 * back byte for byte, `query`/`stats`/`estimate` work on the store (the estimate within
 * 5 % of the real hot tier), and `--memstats` writes a file `leanrec plot` charts.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifyBuildDependencies } from 'leanrec/debian';
import { openInput } from '../../src/debian/input.ts';
import { leanrec } from '../helpers/cli.ts';
import { debianSourcesPath, sourcesSkip } from '../helpers/debian-sources.ts';
import { tempDir } from '../helpers/temp.ts';

const tmp = tempDir('cli-sources');
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('leanrec on a real Sources index', { skip: sourcesSkip() }, () => {
  const db = join(tmp, 'sources.db');
  const memstats = join(tmp, 'ingest.tsv');
  let paragraphs: string[] = [];
  let ingest: { code: number; stdout: string; stderr: string };

  before(async () => {
    const file = debianSourcesPath();
    const chunks: Uint8Array[] = [];
    for await (const c of openInput(file)) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8');
    paragraphs = text
      .split('\n\n')
      .filter((p) => p !== '')
      .map((p) => `${p.replace(/\n$/, '')}\n`);
    ingest = await leanrec([
      'ingest',
      file,
      '--db',
      db,
      '--memstats',
      memstats,
      '--memstats-interval',
      '10',
    ]);
  });

  test('ingest detects Sources and says so; rates of both the text and the file', () => {
    assert.equal(ingest.code, 0, ingest.stderr);
    assert.match(
      ingest.stdout,
      new RegExp(`^records +${paragraphs.length.toLocaleString('en-US')} `, 'm'),
    );
    assert.match(ingest.stdout, /^schema +debian-sources \(detected from the first paragraph\)$/m);
    assert.match(ingest.stdout, /MB\/s decompressed, [\d.]+ MB\/s of /);
  });

  test('get gives paragraphs back byte for byte; query and stats work on the store', async () => {
    for (const i of [0, 1234, paragraphs.length - 1]) {
      const p = paragraphs[i]!;
      const name = /^Package: (.*)$/m.exec(p)![1]!;
      const version = /^Version: (.*)$/m.exec(p)![1]!;
      const r = await leanrec(['get', db, name, version]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, p, name);
    }
    const section = paragraphs.filter((p) => /^Section: games$/m.test(p)).length;
    assert.ok(section > 0);
    const q = await leanrec(['query', db, '--where', 'section=games', '--count']);
    assert.equal(q.stdout, `${section}\n`, q.stderr);
    const s = await leanrec(['stats', db]);
    assert.match(
      s.stdout,
      new RegExp(`^records ${paragraphs.length.toLocaleString('en-US')}; .*debian-sources$`, 'm'),
    );
  });

  test('estimate --schema debian-sources is within 5 % of the real hot tier', async () => {
    const s = await leanrec(['stats', db]);
    const real = Number(/^hot tier +([\d,]+)/m.exec(s.stdout)![1]!.replaceAll(',', ''));
    const e = await leanrec([
      'estimate',
      '--schema',
      'debian-sources',
      '--records',
      String(paragraphs.length),
    ]);
    assert.equal(e.code, 0, e.stderr);
    const est = Number(/^hot +([\d,]+)/m.exec(e.stdout)![1]!.replaceAll(',', ''));
    assert.ok(Math.abs(est / real - 1) < 0.05, `estimate ${est} against ${real}`);
  });

  test("verify --build-deps of the Sources store against the Packages index: the library's findings as TSV", async () => {
    const packages = process.env.LEANREC_DEBIAN_PACKAGES!;
    const r = await leanrec([
      'verify',
      '--build-deps',
      db,
      '--against',
      packages,
      '--arch',
      'amd64',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const expected = await verifyBuildDependencies(debianSourcesPath(), packages, {
      arch: 'amd64',
    });
    assert.ok(expected.length > 0);
    assert.equal(
      r.stdout,
      expected
        .map((u) => `${u.package}\t${u.version}\t${u.architecture}\t${u.field}\t${u.group}\n`)
        .join(''),
    );
    assert.match(
      r.stderr,
      new RegExp(
        `^${expected.length} unsatisfied build dependencies, 0 violated build conflicts \\(for amd64\\)\n$`,
      ),
    );
    const usage = await leanrec(['verify', '--build-deps', db]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^leanrec: E_USAGE: [^\n]*needs --against <packages>/);
  });

  test('a Sources index into a Packages store: E_SCHEMA, exit 3, what to do', async () => {
    const pkgs = join(tmp, 'pkgs.db');
    const sample = join(process.cwd(), 'examples/data/Packages.gz');
    assert.equal((await leanrec(['ingest', sample, '--db', pkgs])).code, 0);
    const r = await leanrec(['ingest', debianSourcesPath(), '--db', pkgs]);
    assert.equal(r.code, 3);
    assert.match(
      r.stderr,
      /^leanrec: E_SCHEMA: [^\n]*debian-sources index and [^\n]*holds another kind[^\n]*another --db/,
    );
  });

  test('the memstats file of the ingest plots as a table and as an SVG chart', async () => {
    const tsv = readFileSync(memstats, 'utf8').split('\n');
    assert.equal(tsv[0], 't_ms\trss\theapTotal\theapUsed\texternal\tarrayBuffers\tmark');
    assert.ok(tsv.some((l) => l.endsWith('\tingest done')));
    const table = await leanrec(['plot', memstats]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^rss +[\d.]+ MiB/m);
    assert.match(table.stdout, /ingest done/);
    const svg = join(tmp, 'ingest.svg');
    const chart = await leanrec(['plot', memstats, '-o', svg]);
    assert.equal(chart.code, 0, chart.stderr);
    assert.ok(existsSync(svg));
    const text = readFileSync(svg, 'utf8');
    assert.match(text, /^<svg/);
    assert.match(text, /ingest done/);
  });
});
