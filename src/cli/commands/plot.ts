/** `leanrec plot <memstats.tsv>`: a memstats series as an SVG chart, or as text. */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isLeanrecError } from '../../errors.ts';
import { memstatsChart, memstatsTable, parseMemstats } from '../../mem/index.ts';
import { CliError, type Command, EXIT_HELP, fileError, UsageError } from '../common.ts';

const help = `Usage: leanrec plot <memstats.tsv> [-o out.svg]

Charts a memstats file (as sampleMemory() writes it): rss, heapTotal, heapUsed and
external over time, with the marks as labelled rules. With -o, writes an SVG file;
without, prints a table (min, max, last of every series, the marks) and a sparkline.
The SVG chart needs the optional packages vega and vega-lite (npm install vega vega-lite);
without them, -o prints the table instead, says what to install and exits 4
(E_MISSING_PEER). A file without samples is E_PARSE (exit 3), with or without -o.

Options:
  -o, --output <file>   write an SVG chart to <file>
      --title <text>    the chart's title (default: the file's name)
      --width <px>      width of the plot area (default 720)
      --height <px>     height of the plot area (default 320)
  -h, --help            this help

${EXIT_HELP}`;

export const plot: Command = {
  name: 'plot',
  summary: 'chart a memstats TSV file (SVG, or text)',
  help,
  async run(args, { out }) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        title: { type: 'string' },
        width: { type: 'string' },
        height: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('plot takes one <memstats.tsv>');
    const file = positionals[0]!;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw fileError(e, `cannot read the memstats file ${file}`);
    }
    let samples: ReturnType<typeof parseMemstats>;
    try {
      samples = parseMemstats(text);
    } catch (e) {
      if (!isLeanrecError(e, 'E_PARSE')) throw e;
      throw new CliError('E_PARSE', `${file}: ${e.message.replace(/^memstats: /, '')}`);
    }
    // The same answer whatever the output: a chart or a table of nothing is no answer.
    if (samples.length === 0)
      throw new CliError('E_PARSE', `${file} holds no samples`, {
        hint: 'write one with --memstats <file> (ingest, verify, query) or sampleMemory()',
      });
    if (values.output === undefined) {
      await out.write(memstatsTable(samples));
      return 0;
    }
    let svg: string;
    try {
      svg = await memstatsChart(samples, {
        title: values.title ?? file.replace(/^.*[\\/]/, ''),
        ...(values.width === undefined ? {} : { width: pixels('--width', values.width) }),
        ...(values.height === undefined ? {} : { height: pixels('--height', values.height) }),
      });
    } catch (e) {
      if (!isLeanrecError(e, 'E_MISSING_PEER')) throw e;
      // The text chart still shows the run; the exit code says the file was not written.
      await out.write(memstatsTable(samples));
      throw new CliError('E_MISSING_PEER', `${values.output} not written: ${e.message}`);
    }
    try {
      await writeFile(values.output, svg);
    } catch (e) {
      throw fileError(e, `cannot write the chart ${values.output}`);
    }
    return 0;
  },
};

function pixels(option: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${option} must be a positive whole number, got "${value}"`);
  return n;
}
