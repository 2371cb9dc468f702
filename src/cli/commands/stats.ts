/** `leanrec stats <db>`: what the store holds and what it costs, part by part. */
import { parseArgs } from 'node:util';
import { bytes, type Command, EXIT_HELP, int, UsageError, withStore } from '../common.ts';

const help = `Usage: leanrec stats <db>

Prints the store's memory: every part (columns, string pool, indexes, cache, LevelDB's
configured cache and write buffer) with its bytes and share, then the totals. <db>
holds a Packages or a Sources index.

Options:
  -h, --help          this help

${EXIT_HELP}`;

export const stats: Command = {
  name: 'stats',
  summary: "the store's memory, part by part",
  help,
  async run(args, { out }) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    if (positionals.length !== 1) throw new UsageError('stats takes one <db>');
    await withStore(positionals[0]!, async ({ kind, store }) => {
      const m = store.memory();
      const rows: [string, string, string, string][] = m.parts
        .filter((p) => p.bytes > 0)
        .sort((a, b) => b.bytes - a.bytes)
        .map((p) => [p.name, p.kind, int(p.bytes), share(p.bytes, m.total)]);
      rows.push(
        ['hot tier', '', int(m.hot), share(m.hot, m.total)],
        ['total', '', int(m.total), '100.0%'],
      );
      const w0 = Math.max(4, ...rows.map((r) => r[0].length));
      const w1 = Math.max(4, ...rows.map((r) => r[1].length));
      const w2 = Math.max(5, ...rows.map((r) => r[2].length));
      const line = (r: readonly string[]) =>
        `${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]!.padStart(w2)}  ${r[3]!.padStart(6)}\n`;
      let text = line(['part', 'kind', 'bytes', 'share']);
      text += `${'-'.repeat(w0 + w1 + w2 + 12)}\n`;
      for (const r of rows.slice(0, -2)) text += line(r);
      text += `${'-'.repeat(w0 + w1 + w2 + 12)}\n`;
      for (const r of rows.slice(-2)) text += line(r);
      // No per-record figure without records: it would be the fixed costs alone.
      const perRecord = m.records === 0 ? '' : `; hot ${(m.hot / m.records).toFixed(1)} B/record`;
      text += `records ${int(m.records)}${perRecord}; total ${bytes(m.total)}; cache ${int(m.cacheEntries)} entries; ${kind}\n`;
      await out.write(text);
    });
    return 0;
  },
};

function share(part: number, total: number): string {
  return `${total === 0 ? '0.0' : ((part / total) * 100).toFixed(1)}%`;
}
