export type {
  AnyField,
  FieldDescriptor,
  FieldKind,
  FieldMap,
  NumberKind,
  ScalarKind,
} from './field.ts';
export { describeFieldType, Field } from './field.ts';
export type { SchemaDescriptor } from './fingerprint.ts';
export { schemaDifferences } from './fingerprint.ts';
export type {
  ColdFieldsOf,
  ColdGroupsOf,
  GroupName,
  Infer,
  InferCold,
  InferField,
  InferFields,
  InferHot,
  InferKey,
} from './infer.ts';
export type { AnySchema, ColdGroup, FieldInfo, SchemaDefinition } from './schema.ts';
export { DEFAULT_GROUP, RESERVED_VIEW_NAMES, Schema, schema } from './schema.ts';
export type { Json } from './t.ts';
export { MAX_ENUM_VALUES, t } from './t.ts';
export { RecordValidator } from './validate.ts';
