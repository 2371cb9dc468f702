/**
 * `leanrec/testing`: fast-check arbitraries derived from any schema, for property tests
 * of code that stores records with leanrec, and a database that fails on cue
 * (`FaultyLevel`, for the `database` option of `openStore`).
 *
 * @packageDocumentation
 */
export type {
  InvalidRecord,
  RecordOptions,
  SchemaOptions,
  StringUnit,
  ValueOptions,
} from './arbitraries.ts';
export {
  arbitraryInvalidRecord,
  arbitraryRecord,
  arbitrarySchema,
  arbitraryValue,
} from './arbitraries.ts';
export type { FaultKind, FaultOptions } from './faulty-level.ts';
export { FAULT_KINDS, FaultyLevel, InjectedFault } from './faulty-level.ts';
export type { RoundTripOptions, RoundTripReport } from './round-trip.ts';
export { checkRoundTrip } from './round-trip.ts';
