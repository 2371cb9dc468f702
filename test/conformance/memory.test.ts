/** The Store API's conformance suite on stores whose cold tier is a memory-level database. */
import { MEMORY } from './modes.ts';
import { conformance } from './suite.ts';

conformance(MEMORY, { runs: 40, maxCommands: 60, wideRuns: 2 });
