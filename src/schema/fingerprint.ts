/**
 * A schema as data: the descriptor a database keeps of the schema it was written with,
 * its fingerprint, and which differences between two descriptors a store can open over.
 * Depends on the field types only (field.ts), so that schema.ts can build both.
 */
import { createHash } from 'node:crypto';
import type { FieldDescriptor } from './field.ts';

/** JSON-safe description of a schema; persisted with a database to check compatibility. */
export interface SchemaDescriptor {
  key: string[];
  hot: [name: string, field: FieldDescriptor][];
  groups: [name: string, fields: [name: string, field: FieldDescriptor][]][];
}

/**
 * The fingerprint of a schema's descriptor: sha-256 of its JSON, 16 hex digits. The
 * descriptor is first rebuilt property by property in one fixed order, so a descriptor
 * read back from a database (whose decoder may order properties otherwise) has the same
 * fingerprint as the schema it was written from.
 */
export function fingerprintOf(descriptor: SchemaDescriptor): string {
  const canonical: SchemaDescriptor = {
    key: [...descriptor.key],
    hot: descriptor.hot.map(([n, d]) => [n, canonicalField(d)]),
    groups: descriptor.groups.map(([g, fields]) => [
      g,
      fields.map(([n, d]) => [n, canonicalField(d)]),
    ]),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}

function canonicalField(d: FieldDescriptor): FieldDescriptor {
  const c: FieldDescriptor = { kind: d.kind, optional: d.optional, indexed: d.indexed };
  if (d.values !== undefined) c.values = [...d.values];
  if (d.width !== undefined) c.width = d.width;
  if (d.inner !== undefined) c.inner = canonicalField(d.inner);
  return c;
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
    JSON.stringify(canonicalField({ ...a, indexed: false })) ===
    JSON.stringify(canonicalField({ ...b, indexed: false }));
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
