/**
 * `npm run bench`, W7: parse throughput, in MB/s of uncompressed text. The index is
 * decompressed into memory first; only the parse is timed, each parser fed the same
 * 64 KiB chunks:
 *
 * - `parseDeb822`: leanrec's deb822 parser, paragraphs of [name, value] fields;
 * - `readPackages`: the reader on top of it, `debianPackages` records (typed fields);
 * - readline: what apps do today — `readline` lines, `indexOf(':')`, values trimmed,
 *   continuation lines joined with `\n`: paragraphs of [name, value] pairs, no checks.
 *
 * The three take turns in one process (a warm-up of each, then 3 rounds); each figure is
 * the median of its rounds.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { parseDeb822, readPackages } from 'leanrec/debian';
import { emit, gcTwice, median } from '../lib/harness.ts';
import { FILE } from '../lib/suite.ts';

const CHUNK = 64 * 1024;
const raw = readFileSync(FILE);
const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;

async function* chunks(): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < text.length; i += CHUNK) yield text.subarray(i, i + CHUNK);
}

/** The readline parser: paragraphs of [name, value] pairs; returns how many. */
async function readlineParse(): Promise<number> {
  let n = 0;
  let fields: [string, string][] = [];
  const input = Readable.from(chunks(), { objectMode: false });
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line === '') {
      if (fields.length > 0) n++;
      fields = [];
    } else if (line[0] === ' ' || line[0] === '\t') fields[fields.length - 1]![1] += `\n${line}`;
    else {
      const colon = line.indexOf(':');
      fields.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
  }
  return fields.length > 0 ? n + 1 : n;
}

const PARSERS: Record<string, () => Promise<number>> = {
  parseDeb822: async () => {
    let n = 0;
    for await (const _ of parseDeb822(chunks())) n++;
    return n;
  },
  readPackages: async () => {
    let n = 0;
    for await (const _ of readPackages(chunks())) n++;
    return n;
  },
  readline: readlineParse,
};

const rates: Record<string, number[]> = {};
const out: Record<string, number> = { parseMB: text.length / 1e6 };
for (let round = 0; round <= 3; round++)
  for (const [name, parse] of Object.entries(PARSERS)) {
    gcTwice();
    const t = performance.now();
    const n = await parse();
    const mbps = text.length / 1e6 / ((performance.now() - t) / 1000);
    out[`${name}Paragraphs`] = n;
    if (round > 0) (rates[name] ??= []).push(mbps);
  }
for (const [name, r] of Object.entries(rates)) out[`${name}Mbps`] = median(r);
emit(out);
