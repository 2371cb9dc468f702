/**
 * The Debian index for benchmarks: where it is, a `readline` + `indexOf(':')` reader (what
 * apps do today, and the read every contender pays), and the mapping of a paragraph to
 * the benchmark schemas: {@link Hot} (hot fields only) and {@link Full} (hot + the cold
 * groups `control` and `relations`).
 *
 * This is a stand-in until `src/debian/deb822.ts` is ready: it trusts its input (no
 * PGP, no comments, no error positions).
 *
 * Every contender imports this module, so every process (the parse-only floor included)
 * loads leanrec's modules: the memory they take cancels out in the differences.
 */
import { closeSync, createReadStream, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type Infer, schema, t } from 'leanrec';
import { ROOT } from './harness.ts';

/** One paragraph: its fields in order, values as written (continuation lines joined with `\n`). */
export type Paragraph = [name: string, value: string][];

/** The index to read: `$LEANREC_DEBIAN_PACKAGES`, else the pinned copy in ../shared/data. */
export function packagesPath(): string {
  const env = process.env['LEANREC_DEBIAN_PACKAGES'];
  if (env) return env;
  const pinned = join(ROOT, '../shared/data/debian-bookworm-main-amd64-Packages.gz');
  if (existsSync(pinned)) return pinned;
  throw new Error('no Debian index: set LEANREC_DEBIAN_PACKAGES=<Packages[.gz]>');
}

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** The file's text stream (gunzipped when it is gzip). */
export function openText(path = packagesPath()): Readable {
  const raw = createReadStream(path, { highWaterMark: 64 * 1024 });
  return isGzip(path) ? raw.pipe(createGunzip()) : raw;
}

/**
 * Paragraphs of a Packages file, read the way most apps do: `readline`, then
 * `indexOf(':')` on each line. Values are slices of readline's lines.
 */
export async function* readParagraphs(path = packagesPath()): AsyncGenerator<Paragraph> {
  let fields: Paragraph = [];
  for await (const line of createInterface({ input: openText(path), crlfDelay: Infinity })) {
    if (line === '') {
      if (fields.length > 0) yield fields;
      fields = [];
    } else if (line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9) {
      const last = fields[fields.length - 1];
      if (last !== undefined) last[1] += `\n${line}`;
    } else {
      const colon = line.indexOf(':');
      if (colon > 0) fields.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
  }
  if (fields.length > 0) yield fields;
}

/** A plain object with every field of the paragraph (what apps keep today). */
export function toPlainObject(p: Paragraph): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [k, v] of p) o[k] = v;
  return o;
}

/** The plain contender's Map key. */
export function plainKey(pkg: string, version: string, arch: string): string {
  return `${pkg}\0${version}\0${arch}`;
}

// ── schemas ─────────────────────────────────────────────────────────────────────────────

const hotFields = {
  package: t.string(),
  version: t.string(),
  architecture: t.enum(),
  section: t.enum().optional(),
  priority: t.enum().optional(),
  source: t.string().optional(),
  sourceVersion: t.string().optional(),
  installedSize: t.u32().optional(),
  size: t.u32(),
  multiArch: t.enum().optional(),
  essential: t.flag(),
  protected: t.flag(),
  important: t.flag(),
  buildEssential: t.flag(),
};

/** Hot fields only (for `openStore(Hot, { cold: false })`). */
export const Hot = schema({ key: ['package', 'version', 'architecture'], hot: hotFields });
export type HotRecord = Infer<typeof Hot>;

/** The string fields of {@link Hot} (for the floor's distinct-string bytes). */
export const HOT_STRING_FIELDS = ['package', 'version', 'source', 'sourceVersion'] as const;

/** Relations kept in the `relations` group: paragraph name → record field. */
const RELATIONS = {
  Depends: 'depends',
  'Pre-Depends': 'preDepends',
  Recommends: 'recommends',
  Suggests: 'suggests',
  Enhances: 'enhances',
  Breaks: 'breaks',
  Conflicts: 'conflicts',
  Provides: 'provides',
  Replaces: 'replaces',
  'Built-Using': 'builtUsing',
} as const;

/** Typed control fields kept in the `control` group (everything else goes to `rest`). */
const CONTROL = {
  Maintainer: 'maintainer',
  Description: 'description',
  'Description-md5': 'descriptionMd5',
  Homepage: 'homepage',
  Filename: 'filename',
  MD5sum: 'md5sum',
  SHA256: 'sha256',
  Tag: 'tag',
} as const;

