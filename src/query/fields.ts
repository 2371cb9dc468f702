/**
 * Query field names → where their values live. A name is matched against the schema's
 * fields case-insensitively with dashes dropped (`Installed-Size` → `installedSize`,
 * `Pre-Depends` → `preDepends`), so any schema can be queried; aptly's special fields
 * resolve when the schema has what they read:
 *
 *   Name           package
 *   $Version       version (dpkg ordering, as `Version`)
 *   $Architecture  architecture; with `=`, `all` matches every architecture but `source`
 *   $Source        source, else package        $SourceVersion  sourceVersion, else version
 *   $PackageType   `deb` (`source` for a schema keyed by package and version only)
 *   Source         `source (sourceVersion)` as the index writes it; empty when the
 *                  paragraph had none (the Debian mapping then stores the package's own
 *                  name as `source`). A literal `Source:` naming the package itself
 *                  without a version — which dpkg never writes (none in the pinned
 *                  bookworm index) — is kept as text in `rest` and reads as empty here.
 *
 * Fields of a cold group named `relations` hold relation lists (`Depends`, `Provides`…) and
 * are matched per relation: `Depends (libc6)` holds when one relation names libc6.
 * A name the schema does not know is looked up in the cold `rest` pairs (fields the
 * Debian mapping keeps as text), when the schema has them.
 */
import { LeanrecError } from '../errors.ts';
import type { HotTier } from '../hot/tier.ts';
import type { AnySchema, FieldInfo } from '../schema/schema.ts';
import type { ValueKind } from './predicate.ts';

/** Where a query field's text comes from. */
export type FieldRef = { readonly kind: ValueKind } & (
  | { readonly at: 'enum'; readonly index: number; readonly archEquals?: string }
  | { readonly at: 'string'; readonly indexes: readonly number[] }
  | { readonly at: 'number' | 'flag'; readonly index: number }
  | { readonly at: 'hot'; text(tier: HotTier, row: number): string }
  | { readonly at: 'constant'; readonly value: string }
  | {
      readonly at: 'cold';
      readonly group: string;
      /** Matched per relation (package name by package name). */
      readonly relation: boolean;
      text(group: Record<string, unknown>): string;
    }
);

/** Record keys that are bookkeeping of the mapping, not deb822 fields. */
const INTERNAL = new Set(['rest', 'order', 'lineEnd']);
const VERSIONS = new Set(['version', 'sourceVersion']);
const NUMERIC = new Set(['u8', 'u16', 'u32', 'i32', 'f32', 'f64']);

const norm = (s: string): string => s.toLowerCase().replace(/-/g, '');

function unknown(name: string): never {
  throw new LeanrecError('E_ARGUMENT', `query names unknown field "${name}"`, { field: name });
}

function need(schema: AnySchema, key: string, name: string): FieldInfo {
  return schema.byName.get(key) ?? unknown(name);
}

const asText = (v: unknown): string =>
  v === undefined || v === null || v === false
    ? ''
    : v === true
      ? 'yes'
      : Array.isArray(v)
        ? v.join(', ')
        : String(v);

/** The reference of one schema field. */
function refOf(f: FieldInfo, kind: ValueKind): FieldRef {
  if (f.tier === 'cold') {
    const name = f.name;
    return {
      at: 'cold',
      kind,
      group: f.group!,
      relation: f.group === 'relations',
      text: (g) => asText(g[name]),
    };
  }
  const k = f.field.kind;
  if (k === 'enum') return { at: 'enum', kind, index: f.index };
  if (k === 'string') return { at: 'string', kind, indexes: [f.index] };
  if (k === 'flag') return { at: 'flag', kind, index: f.index };
  if (NUMERIC.has(k)) return { at: 'number', kind: 'number', index: f.index };
  const i = f.index;
  return { at: 'hot', kind, text: (tier, row) => asText(tier.read(row, i)) };
}

/**
 * Resolves the query field `name` against `schema`. `archEquals` is the value of an
 * `$Architecture (= …)` condition (which aptly matches with `all` packages too).
 *
 * @throws LeanrecError `E_ARGUMENT` for a field the schema does not have.
 */
export function resolveField(schema: AnySchema, name: string, archEquals?: string): FieldRef {
  switch (name) {
    case 'Name':
      return refOf(need(schema, 'package', name), 'text');
    case '$Version':
    case 'Version':
      return refOf(need(schema, 'version', name), 'version');
    case '$Architecture': {
      const f = need(schema, 'architecture', name);
      const ref = refOf(f, 'text');
      return ref.at === 'enum' && archEquals !== undefined ? { ...ref, archEquals } : ref;
    }
    case '$Source':
    case '$SourceVersion': {
      const [own, fallback] =
        name === '$Source' ? ['source', 'package'] : ['sourceVersion', 'version'];
      const a = need(schema, own, name);
      const b = need(schema, fallback, name);
      const kind = name === '$Source' ? 'text' : 'version';
      if (
        a.tier === 'hot' &&
        b.tier === 'hot' &&
        a.field.kind === 'string' &&
        b.field.kind === 'string'
      )
        return { at: 'string', kind, indexes: [a.index, b.index] };
      return unknown(name);
    }
    case '$PackageType':
      return {
        at: 'constant',
        kind: 'text',
        value:
          schema.byName.has('architecture') && schema.keyFields.length === 3 ? 'deb' : 'source',
      };
    case 'Source': {
      const src = schema.byName.get('source');
      const sv = schema.byName.get('sourceVersion');
      const pkg = schema.byName.get('package');
      if (src?.tier === 'hot' && sv?.tier === 'hot') {
        const i = src.index;
        const j = sv.index;
        const k = pkg?.tier === 'hot' ? pkg.index : -1;
        return {
          at: 'hot',
          kind: 'text',
          text(tier, row) {
            const s = asText(tier.read(row, i));
            const v = asText(tier.read(row, j));
            if (v !== '') return `${s} (${v})`;
            // The package's own name without a version: the paragraph had no Source.
            return k >= 0 && s === asText(tier.read(row, k)) ? '' : s;
          },
        };
      }
    }
  }
  const key = norm(name);
  for (const f of [...schema.hotFields, ...schema.byName.values()])
    if (norm(f.name) === key && !INTERNAL.has(f.name))
      return refOf(f, VERSIONS.has(f.name) ? 'version' : 'text');
  const rest = schema.byName.get('rest');
  if (rest?.tier !== 'cold' || name.startsWith('$')) return unknown(name);
  const lower = name.toLowerCase();
  return {
    at: 'cold',
    kind: 'text',
    group: rest.group!,
    relation: false,
    text(g) {
      const pairs = g.rest as [string, string][] | undefined;
      return pairs?.find(([n]) => n.toLowerCase() === lower)?.[1] ?? '';
    },
  };
}
