/**
 * A small fixed schema and records for tests that need a second process (the child in
 * store-child.ts and its parent test agree on both).
 */
import { type Json, schema, t } from 'leanrec';

export const Small = schema({
  key: ['name'],
  hot: { name: t.string(), n: t.u32(), tag: t.enum().optional(), on: t.flag() },
  cold: {
    text: { body: t.string(), note: t.string().optional() },
    extra: { data: t.json() },
  },
});

export interface SmallRecord {
  name: string;
  n: number;
  tag?: string;
  on: boolean;
  body: string;
  note?: string;
  data: Json;
}

/** Record `i`; `rev` changes its values (an upsert of the same key). */
export function smallRecord(i: number, rev = 0): SmallRecord {
  const r: SmallRecord = {
    name: `rec-${i}`,
    n: i * 7 + rev,
    on: (i + rev) % 3 === 0,
    body: `body of ${i} rev ${rev} ${'x'.repeat(i % 50)}`,
    data: { i, rev, list: [i, `s${i}`, null, true] },
  };
  if (i % 2 === 0) r.tag = `t${i % 5}`;
  if ((i + rev) % 4 === 0) r.note = `note ${rev}`;
  return r;
}

/** Hot part of a record, as `toObject()` returns it. */
export function smallHot(r: SmallRecord): Record<string, unknown> {
  const { body: _b, note: _n, data: _d, ...hot } = r;
  return hot;
}
