/**
 * `leanrec/debian`: Debian package indexes — a streaming deb822 parser, readers of
 * Packages and Sources indexes into records of the two Debian schemas, `toDeb822` (a
 * record back to its paragraph, byte for byte), dpkg version comparison, relation
 * parsing and dependency verification; besides, what the README and the `leanrec`
 * command build on: aptly package queries (`parseQuery`, for `Store.query`), index diffs
 * (`diffStores`), build-dependency checks and the verification of an index file without
 * a database.
 *
 * @packageDocumentation
 */

export type { QueryField, QueryKey, QueryNode, QueryOp, QueryPackage } from '../query/parse.ts';
export { parseQuery } from '../query/parse.ts';
export type { Relation } from '../query/relations.ts';
export { parseRelations } from '../query/relations.ts';
export type { VersionOp } from '../query/version.ts';
export { compareVersions } from '../query/version.ts';
export type { Deb822Field, Deb822Options, Paragraph } from './deb822.ts';
export { parseDeb822 } from './deb822.ts';
export type { PackageDiff } from './diff.ts';
export { diffStores } from './diff.ts';
export type { InputOptions, InputSource } from './input.ts';
export type { DebianPackage, DebianSource } from './read.ts';
export { readPackages, readSources, toDeb822 } from './read.ts';
export { debianPackages, debianSources } from './schemas.ts';
export type { Unsatisfied, VerifyOptions } from './verify.ts';
export { verifyDependencies } from './verify.ts';
export type { BuildDependencyOptions } from './verify-build.ts';
export { verifyBuildDependencies } from './verify-build.ts';
export type { IndexVerification } from './verify-file.ts';
export { verifyIndexFile } from './verify-file.ts';
