/**
 * The Debian schemas: `debianPackages` (binary Packages indexes) and `debianSources`
 * (Sources indexes), with the tables that map their deb822 fields to record keys.
 *
 * Packages, per record:
 *   hot       package version architecture section priority source sourceVersion
 *             installedSize size multiArch + flags essential protected important buildEssential
 *   control   maintainer description descriptionMd5 homepage tag … + rest, order, lineEnd
 *   relations depends preDepends recommends suggests enhances breaks conflicts replaces
 *             provides builtUsing staticBuiltUsing
 *   files     filename md5sum sha256 (checksums as raw bytes: t.hex)
 */
import { schema, t } from '../schema/index.ts';
import { codecs, Deb822Mapping, type FieldSpec } from './mapping.ts';

const text = (name: string, key: string, required = false): FieldSpec => ({
  name,
  key,
  codec: codecs.text,
  required,
});
const yes = (name: string, key: string): FieldSpec => ({ name, key, codec: codecs.yes });

/** Relation fields of a binary package, in canonical order, with their record keys. */
export const PACKAGE_RELATIONS = {
  Replaces: 'replaces',
  Provides: 'provides',
  Depends: 'depends',
  'Pre-Depends': 'preDepends',
  Recommends: 'recommends',
  Suggests: 'suggests',
  Conflicts: 'conflicts',
  Breaks: 'breaks',
  Enhances: 'enhances',
  'Built-Using': 'builtUsing',
  'Static-Built-Using': 'staticBuiltUsing',
} as const;

/** Known fields of a Packages paragraph, in the order Debian's archive writes them. */
const packageSpecs: FieldSpec[] = [
  text('Package', 'package', true),
  {
    name: 'Source',
    key: 'source',
    codec: codecs.text,
    versionKey: 'sourceVersion',
    impliedBy: 'package',
  },
  text('Version', 'version', true),
  { name: 'Installed-Size', key: 'installedSize', codec: codecs.u32 },
  text('Maintainer', 'maintainer'),
  text('Architecture', 'architecture', true),
  yes('Essential', 'essential'),
  yes('Protected', 'protected'),
  yes('Important', 'important'),
  yes('Build-Essential', 'buildEssential'),
  ...Object.entries(PACKAGE_RELATIONS).map(([n, k]) => text(n, k)),
  text('Description', 'description'),
  text('Multi-Arch', 'multiArch'),
  text('Homepage', 'homepage'),
  { name: 'Description-md5', key: 'descriptionMd5', codec: codecs.md5 },
  text('Tag', 'tag'),
  text('Section', 'section'),
  text('Priority', 'priority'),
  text('Filename', 'filename'),
  { name: 'Size', key: 'size', codec: codecs.u32 },
  { name: 'MD5sum', key: 'md5sum', codec: codecs.md5 },
  { name: 'SHA256', key: 'sha256', codec: codecs.sha256 },
];

/** Maps Packages paragraphs to `debianPackages` records and back. */
export const packagesMapping = new Deb822Mapping('Packages', packageSpecs);

/** Flag fields of `debianPackages` (absent in a paragraph means `false`). */
export const PACKAGE_FLAGS = ['essential', 'protected', 'important', 'buildEssential'] as const;

const rel = () => t.string().optional();

/**
 * The schema of a binary Packages index. Key: package, version, architecture.
 * Every field of a paragraph is kept: typed where its text can be rebuilt exactly,
 * otherwise in `rest`, with `order` when the paragraph's field order is not canonical.
 * `source` is the package's own name when the paragraph has no `Source:` field (Debian's
 * rule), so `where({ source: 'coreutils' })` finds every binary built from coreutils; the
 * name is in the string pool once and `toDeb822` writes no `Source:` the paragraph lacked.
 */
