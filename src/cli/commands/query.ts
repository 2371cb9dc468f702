/** `leanrec query <db> ['<query>'] [--where field=value …] [--count]`: aptly package queries or hot-field equalities. */
import { parseArgs } from 'node:util';
import { debianPackages, parseQuery } from '../../debian/index.ts';
import { type Command, openExisting, UsageError } from '../common.ts';

const help = `Usage: leanrec query <db> '<query>' [--count]
       leanrec query <db> [--where field=value ...] [--count]

Prints "package version architecture" for every record matching, or their number with
--count. <query> is an aptly package query (README "Package queries"), e.g.
'Priority (required), $Architecture (amd64) | Name (% lib*-dev)'.
--where conditions are equalities on hot fields: ${debianPackages.hotFields.map((f) => f.name).join(', ')}
(deb822 spellings such as Installed-Size work too). Numbers are parsed for numeric
fields, true/false for flags; several --where on one field match any of the values.

Options:
  -w, --where <field=value>   a condition (repeatable)
  -c, --count                 print the number of matches only
  -h, --help                  this help`;

const NUMERIC = new Set(['u8', 'u16', 'u32', 'i32', 'f32', 'f64']);

/** The hot field named `name`, accepting deb822 spellings (`Installed-Size` → `installedSize`). */
function fieldName(name: string): string {
  if (debianPackages.byName.has(name)) return name;
  const norm = name.toLowerCase().replace(/-/g, '');
  for (const f of debianPackages.hotFields) if (f.name.toLowerCase() === norm) return f.name;
  return name; // unknown: the store reports it (E_ARGUMENT)
}

/** Parses `--where` conditions into a filter. */
export function parseWhere(conds: readonly string[]): Record<string, unknown> {
  const filter: Record<string, unknown[]> = {};
  for (const c of conds) {
    const eq = c.indexOf('=');
    if (eq <= 0) throw new UsageError(`--where needs field=value, got "${c}"`);
    const name = fieldName(c.slice(0, eq));
    const text = c.slice(eq + 1);
    const info = debianPackages.byName.get(name);
    let value: unknown = text;
    if (info !== undefined && info.tier === 'hot') {
      const kind = info.field.kind;
      if (NUMERIC.has(kind)) {
        value = text.trim() === '' ? Number.NaN : Number(text);
        if (!Number.isFinite(value as number))
          throw new UsageError(`--where ${name}: "${text}" is not a number`);
      } else if (kind === 'flag') {
        if (text !== 'true' && text !== 'false')
          throw new UsageError(`--where ${name}: a flag is true or false, got "${text}"`);
        value = text === 'true';
      }
    }
    (filter[name] ??= []).push(value);
  }
  const out: Record<string, unknown> = {};
  for (const [k, vs] of Object.entries(filter)) out[k] = vs.length === 1 ? vs[0] : vs;
  return out;
}

export const query: Command = {
  name: 'query',
  summary: "list or count records matching an aptly query ('Priority (required)') or --where",
  help,
  async run(args, { out }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        where: { type: 'string', short: 'w', multiple: true },
        count: { type: 'boolean', short: 'c' },
      },
    });
    if (positionals.length < 1 || positionals.length > 2)
      throw new UsageError("query takes <db> and at most one '<query>'");
    const text = positionals[1];
    if (text !== undefined && values.where !== undefined)
      throw new UsageError("give a '<query>' or --where conditions, not both");
    const filter = parseWhere(values.where ?? []);
    const tree = text === undefined ? undefined : parseQuery(text);
    const store = await openExisting(positionals[0]!);
    try {
      const views =
        tree === undefined
          ? store.where(filter as never, { reuse: true })
          : store.query(tree, { reuse: true });
      if (values.count === true) {
        let n = 0;
        for (const _ of views) n++;
        await out.write(`${n}\n`);
      } else {
        for (const v of views) await out.write(`${v.package} ${v.version} ${v.architecture}\n`);
      }
    } finally {
      await store.close();
    }
    return 0;
  },
};
