/** `leanrec ingest <index> --db <dir>`: stream a Packages or Sources index into a store on disk. */
import { createReadStream, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Paragraph } from '../../debian/deb822.ts';
import { parseDeb822 } from '../../debian/index.ts';
import { openInput } from '../../debian/input.ts';
import { packageRecord, sourceRecord } from '../../debian/read.ts';
import { LeanrecError } from '../../errors.ts';
import { openStore } from '../../store/open.ts';
import {
  bytes,
  CliError,
  type Command,
  EXIT_HELP,
  fileError,
  inDatabase,
  int,
  SCHEMAS,
  UsageError,
} from '../common.ts';
import {
  MEMSTATS_HELP,
  memstatsOptions,
  startMemstats,
  XZ_HELP,
  xzMemoryLimit,
  xzOption,
} from '../options.ts';

const help = `Usage: leanrec ingest <index> --db <dir> [--schema debian-packages|debian-sources]

Streams a Debian Packages or Sources index (plain, .gz, .xz or .lz4) into the store in
<dir> (created when missing; records already there with the same key are replaced).
Which of the two the index is comes from its first paragraph (a Sources paragraph has
Binary, Format, Files or Directory); --schema says it instead. A store holds one kind.
Shows progress on stderr when it is a terminal, then a summary.

All or nothing: when the index fails part-way (a parse error, a truncated archive, an
I/O error), the store is left as it was, also if the process is killed. After an
ingest that replaced records, the store is compacted (the replaced records' rows freed).

Options:
  --db <dir>               the database directory (required)
  --schema <name>          debian-packages or debian-sources (default: detected)
  --batch-size <n>         records per batch (default 1000)
  --no-atomic              keep the batches written before a failure (the error says how
                           many records they held); each batch is still atomic
${XZ_HELP}
${MEMSTATS_HELP}
  -h, --help               this help

${EXIT_HELP}`;

type SchemaName = keyof typeof SCHEMAS;

/** Fields only a Sources paragraph has (a Packages paragraph has Filename instead). */
const SOURCE_ONLY = ['Binary', 'Format', 'Files', 'Directory', 'Package-List'];

/** Which index a paragraph comes from. */
export function detectSchema(p: Paragraph): SchemaName {
  for (const [name] of p.fields) if (SOURCE_ONLY.includes(name)) return 'debian-sources';
  return 'debian-packages';
}

