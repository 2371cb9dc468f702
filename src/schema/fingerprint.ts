import { createHash } from 'node:crypto';
import type { AnyField } from './field.ts';
import type { ColdGroup, FieldInfo } from './schema.ts';

/** JSON-safe description of one field type. */
export interface FieldDescriptor {
  kind: string;
  optional: boolean;
  indexed: boolean;
  values?: string[];
  width?: number;
  inner?: FieldDescriptor;
}

/** JSON-safe description of a schema; persisted with a database to check compatibility. */
export interface SchemaDescriptor {
  key: string[];
  hot: [name: string, field: FieldDescriptor][];
  groups: [name: string, fields: [name: string, field: FieldDescriptor][]][];
}

/** Describes one field type as JSON-safe data. */
export function describeFieldType(f: AnyField): FieldDescriptor {
  const d: FieldDescriptor = { kind: f.kind, optional: f.isOptional, indexed: f.isIndexed };
  if (f.values !== undefined) d.values = [...f.values];
  if (f.width !== 0) d.width = f.width;
  if (f.inner !== undefined) d.inner = describeFieldType(f.inner);
  return d;
}

/** @internal Builds a schema's descriptor and its stable fingerprint (sha-256 of the descriptor's JSON, 16 hex digits). */
export function fingerprintOf(
  key: readonly string[],
  hot: readonly FieldInfo[],
  groups: readonly ColdGroup[],
): { descriptor: SchemaDescriptor; fingerprint: string } {
  const descriptor: SchemaDescriptor = {
    key: [...key],
    hot: hot.map((f) => [f.name, describeFieldType(f.field)]),
    groups: groups.map((g) => [g.name, g.fields.map((f) => [f.name, describeFieldType(f.field)])]),
  };
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(descriptor))
    .digest('hex')
    .slice(0, 16);
  return { descriptor, fingerprint };
}

/**
 * Compares the schema a database was written with (`stored`) to the one it is opened
 * with (`current`). Returns the list of incompatible differences (empty when compatible).
 * Compatible changes: new optional fields (hot or cold, in existing or new groups) and
 * the `indexed` flag. Everything else — removed fields, changed types, changed key,
 * moved fields, renamed or reordered groups — is incompatible.
 */
export function schemaDifferences(stored: SchemaDescriptor, current: SchemaDescriptor): string[] {
  const out: string[] = [];
  if (JSON.stringify(stored.key) !== JSON.stringify(current.key))
    out.push(`key changed from [${stored.key.join(', ')}] to [${current.key.join(', ')}]`);
  const sameType = (a: FieldDescriptor, b: FieldDescriptor) =>
    JSON.stringify({ ...a, indexed: false }) === JSON.stringify({ ...b, indexed: false });
  const hotNow = new Map(current.hot);
  const stHot = new Map(stored.hot);
  for (const [name, d] of stored.hot) {
    const now = hotNow.get(name);
    if (now === undefined) out.push(`hot field "${name}" was removed or moved`);
    else if (!sameType(d, now)) out.push(`hot field "${name}" changed type`);
  }
  for (const [name, d] of current.hot)
    if (!stHot.has(name) && !d.optional) out.push(`new hot field "${name}" must be optional`);
  // Hot field order defines the snapshot column order only for the fields that existed.
  const oldOrder = stored.hot.map(([n]) => n);
  const newOrder = current.hot.map(([n]) => n).filter((n) => stHot.has(n));
  if (out.length === 0 && JSON.stringify(oldOrder) !== JSON.stringify(newOrder))
    out.push('hot fields were reordered');
  const groupsNow = new Map(current.groups);
  for (const [i, [g, fields]] of stored.groups.entries()) {
    const now = groupsNow.get(g);
    if (now === undefined || current.groups[i]?.[0] !== g) {
      out.push(`cold group "${g}" was removed, renamed or moved`);
      continue;
    }
    const nowMap = new Map(now);
    for (const [name, d] of fields) {
      const n = nowMap.get(name);
      if (n === undefined) out.push(`cold field "${name}" (group "${g}") was removed or moved`);
      else if (!sameType(d, n)) out.push(`cold field "${name}" (group "${g}") changed type`);
    }
    const stMap = new Map(fields);
    for (const [name, d] of now)
      if (!stMap.has(name) && !d.optional) out.push(`new cold field "${name}" must be optional`);
  }
  const stGroups = new Set(stored.groups.map(([g]) => g));
  for (const [g, fields] of current.groups)
    if (!stGroups.has(g) && fields.some(([, d]) => !d.optional))
      out.push(`new cold group "${g}" must have only optional fields`);
  return out;
}
