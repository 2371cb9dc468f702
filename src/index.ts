/**
 * leanrec: hold huge metadata sets in a small, predictable amount of memory.
 * Hot fields live in typed-array columns; cold groups in LevelDB, loaded on demand.
 *
 * What an application writes code with: `schema` and `t` to declare records, `openStore`
 * and `Store` to keep them, `diff` to compare two stores, `LeanrecError` and
 * `isLeanrecError` for failures, and the types of records, views, filters, options,
 * results and memory. Tools for tests (`constantHash`, the arbitraries, `FaultyLevel`) are
 * in `leanrec/testing`; Debian indexes in `leanrec/debian`; memory charts in `leanrec/mem`.
 *
 * @packageDocumentation
 */
export type { ErrorCode, ErrorContext } from './errors.ts';
export { isLeanrecError, LeanrecError } from './errors.ts';
export type { Condition, Filter, Range } from './query/filter.ts';
export type {
  AnyField,
  AnySchema,
  FieldKind,
  FieldMap,
  GroupName,
  Infer,
  InferCold,
  InferField,
  InferFields,
  InferHot,
  InferKey,
  Json,
  NumberKind,
  ScalarKind,
  SchemaDefinition,
} from './schema/index.ts';
export { Field, MAX_ENUM_VALUES, Schema, schema, t } from './schema/index.ts';
export type { DiffEntry, DiffOptions } from './store/diff.ts';
export { diff } from './store/diff.ts';
export { openStore } from './store/open.ts';
export type {
  Database,
  DatabaseFactory,
  DatabaseOptions,
  StoreOptions,
  WriteOptions,
  WriteResult,
} from './store/options.ts';
export type { WhereOptions } from './store/store.ts';
export { Store } from './store/store.ts';
export type { KeyOf, MemoryPart, RecordView, StoreMemory, ViewMethods } from './store/types.ts';