/** Hot fields + cold groups `control` and `relations`. */
export const Full = schema({
  key: ['package', 'version', 'architecture'],
  hot: hotFields,
  cold: {
    control: {
      maintainer: t.string(),
      description: t.string(),
      descriptionMd5: t.string().optional(),
      homepage: t.string().optional(),
      filename: t.string(),
      md5sum: t.string(),
      sha256: t.string(),
      tag: t.string().optional(),
      /** Every other field, as [name, value] pairs in paragraph order. */
      rest: t.json<[string, string][]>(),
    },
    relations: {
      depends: t.string().optional(),
      preDepends: t.string().optional(),
      recommends: t.string().optional(),
      suggests: t.string().optional(),
      enhances: t.string().optional(),
      breaks: t.string().optional(),
      conflicts: t.string().optional(),
      provides: t.string().optional(),
      replaces: t.string().optional(),
      builtUsing: t.string().optional(),
    },
  },
});
export type FullRecord = Infer<typeof Full>;

// ── mapping ─────────────────────────────────────────────────────────────────────────────

/**
 * Fills the hot fields of `out` from one paragraph field; false when the field is not hot
 * (or its value cannot be stored as such, e.g. `Essential: no`).
 */
function hotField(out: Record<string, unknown>, name: string, value: string): boolean {
  switch (name) {
    case 'Package':
      out['package'] = value;
      return true;
    case 'Version':
      out['version'] = value;
      return true;
    case 'Architecture':
      out['architecture'] = value;
      return true;
    case 'Section':
      out['section'] = value;
      return true;
    case 'Priority':
      out['priority'] = value;
      return true;
    case 'Source': {
      const open = value.indexOf(' (');
      if (open < 0) out['source'] = value;
      else if (value.endsWith(')')) {
        out['source'] = value.slice(0, open);
        out['sourceVersion'] = value.slice(open + 2, -1);
      } else return false;
      return true;
    }
    case 'Installed-Size':
      return u32(out, 'installedSize', value);
    case 'Size':
      return u32(out, 'size', value);
    case 'Multi-Arch':
      out['multiArch'] = value;
      return true;
    case 'Essential':
      return flag(out, 'essential', value);
    case 'Protected':
      return flag(out, 'protected', value);
    case 'Important':
      return flag(out, 'important', value);
    case 'Build-Essential':
      return flag(out, 'buildEssential', value);
    default:
      return false;
  }
}

function u32(out: Record<string, unknown>, field: string, value: string): boolean {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff || String(n) !== value) return false;
  out[field] = n;
  return true;
}

function flag(out: Record<string, unknown>, field: string, value: string): boolean {
  if (value !== 'yes') return false;
  out[field] = true;
  return true;
}

function hotDefaults(): Record<string, unknown> {
  return { essential: false, protected: false, important: false, buildEssential: false };
}

/** The {@link Hot} record of a paragraph (other fields dropped). */
export function toHotRecord(p: Paragraph): HotRecord {
  const out = hotDefaults();
  for (const [k, v] of p) hotField(out, k, v);
  if (out['size'] === undefined) out['size'] = 0;
  return out as HotRecord;
}

/** The {@link Full} record of a paragraph (nothing dropped: unknown fields go to `rest`). */
export function toFullRecord(p: Paragraph): FullRecord {
  const out = hotDefaults();
  const rest: [string, string][] = [];
  for (const [k, v] of p) {
    if (hotField(out, k, v)) continue;
    const c = (CONTROL as Record<string, string>)[k] ?? (RELATIONS as Record<string, string>)[k];
    if (c !== undefined && out[c] === undefined) out[c] = v;
    else rest.push([k, v]);
  }
  if (out['size'] === undefined) out['size'] = 0;
  for (const f of ['maintainer', 'description', 'filename', 'md5sum', 'sha256'])
    if (out[f] === undefined) out[f] = '';
  out['rest'] = rest;
  return out as FullRecord;
}

/** Records of the whole index, mapped with `map`. */
export async function* readRecords<R>(
  map: (p: Paragraph) => R,
  path = packagesPath(),
): AsyncGenerator<R> {
  for await (const p of readParagraphs(path)) yield map(p);
}
