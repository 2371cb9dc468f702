/**
 * The Debian index the benchmarks read, and what the plain-object contenders share.
 * Paragraphs come from leanrec's own deb822 parser (`parseDeb822`), as in every suite.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Deb822Field, parseDeb822 } from 'leanrec/debian';
import { ROOT } from './harness.ts';

/** One paragraph: its fields in order, values as `parseDeb822` gives them. */
export type Paragraph = Deb822Field[];

/** The index to read: `$LEANREC_DEBIAN_PACKAGES`, else the pinned copy in ../shared/data. */
export function packagesPath(): string {
  const env = process.env['LEANREC_DEBIAN_PACKAGES'];
  if (env) return env;
  const pinned = join(ROOT, '../shared/data/debian-bookworm-main-amd64-Packages.gz');
  if (existsSync(pinned)) return pinned;
  throw new Error('no Debian index: set LEANREC_DEBIAN_PACKAGES=<Packages[.gz]>');
}

/** The paragraphs of a Packages file, as lists of fields. */
export async function* readParagraphs(path = packagesPath()): AsyncGenerator<Paragraph> {
  for await (const p of parseDeb822(path)) yield p.fields;
}

/** The plain contenders' `Map` key. */
export function plainKey(pkg: string, version: string, arch: string): string {
  return `${pkg}\0${version}\0${arch}`;
}
