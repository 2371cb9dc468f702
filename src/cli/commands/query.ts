/** `leanrec query <db> ['<query>'] [--where field=value …] [--count]`: aptly package queries or hot-field equalities. */
import { parseArgs } from 'node:util';
import { debianPackages, debianSources, parseQuery } from '../../debian/index.ts';
import type { AnySchema } from '../../schema/schema.ts';
import { type Command, EXIT_HELP, UsageError, withStore } from '../common.ts';
import { MEMSTATS_HELP, memstatsOptions, startMemstats } from '../options.ts';

const help = `Usage: leanrec query <db> '<query>' [--count]
       leanrec query <db> [--where field=value ...] [--count]

Prints "package version architecture" for every record matching, or their number with
--count. <query> is an aptly package query (README "Package queries"), e.g.
'Priority (required), $Architecture (amd64) | Name (% lib*-dev)'.
--where conditions are equalities on hot fields (deb822 spellings such as
Installed-Size work too):
  Packages: ${debianPackages.hotFields.map((f) => f.name).join(', ')}
  Sources:  ${debianSources.hotFields.map((f) => f.name).join(', ')}
In a Packages store, source=X finds every binary built from X: a package without a
Source field is its own source. Numbers are parsed for numeric
fields, true/false for flags; several --where on one field match any of the values.

Options:
  -w, --where <field=value>   a condition (repeatable)
  -c, --count                 print the number of matches only
${MEMSTATS_HELP}
  -h, --help                  this help

${EXIT_HELP}`;

const NUMERIC = new Set(['u8', 'u16', 'u32', 'i32', 'f32', 'f64']);

/** The hot field named `name`, accepting deb822 spellings (`Installed-Size` → `installedSize`). */
function fieldName(schema: AnySchema, name: string): string {
  if (schema.byName.has(name)) return name;
  const norm = name.toLowerCase().replace(/-/g, '');
  for (const f of schema.hotFields) if (f.name.toLowerCase() === norm) return f.name;
  return name; // unknown: the store reports it (E_ARGUMENT)
}

/** Parses `--where` conditions into a filter on records of `schema` (default: Packages). */
export function parseWhere(
  conds: readonly string[],
  schema: AnySchema = debianPackages as unknown as AnySchema,
): Record<string, unknown> {
  const filter: Record<string, unknown[]> = {};
  for (const c of conds) {
    const eq = c.indexOf('=');
    if (eq <= 0) throw new UsageError(`--where needs field=value, got "${c}"`);
    const name = fieldName(schema, c.slice(0, eq));
    const text = c.slice(eq + 1);
    const info = schema.byName.get(name);
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
  summary:
    'list or count records by an aptly package query or hot-field equality (--where f=v, --count)',
  help,
  async run(args, { out }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        where: { type: 'string', short: 'w', multiple: true },
        count: { type: 'boolean', short: 'c' },
        ...memstatsOptions,
      },
    });
    if (positionals.length < 1 || positionals.length > 2)
      throw new UsageError("query takes <db> and at most one '<query>'");
    const text = positionals[1];
    if (text !== undefined && values.where !== undefined)
      throw new UsageError("give a '<query>' or --where conditions, not both");
    const where = values.where ?? [];
    // Parsed before the database is opened: a typo costs no open.
    const tree = text === undefined ? undefined : parseQuery(text);
    const memstats = startMemstats(values);
    try {
      await withStore(positionals[0]!, async ({ store }) => {
        if (tree === undefined) {
          const filter = parseWhere(where, store.schema as unknown as AnySchema);
          if (values.count === true) {
            await out.write(`${store.count(filter as never)}\n`);
          } else {
            for (const v of store.where(filter as never, { reuse: true }))
              await out.write(`${v.package} ${v.version} ${v.architecture ?? ''}\n`);
          }
        } else {
          const views = store.query(tree, { reuse: true }) as Iterable<{
            package: string;
            version: string;
            architecture?: string;
          }>;
          if (values.count === true) {
            let n = 0;
            for (const _ of views) n++;
            await out.write(`${n}\n`);
          } else {
            for (const v of views)
              await out.write(`${v.package} ${v.version} ${v.architecture ?? ''}\n`);
          }
        }
        memstats?.mark('query done');
      });
    } finally {
      await memstats?.stop();
    }
    return 0;
  },
};
