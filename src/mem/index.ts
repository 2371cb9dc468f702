/**
 * `leanrec/mem`: memory you can see — the process's memory with the part leanrec
 * stores account for, and a memstats sampler writing TSV.
 *
 * @packageDocumentation
 */

export type { Estimate, EstimateOptions, EstimatePart, FieldFigures } from './estimate.ts';
export { estimate } from './estimate.ts';
export type { BreakdownChartOptions, MemstatsChartOptions } from './plot.ts';
export {
  breakdownChart,
  MEMSTATS_SERIES,
  memstatsChart,
  memstatsTable,
  sparkline,
} from './plot.ts';
export type { HeapSpace, ProcessMemory, ProcessMemoryOptions } from './process.ts';
export { processMemory } from './process.ts';
export type { MemorySample, Sampler, SamplerOptions } from './sampler.ts';
export { parseMemstats, sampleMemory, TSV_HEADER } from './sampler.ts';
