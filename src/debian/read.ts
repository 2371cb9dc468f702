/**
 * Debian indexes as records: `readPackages` / `readSources` stream records ready for
 * `store.ingest(...)`; `toDeb822` gives a record back as the paragraph it came from.
 */
import type { Infer } from '../schema/infer.ts';
import { type Deb822Options, type Paragraph, parseDeb822 } from './deb822.ts';
import { type InputSource, sourceName } from './input.ts';
import type { MappedRecord } from './mapping.ts';
import {
  type debianPackages,
  type debianSources,
  PACKAGE_FLAGS,
  packagesMapping,
  sourcesMapping,
} from './schemas.ts';
import { serializeParagraph } from './serialize.ts';

/** A record of {@link debianPackages}. */
export type DebianPackage = Infer<typeof debianPackages>;
/** A record of {@link debianSources}. */
export type DebianSource = Infer<typeof debianSources>;

/** The `debianPackages` record of one Packages paragraph. */
export function packageRecord(p: Paragraph, file?: string): DebianPackage {
  const rec = packagesMapping.fromParagraph(p, file);
  for (const f of PACKAGE_FLAGS) if (rec[f] === undefined) rec[f] = false;
  return rec as DebianPackage;
}

/** The `debianSources` record of one Sources paragraph. */
export function sourceRecord(p: Paragraph, file?: string): DebianSource {
  return sourcesMapping.fromParagraph(p, file) as DebianSource;
}

/**
 * Streams the records of a Packages index (plain, .gz, .xz or .lz4; a path, a stream or
 * an async iterable of bytes), one paragraph at a time.
 *
 * @example
 * ```ts
 * const store = await openStore(debianPackages, { path: './bookworm.db' })
 * await store.ingest(readPackages('/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4'))
 * ```
 * @throws LeanrecError `E_PARSE` for malformed input (file, line, column) or a paragraph
 *   without Package, Version or Architecture.
 */
export async function* readPackages(
  source: InputSource,
  options: Deb822Options = {},
): AsyncGenerator<DebianPackage, void, undefined> {
  // The parser and the mapping name the same input: a paragraph without Architecture in
  // `Packages.gz` is reported against that path, not an anonymous input.
  const file = options.file ?? sourceName(source);
  for await (const p of parseDeb822(source, { ...options, file })) yield packageRecord(p, file);
}

/** Streams the records of a Sources index; see {@link readPackages}. */
export async function* readSources(
  source: InputSource,
  options: Deb822Options = {},
): AsyncGenerator<DebianSource, void, undefined> {
  const file = options.file ?? sourceName(source);
  for await (const p of parseDeb822(source, { ...options, file })) yield sourceRecord(p, file);
}

/**
 * The deb822 text of a record (a `debianPackages` or `debianSources` record, or a
 * `view.record()` read back from a store): the original paragraph, byte for byte,
 * ending in a newline — CRLF line ends when the paragraph had them on every line
 * (`lineEnd: 'crlf'`), LF otherwise.
 */
export function toDeb822(
  record: DebianPackage | DebianSource | Readonly<Record<string, unknown>>,
): string {
  // Only Packages records have the (required) `essential` flag.
  const mapping =
    typeof (record as { essential?: unknown }).essential === 'boolean'
      ? packagesMapping
      : sourcesMapping;
  const fields = mapping.toFields(record as MappedRecord);
  return serializeParagraph(
    fields,
    (record as MappedRecord).lineEnd === 'crlf' ? { newline: '\r\n' } : {},
  );
}