export const debianPackages = schema({
  key: ['package', 'version', 'architecture'],
  hot: {
    package: t.string().indexed(),
    version: t.string(),
    architecture: t.enum(),
    section: t.enum().optional(),
    priority: t.enum().optional(),
    source: t.string().optional().indexed(),
    sourceVersion: t.string().optional(),
    installedSize: t.u32().optional(),
    size: t.u32().optional(),
    multiArch: t.enum().optional(),
    essential: t.flag(),
    protected: t.flag(),
    important: t.flag(),
    buildEssential: t.flag(),
  },
  cold: {
    control: {
      maintainer: t.string().optional(),
      description: t.string().optional(),
      descriptionMd5: t.hex(16).optional(),
      homepage: t.string().optional(),
      tag: t.string().optional(),
      rest: t.json<[string, string][]>().optional(),
      order: t.list(t.string()).optional(),
      /** `'crlf'`: every line of the paragraph ended in CRLF (`toDeb822` writes them so). */
      lineEnd: t.enum(['crlf']).optional(),
    },
    relations: {
      replaces: rel(),
      provides: rel(),
      depends: rel(),
      preDepends: rel(),
      recommends: rel(),
      suggests: rel(),
      conflicts: rel(),
      breaks: rel(),
      enhances: rel(),
      builtUsing: rel(),
      staticBuiltUsing: rel(),
    },
    files: {
      filename: t.string().optional(),
      md5sum: t.hex(16).optional(),
      sha256: t.hex(32).optional(),
    },
  },
});

/** Relation fields of a source package, with their record keys. */
export const SOURCE_RELATIONS = {
  'Build-Depends': 'buildDepends',
  'Build-Depends-Indep': 'buildDependsIndep',
  'Build-Depends-Arch': 'buildDependsArch',
  'Build-Conflicts': 'buildConflicts',
  'Build-Conflicts-Indep': 'buildConflictsIndep',
  'Build-Conflicts-Arch': 'buildConflictsArch',
} as const;

/** Known fields of a Sources paragraph, in the order Debian's archive writes them. */
const sourceSpecs: FieldSpec[] = [
  text('Package', 'package', true),
  text('Format', 'format'),
  text('Binary', 'binary'),
  text('Architecture', 'architecture'),
  text('Version', 'version', true),
  text('Maintainer', 'maintainer'),
  text('Uploaders', 'uploaders'),
  text('Homepage', 'homepage'),
  text('Standards-Version', 'standardsVersion'),
  ...Object.entries(SOURCE_RELATIONS).map(([n, k]) => text(n, k)),
  text('Testsuite', 'testsuite'),
  text('Vcs-Browser', 'vcsBrowser'),
  text('Vcs-Git', 'vcsGit'),
  text('Package-List', 'packageList'),
  text('Directory', 'directory'),
  text('Files', 'files'),
  text('Checksums-Sha1', 'checksumsSha1'),
  text('Checksums-Sha256', 'checksumsSha256'),
  text('Priority', 'priority'),
  text('Section', 'section'),
];

/** Maps Sources paragraphs to `debianSources` records and back. */
export const sourcesMapping = new Deb822Mapping('Sources', sourceSpecs);

const opt = () => t.string().optional();

/** The schema of a Sources index. Key: package, version. */
export const debianSources = schema({
  key: ['package', 'version'],
  hot: {
    package: t.string().indexed(),
    version: t.string(),
    section: t.enum().optional(),
    priority: t.enum().optional(),
    format: t.enum().optional(),
    architecture: t.enum().optional(),
  },
  cold: {
    control: {
      binary: opt(),
      maintainer: opt(),
      uploaders: opt(),
      homepage: opt(),
      standardsVersion: opt(),
      testsuite: opt(),
      vcsBrowser: opt(),
      vcsGit: opt(),
      packageList: opt(),
      rest: t.json<[string, string][]>().optional(),
      order: t.list(t.string()).optional(),
      lineEnd: t.enum(['crlf']).optional(),
    },
    relations: {
      buildDepends: opt(),
      buildDependsIndep: opt(),
      buildDependsArch: opt(),
      buildConflicts: opt(),
      buildConflictsIndep: opt(),
      buildConflictsArch: opt(),
    },
    files: { directory: opt(), files: opt(), checksumsSha1: opt(), checksumsSha256: opt() },
  },
});
