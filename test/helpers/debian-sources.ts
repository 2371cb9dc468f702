/**
 * The real Sources excerpt for tests (the first 4,000 paragraphs of bookworm main's
 * Sources): `LEANREC_DEBIAN_SOURCES`, or next to the Packages index of
 * `LEANREC_DEBIAN_PACKAGES`. Like that one, it fails (not skips) when named but missing.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Why the tests that need it are skipped, or false. */
export function sourcesSkip(): string | false {
  if (process.env.LEANREC_DEBIAN_SOURCES) return false;
  return process.env.LEANREC_DEBIAN_PACKAGES
    ? false
    : 'neither LEANREC_DEBIAN_SOURCES nor LEANREC_DEBIAN_PACKAGES is set';
}

/** The path of the Sources excerpt; throws when it is named but missing. */
export function debianSourcesPath(): string {
  const p =
    process.env.LEANREC_DEBIAN_SOURCES ||
    join(
      dirname(process.env.LEANREC_DEBIAN_PACKAGES ?? ''),
      'debian-bookworm-main-Sources-excerpt.xz',
    );
  if (!existsSync(p))
    throw new Error(`the Sources excerpt ${p} does not exist (LEANREC_DEBIAN_SOURCES)`);
  return p;
}
