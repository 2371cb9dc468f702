/**
 * `leanrec/debian`: Debian package indexes — a streaming deb822 parser, the Packages and
 * Sources schemas, dpkg version comparison, relation parsing and dependency verification.
 *
 * @packageDocumentation
 */

export type { QueryField, QueryKey, QueryNode, QueryOp, QueryPackage } from '../query/parse.ts';
export { parseQuery } from '../query/parse.ts';
export type { Relation } from '../query/relations.ts';
export {
  formatRelation,
  formatRelations,
  parseRelations,
  relationNames,
} from '../query/relations.ts';
export type {
  AnyVersionOp,
  ParsedVersion,
  ParseVersionOptions,
  VersionOp,
} from '../query/version.ts';
export { compareVersions, parseVersion, satisfies } from '../query/version.ts';
export type { Deb822Options, Field, Paragraph } from './deb822.ts';
export { parseDeb822 } from './deb822.ts';
export type { PackageDiff } from './diff.ts';
export { diffStores } from './diff.ts';
export type { Compression, InputOptions, InputSource } from './input.ts';
export { detectCompression, openInput } from './input.ts';
export type { FieldCodec, FieldSpec, MappedRecord } from './mapping.ts';
export { Deb822Mapping } from './mapping.ts';
export type { DebianPackage, DebianSource } from './read.ts';
export { packageRecord, readPackages, readSources, sourceRecord, toDeb822 } from './read.ts';
export {
  debianPackages,
  debianSources,
  PACKAGE_FLAGS,
  PACKAGE_RELATIONS,
  packagesMapping,
  SOURCE_RELATIONS,
  sourcesMapping,
} from './schemas.ts';
export type { FieldList, SerializeOptions } from './serialize.ts';
export { serializeParagraph, serializeParagraphs } from './serialize.ts';
export type { Unsatisfied, VerifyOptions } from './verify.ts';
export { verifyDependencies } from './verify.ts';
export type { BuildDependencyOptions } from './verify-build.ts';
export { verifyBuildDependencies } from './verify-build.ts';
export type { IndexVerification } from './verify-file.ts';
export { verifyIndexFile } from './verify-file.ts';