export const ingest: Command = {
  name: 'ingest',
  summary: 'stream a Packages or Sources index into a store (--db <dir>)',
  help,
  async run(args, { out, tty }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        db: { type: 'string' },
        schema: { type: 'string' },
        'batch-size': { type: 'string' },
        'no-atomic': { type: 'boolean' },
        ...xzOption,
        ...memstatsOptions,
      },
    });
    if (positionals.length !== 1) throw new UsageError('ingest takes one index file');
    if (values.db === undefined) throw new UsageError('ingest needs --db <dir>');
    const db = values.db;
    const file = positionals[0]!;
    let batchSize = 1000;
    if (values['batch-size'] !== undefined) {
      batchSize = Number(values['batch-size']);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new UsageError(
          `--batch-size must be a positive integer, got ${values['batch-size']}`,
        );
    }
    const forced = values.schema;
    if (forced !== undefined && !Object.hasOwn(SCHEMAS, forced))
      throw new UsageError(
        `--schema: unknown schema "${forced}" (debian-packages or debian-sources)`,
      );
    const xzLimit = xzMemoryLimit(values['xz-memory-limit']);
    let total: number;
    try {
      const st = statSync(file);
      if (!st.isFile())
        throw new CliError('E_USAGE', `${file} is not a file`, {
          hint: 'give the path of a Packages or Sources index',
        });
      total = st.size;
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw fileError(e, `cannot read the index ${file}`);
    }
    const memstats = startMemstats(values);

    // Bytes read from the file (compressed, for the progress bar) and decompressed (the rate).
    let read = 0;
    let text = 0;
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
        read += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    }
    async function* decompressed(): AsyncGenerator<Uint8Array> {
      const input = openInput(counted(), {
        file,
        ...(xzLimit === undefined ? {} : { xzMemoryLimit: xzLimit }),
      });
      for await (const chunk of input) {
        text += chunk.length;
        yield chunk;
      }
    }

    const start = performance.now();
    let lastDraw = 0;
    const draw = (records: number, final: boolean): void => {
      const now = performance.now();
      if (!final && now - lastDraw < 100) return;
      lastDraw = now;
      const s = (now - start) / 1000;
      const share = total === 0 ? 1 : read / total;
      const width = 30;
      const fill = Math.min(width, Math.round(share * width));
      const bar = `${'#'.repeat(fill)}${'.'.repeat(width - fill)}`;
      const mbs = s > 0 ? text / 1e6 / s : 0;
      process.stderr.write(
        `\r[${bar}] ${(share * 100).toFixed(0).padStart(3)}%  ${int(records)} records  ${mbs.toFixed(1)} MB/s `,
      );
      if (final) process.stderr.write('\n');
    };

    try {
      const paragraphs = parseDeb822(decompressed(), { file });
      // The first paragraph says which index this is; it is then ingested like the rest.
      const first = await paragraphs.next();
      const kind: SchemaName =
        (forced as SchemaName | undefined) ??
        (first.done ? 'debian-packages' : detectSchema(first.value));
      const toRecord = kind === 'debian-sources' ? sourceRecord : packageRecord;
      async function* records(): AsyncGenerator<Record<string, unknown>> {
        if (!first.done) yield toRecord(first.value, file) as Record<string, unknown>;
        for await (const p of paragraphs) yield toRecord(p, file) as Record<string, unknown>;
      }

      const atomic = values['no-atomic'] !== true;
      let store: Awaited<ReturnType<typeof openStore>>;
      try {
        store = await openStore(SCHEMAS[kind] as never, { path: db });
      } catch (e) {
        if (e instanceof LeanrecError && e.code === 'E_SCHEMA')
          throw new CliError(
            'E_SCHEMA',
            `${file} is a ${kind} index and ${db} holds another kind`,
            {
              cause: e,
              hint: `ingest it into another --db${forced === undefined ? ', or name its kind with --schema' : ''}`,
            },
          );
        throw inDatabase(e, db);
      }
      let result: Awaited<ReturnType<typeof store.ingest>>;
      try {
        result = await store.ingest(records() as never, {
          batchSize,
          atomic,
          ...(tty ? { onBatch: (p) => draw(p.written, false) } : {}),
        });
        if (tty) draw(result.written, true);
        memstats?.mark('ingest done');
        // An atomic ingest leaves each record it replaced as a tombstone row (the library
        // never moves rows behind a caller's views); this command holds none, so it frees
        // them (a whole index ingested again: 107 → 70 B/record of hot memory).
        if (atomic && result.updated > 0) {
          await store.compact();
          memstats?.mark('compacted');
        }
        const secs = (performance.now() - start) / 1000;
        const mem = store.memory();
        // Both rates: the decompressed one is the parser's work, the file's is the disk's.
        const rate =
          text === read
            ? `${(text / 1e6 / secs).toFixed(1)} MB/s of ${file}`
            : `${(text / 1e6 / secs).toFixed(1)} MB/s decompressed, ${(read / 1e6 / secs).toFixed(1)} MB/s of ${file}`;
        const perRecord =
          mem.records === 0 ? '' : ` (${(mem.hot / mem.records).toFixed(1)} B/record)`;
        await out.write(
          `records     ${int(result.written)} (${int(result.inserted)} new, ${int(result.updated)} replaced; ${int(mem.records)} in the store)\n` +
            `records/s   ${int(result.written / secs)} (${secs.toFixed(2)} s, ${rate})\n` +
            `memory      ${bytes(mem.total)} total (memory().total)\n` +
            `hot         ${bytes(mem.hot)}${perRecord}\n` +
            `schema      ${kind}${forced === undefined ? ' (detected from the first paragraph)' : ''}\n`,
        );
      } catch (e) {
        if (tty) process.stderr.write('\n');
        // The library names its option; the command line has its own.
        if (
          e instanceof LeanrecError &&
          e.code === 'E_LIMIT' &&
          e.message.includes('xzMemoryLimit')
        )
          throw new CliError('E_LIMIT', e.message.replace('xzMemoryLimit', '--xz-memory-limit'), {
            cause: e.cause,
          });
        throw inDatabase(e, db);
      } finally {
        await store.close();
      }
    } catch (e) {
      // The library names its option; the command line has its own.
      if (e instanceof LeanrecError && e.code === 'E_LIMIT' && e.message.includes('xzMemoryLimit'))
        throw new CliError('E_LIMIT', e.message.replace('xzMemoryLimit', '--xz-memory-limit'), {
          cause: e.cause,
        });
      throw e;
    } finally {
      await memstats?.stop();
    }
    return 0;
  },
};
