/**
 * `leanrec/testing`: fast-check arbitraries derived from any schema, for property tests
 * of code that stores records with leanrec, and a database that fails on cue
 * (`FaultyLevel`, for the `database` option of `openStore`).
 *
 * @packageDocumentation
 */

export type { FaultKind, FaultOptions } from './faulty-level.ts';
export { FAULT_KINDS, FaultyLevel, InjectedFault } from './faulty-level.ts';
export type { InvalidRecord } from './invalid.ts';
export { arbitraryInvalidRecord } from './invalid.ts';
export type { RoundTripOptions, RoundTripReport } from './round-trip.ts';
export { checkRoundTrip } from './round-trip.ts';
export type { SchemaOptions } from './schemas.ts';
export { arbitrarySchema } from './schemas.ts';
export type { RecordOptions, StringUnit, ValueOptions } from './values.ts';
export { arbitraryRecord, arbitraryValue } from './values.ts';
