/** `leanrec ingest <index> --db <dir>`: stream a Packages index into a store on disk. */
import { createReadStream, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { debianPackages, readPackages } from '../../debian/index.ts';
import { openStore } from '../../index.ts';
import { bytes, CliError, type Command, int, UsageError } from '../common.ts';

const help = `Usage: leanrec ingest <index> --db <dir>

Streams a Debian Packages index (plain, .gz, .xz or .lz4) into the store in <dir>
(created when missing; records already there with the same key are replaced).
Shows progress on stderr when it is a terminal, then a summary.

All or nothing: when the index fails part-way (a parse error, a truncated archive, an
I/O error), the store is left as it was, also if the process is killed. After an
ingest that replaced records, the store is compacted (the replaced records' rows freed).

Options:
  --db <dir>          the database directory (required)
  --batch-size <n>    records per batch (default 1000)
  --no-atomic         keep the batches written before a failure (the error says how
                      many records they held); each batch is still atomic
  -h, --help          this help`;

export const ingest: Command = {
  name: 'ingest',
  summary: 'stream a Packages index into a store (--db <dir>)',
  help,
  async run(args, { out, tty }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        db: { type: 'string' },
        'batch-size': { type: 'string' },
        'no-atomic': { type: 'boolean' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('ingest takes one index file');
    if (values.db === undefined) throw new UsageError('ingest needs --db <dir>');
    const file = positionals[0]!;
    let batchSize = 1000;
    if (values['batch-size'] !== undefined) {
      batchSize = Number(values['batch-size']);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new UsageError(
          `--batch-size must be a positive integer, got ${values['batch-size']}`,
        );
    }
    let total: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new CliError(`${file} is not a file`);
      total = st.size;
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`cannot read ${file}: no such file`);
    }

    // Count the (possibly compressed) bytes read, for the progress bar.
    let read = 0;
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
        read += (chunk as Buffer).length;
        yield chunk as Buffer;
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
      const mbs = s > 0 ? read / 1e6 / s : 0;
      process.stderr.write(
        `\r[${bar}] ${(share * 100).toFixed(0).padStart(3)}%  ${int(records)} records  ${mbs.toFixed(1)} MB/s `,
      );
      if (final) process.stderr.write('\n');
    };

    const atomic = values['no-atomic'] !== true;
    const store = await openStore(debianPackages, { path: values.db });
    let result: Awaited<ReturnType<typeof store.ingest>>;
    try {
      result = await store.ingest(readPackages(counted(), { file }), {
        batchSize,
        atomic,
        ...(tty ? { onBatch: (p) => draw(p.written, false) } : {}),
      });
      if (tty) draw(result.written, true);
      // An atomic ingest leaves each record it replaced as a tombstone row (the library
      // never moves rows behind a caller's views); this command holds none, so it frees
      // them (a whole index ingested again: 107 → 70 B/record of hot memory).
      if (atomic && result.updated > 0) await store.compact();
      const secs = (performance.now() - start) / 1000;
      const mem = store.memory();
      await out.write(
        `records     ${int(result.written)} (${int(result.inserted)} new, ${int(result.updated)} replaced; ${int(mem.records)} in the store)\n` +
          `records/s   ${int(result.written / secs)} (${secs.toFixed(2)} s, ${(read / 1e6 / secs).toFixed(1)} MB/s of ${file})\n` +
          `memory      ${bytes(mem.total)} total (memory().total)\n` +
          `hot         ${bytes(mem.hot)} (${(mem.hot / Math.max(1, mem.records)).toFixed(1)} B/record)\n`,
      );
    } catch (e) {
      if (tty) process.stderr.write('\n');
      throw e;
    } finally {
      await store.close();
    }
    return 0;
  },
};
