/** The Store API's conformance suite on hot-only stores (`cold: false`). */
import { HOT_ONLY } from './modes.ts';
import { conformance } from './suite.ts';

conformance(HOT_ONLY, { runs: 50, maxCommands: 60, wideRuns: 3 });
