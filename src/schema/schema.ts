import { LeanrecError } from '../errors.ts';
import { type AnyField, describeFieldType, Field, type FieldMap } from './field.ts';
import { fingerprintOf, type SchemaDescriptor } from './fingerprint.ts';

/** Names that a hot field cannot take: they are methods of record views. */
export const RESERVED_VIEW_NAMES: ReadonlySet<string> = new Set([
  'toObject',
  'cold',
  'load',
  'record',
  'loadRecord',
]);

/** The group name used when `cold` is given as a plain field map. */
export const DEFAULT_GROUP = 'cold';

/** One field of a schema, resolved: where it lives and its position. */
export interface FieldInfo {
  /** The field's name in records. */
  readonly name: string;
  /** Its type. */
  readonly field: AnyField;
  /** `'hot'` (RAM columns) or `'cold'` (LevelDB, on demand). */
  readonly tier: 'hot' | 'cold';
  /** The cold group, for cold fields. */
  readonly group: string | undefined;
  /** Position among the fields of its tier (hot) or its group (cold). */
  readonly index: number;
}

/** One cold group: a name and its fields. */
export interface ColdGroup {
  readonly name: string;
  /** Group number, used in the LevelDB layout (0…255). */
  readonly code: number;
  readonly fields: readonly FieldInfo[];
}

/** What `schema()` takes. */
export interface SchemaDefinition<
  H extends FieldMap,
  C extends FieldMap | { readonly [group: string]: FieldMap },
  K extends readonly (keyof H & string)[],
> {
  /** The hot fields that identify a record, in order. Must be required scalar hot fields. */
  readonly key: K;
  /** Fields kept in RAM columns. */
  readonly hot: H;
  /** Fields kept in the cold tier: a field map (one group) or a map of named groups. */
  readonly cold?: C;
}

type GroupsOf<C> = C extends FieldMap
  ? [keyof C] extends [never]
    ? {}
    : { readonly cold: C }
  : C extends { readonly [group: string]: FieldMap }
    ? C
    : {};

/** Builds a schema; set by the class's static block (the constructor is private). */
let construct: (def: SchemaDefinition<FieldMap, FieldMap, readonly string[]>) => AnySchema;

/**
 * A compiled schema. Create with {@link schema}. Immutable.
 *
 * @typeParam H - hot field map.
 * @typeParam G - cold groups (group name → field map).
 * @typeParam K - key field names.
 */
export class Schema<
  H extends FieldMap = FieldMap,
  G extends object = object,
  K extends readonly string[] = readonly string[],
