/**
 * The Store API's conformance suite on stores on disk (classic-level in a temp directory),
 * with close → reopen and crash → reopen in the model-based sequences.
 */
import { DISK } from './modes.ts';
import { conformance } from './suite.ts';

conformance(DISK, { runs: 90, maxCommands: 30, wideRuns: 2 });
