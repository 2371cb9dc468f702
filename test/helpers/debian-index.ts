/**
 * Test-local Debian Packages schema and a tiny deb822 splitter, shared by the crash
 * test, its child process and the real-index test. Independent of `leanrec/debian`, so
 * these tests exercise the store, not the Debian adapter.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { schema, t } from 'leanrec';

/** Records in the pinned Debian bookworm main amd64 index. */
export const DEBIAN_RECORDS = 63_440;

export const DebianLocal = schema({
  key: ['package', 'version', 'architecture'],
  hot: {
    package: t.string(),
    version: t.string(),
    architecture: t.enum(['amd64', 'all', 'arm64', 'i386']),
    section: t.enum().optional(),
    priority: t.enum(['required', 'important', 'standard', 'optional', 'extra']).optional(),
    size: t.u32(),
    essential: t.flag(),
  },
  cold: {
    control: { fields: t.json<[string, string][]>() },
    text: { description: t.string().optional(), maintainer: t.string().optional() },
  },
});

export interface DebRecord {
  package: string;
  version: string;
  architecture: 'amd64' | 'all' | 'arm64' | 'i386';
  section?: string;
  priority?: 'required' | 'important' | 'standard' | 'optional' | 'extra';
  size: number;
  essential: boolean;
  fields: [string, string][];
  description?: string;
  maintainer?: string;
}

/** Splits deb822 text into paragraphs of [name, value] pairs (continuation lines joined with `\n`). */
export function* paragraphs(text: string): Generator<[string, string][]> {
  let fields: [string, string][] = [];
  for (const line of text.split('\n')) {
    if (line === '') {
      if (fields.length > 0) yield fields;
      fields = [];
    } else if (line[0] === ' ' || line[0] === '\t') {
      const last = fields[fields.length - 1];
      if (last === undefined) throw new Error(`continuation line without a field: ${line}`);
      last[1] += `\n${line}`;
    } else {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`malformed line: ${line}`);
      fields.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
  }
  if (fields.length > 0) yield fields;
}

/** One paragraph as a record of {@link DebianLocal}. */
export function toRecord(fields: [string, string][]): DebRecord {
  const get = (name: string) => fields.find(([n]) => n === name)?.[1];
  const need = (name: string) => {
    const v = get(name);
    if (v === undefined) throw new Error(`paragraph without ${name}`);
    return v;
  };
  const rec: DebRecord = {
    package: need('Package'),
    version: need('Version'),
    architecture: need('Architecture') as DebRecord['architecture'],
    size: Number(need('Size')),
    essential: get('Essential') === 'yes',
    fields,
  };
  const section = get('Section');
  if (section !== undefined) rec.section = section;
  const priority = get('Priority');
  if (priority !== undefined) rec.priority = priority as NonNullable<DebRecord['priority']>;
  const description = get('Description');
  if (description !== undefined) rec.description = description;
  const maintainer = get('Maintainer');
  if (maintainer !== undefined) rec.maintainer = maintainer;
  return rec;
}

/** Every record of a (gzipped or plain) Packages file, in file order. */
export function readIndex(file: string): DebRecord[] {
  let bytes: Uint8Array = readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return Array.from(paragraphs(text), toRecord);
}

/** Why a real-index test is skipped (`LEANREC_DEBIAN_PACKAGES` unset), or `false` to run it. */
export function debianSkip(): string | false {
  const p = process.env.LEANREC_DEBIAN_PACKAGES;
  return p === undefined || p === ''
    ? 'LEANREC_DEBIAN_PACKAGES is not set (path of the real Debian Packages index)'
    : false;
}

/** The index path; throws (failing the test) when `LEANREC_DEBIAN_PACKAGES` names a missing file. */
export function debianIndexPath(): string {
  const p = process.env.LEANREC_DEBIAN_PACKAGES ?? '';
  if (!existsSync(p)) throw new Error(`LEANREC_DEBIAN_PACKAGES=${p} does not exist`);
  return p;
}

/** The key of a record. */
export function keyOf(r: DebRecord): Pick<DebRecord, 'package' | 'version' | 'architecture'> {
  return { package: r.package, version: r.version, architecture: r.architecture };
}

/** The hot part of a record, as `toObject()` returns it. */
export function hotOf(r: DebRecord): Record<string, unknown> {
  const { fields: _f, description: _d, maintainer: _m, ...hot } = r;
  return hot;
}
