/**
 * The Store API's conformance suite, written once and registered for a mode (see
 * modes.ts): field kinds, values and writes, queries against the filter model,
 * maintenance and errors, and the model-based sequences.
 */
import { kindTests } from './kinds.ts';
import { maintenanceTests } from './maintenance.ts';
import { type ModelBudget, modelTests } from './model-run.ts';
import type { Mode } from './modes.ts';
import { queryTests } from './queries.ts';
import { writeTests } from './writes.ts';

/** Registers every conformance test for `mode`. */
export function conformance(mode: Mode, model: ModelBudget): void {
  kindTests(mode);
  writeTests(mode);
  queryTests(mode);
  maintenanceTests(mode);
  modelTests(mode, model);
}
