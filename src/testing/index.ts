/**
 * `leanrec/testing`: fast-check arbitraries derived from any schema, for property tests
 * of code that stores records with leanrec; `checkRoundTrip`, the one-line round-trip
 * test; a database that fails on cue (`FaultyLevel`, for the `database` option of
 * `openStore`); and `constantHash`, a key hash under which every key collides (for the
 * `hash` option of `openStore`).
 *
 * @packageDocumentation
 */

export type { HashFn } from '../util/hash.ts';
export { constantHash } from '../util/hash.ts';
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