> {
  /** Type-only marker of the cold groups. */
  declare readonly '~groups': G;
  /** Key field names, in order. */
  readonly key: K;
  /** The hot field map as declared. */
  readonly hot: H;
  /** @internal Hot fields in declaration order. */
  readonly hotFields: readonly FieldInfo[];
  /** @internal Cold groups in declaration order. */
  readonly groups: readonly ColdGroup[];
  /** @internal Every field by name. */
  readonly byName: ReadonlyMap<string, FieldInfo>;
  /** @internal Key fields, in key order. */
  readonly keyFields: readonly FieldInfo[];
  /** @internal A JSON-safe description of the schema (what the fingerprint hashes). */
  readonly descriptor: SchemaDescriptor;
  /**
   * Stable hex fingerprint of the descriptor: equal for structurally equal schemas. A
   * store checks it against the schema its database was written with when it opens.
   */
  readonly fingerprint: string;
  readonly #groupsByName: ReadonlyMap<string, ColdGroup>;

  static {
    construct = (def) => new Schema(def);
  }

  // Private rather than tagged internal, so that the declarations do not offer a public
  // `new Schema()`: schemas come from `schema()`.
  private constructor(
    def: SchemaDefinition<
      H,
      FieldMap | { readonly [g: string]: FieldMap },
      K & readonly (keyof H & string)[]
    >,
  ) {
    if (def === null || typeof def !== 'object')
      throw new LeanrecError('E_SCHEMA', 'schema(): expected { key, hot, cold? }');
    const hot = def.hot;
    if (hot === null || typeof hot !== 'object')
      throw new LeanrecError('E_SCHEMA', 'schema(): `hot` must be a map of field types');
    const byName = new Map<string, FieldInfo>();
    const hotFields: FieldInfo[] = [];
    for (const name of Object.keys(hot)) {
      const field = hot[name];
      checkField(name, field, 'hot');
      if (RESERVED_VIEW_NAMES.has(name))
        throw new LeanrecError(
          'E_SCHEMA',
          `hot field "${name}": the name is reserved for a record-view method (${[...RESERVED_VIEW_NAMES].join(', ')})`,
          { field: name },
        );
      if (field.kind === 'json')
        throw new LeanrecError(
          'E_SCHEMA',
          `hot field "${name}": t.json() is for cold fields only`,
          {
            field: name,
          },
        );
      const info: FieldInfo = {
        name,
        field,
        tier: 'hot',
        group: undefined,
        index: hotFields.length,
      };
      hotFields.push(info);
      byName.set(name, info);
    }
    const groups: ColdGroup[] = [];
    const cold = def.cold ?? {};
    if (cold === null || typeof cold !== 'object')
      throw new LeanrecError('E_SCHEMA', 'schema(): `cold` must be a field map or a map of groups');
    const entries = Object.entries(cold);
    const fieldCount = entries.filter(([, v]) => v instanceof Field).length;
    if (fieldCount !== 0 && fieldCount !== entries.length)
      throw new LeanrecError(
        'E_SCHEMA',
        'schema(): `cold` mixes fields and groups; give either a field map or a map of named groups',
      );
    const groupDefs: [string, FieldMap][] =
      fieldCount > 0 ? [[DEFAULT_GROUP, cold as FieldMap]] : (entries as [string, FieldMap][]);
    if (groupDefs.length > 255)
      throw new LeanrecError('E_SCHEMA', `schema(): ${groupDefs.length} cold groups, at most 255`);
    for (const [gname, fields] of groupDefs) {
      if (fields === null || typeof fields !== 'object')
        throw new LeanrecError('E_SCHEMA', `cold group "${gname}" must be a map of field types`);
      const infos: FieldInfo[] = [];
      for (const name of Object.keys(fields)) {
        const field = fields[name];
        checkField(name, field, `cold group "${gname}"`);
        if (byName.has(name))
          throw new LeanrecError(
            'E_SCHEMA',
            `field "${name}" is declared twice (${describePlace(byName.get(name)!)} and cold group "${gname}")`,
            { field: name },
          );
        const info: FieldInfo = { name, field, tier: 'cold', group: gname, index: infos.length };
        infos.push(info);
        byName.set(name, info);
      }
      if (infos.length === 0)
        throw new LeanrecError('E_SCHEMA', `cold group "${gname}" has no fields`);
      groups.push({ name: gname, code: groups.length, fields: infos });
    }
    if (!Array.isArray(def.key) || def.key.length === 0)
      throw new LeanrecError('E_SCHEMA', 'schema(): `key` must name at least one hot field');
    const keyFields: FieldInfo[] = [];
    for (const k of def.key) {
      const info = byName.get(k);
      if (info === undefined)
        throw new LeanrecError('E_SCHEMA', `key field "${k}" is not declared`, { field: k });
      if (info.tier !== 'hot')
        throw new LeanrecError('E_SCHEMA', `key field "${k}" must be a hot field`, { field: k });
      if (info.field.isOptional)
        throw new LeanrecError('E_SCHEMA', `key field "${k}" cannot be optional`, { field: k });
      if (info.field.kind === 'list')
        throw new LeanrecError('E_SCHEMA', `key field "${k}" cannot be a list`, { field: k });
      if (keyFields.includes(info))
        throw new LeanrecError('E_SCHEMA', `key field "${k}" is named twice`, { field: k });
      keyFields.push(info);
    }
    this.key = Object.freeze([...def.key]) as unknown as K;
    this.hot = hot;
    this.hotFields = Object.freeze(hotFields);
    this.groups = Object.freeze(groups);
    this.#groupsByName = new Map(groups.map((g) => [g.name, g]));
    this.byName = byName;
    this.keyFields = Object.freeze(keyFields);
    this.descriptor = {
      key: [...def.key],
      hot: hotFields.map((f) => [f.name, describeFieldType(f.field)]),
      groups: groups.map((g) => [
        g.name,
        g.fields.map((f) => [f.name, describeFieldType(f.field)]),
      ]),
    };
    this.fingerprint = fingerprintOf(this.descriptor);
    Object.freeze(this);
  }

  /** @internal The cold group named `name`, or `undefined`. */
  group(name: string): ColdGroup | undefined {
    return this.#groupsByName.get(name);
  }
}

function describePlace(info: FieldInfo): string {
  return info.tier === 'hot' ? 'hot' : `cold group "${info.group}"`;
}

function checkField(name: string, field: unknown, where: string): asserts field is AnyField {
  if (!(field instanceof Field))
    throw new LeanrecError('E_SCHEMA', `${where} field "${name}" is not a field type (use t.*)`, {
      field: name,
    });
  if (name.length === 0 || !name.isWellFormed())
    throw new LeanrecError(
      'E_SCHEMA',
      `${where}: field names must be non-empty, well-formed strings`,
      {
        field: name,
      },
    );
  if (field.isIndexed && where !== 'hot')
    throw new LeanrecError(
      'E_SCHEMA',
      `${where} field "${name}": only hot fields can be .indexed()`,
      {
        field: name,
      },
    );
}

/**
 * Declares a schema: which fields a record has, which are hot (RAM columns) and which
 * are cold (LevelDB, loaded on demand), and which hot fields make the key.
 *
 * @throws LeanrecError `E_SCHEMA` — a key field that is not a required scalar hot field,
 * a name declared twice, a reserved name on a hot field, a `t.json()` hot field,
 * an empty cold group, more than 255 cold groups.
 * @example
 * ```ts
 * const Pkg = schema({
 *   key: ['name', 'version'],
 *   hot: { name: t.string(), version: t.string(), size: t.u32() },
 *   cold: { text: { description: t.string() }, deps: { depends: t.list(t.string()) } },
 * })
 * type Pkg = Infer<typeof Pkg>
 * ```
 */
export function schema<
  const H extends FieldMap,
  const K extends readonly (keyof H & string)[],
  const C extends FieldMap | { readonly [group: string]: FieldMap } = {},
>(def: SchemaDefinition<H, C, K>): Schema<H, GroupsOf<C>, K> {
  return construct(
    def as SchemaDefinition<FieldMap, FieldMap, readonly string[]>,
  ) as unknown as Schema<H, GroupsOf<C>, K>;
}

/** Any schema. */
export type AnySchema = Schema<FieldMap, object, readonly string[]>;
