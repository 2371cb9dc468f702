/**
 * The fenced code blocks of a Markdown file (README.md), classified for test/readme.test.ts.
 *
 * A block's info string is its language, then optional attributes:
 * - `id=<name>`: a name, so that the test can check that block's output and other blocks can
 *   follow it;
 * - `after=<id>`: the block continues an earlier one (uses its schema, records…): it runs
 *   after that block's code, in its own scope (`{ … }`, its imports hoisted), so it may
 *   declare names again;
 * - `no-run: <reason>` (last, the reason required): the block is not run, and the test
 *   lists it with the reason.
 * Only the language is shown by Markdown renderers; the rest is for the test.
 */

/** How a block is handled: run with node (TypeScript/JavaScript), run with bash, or not code to run. */
export type BlockKind = 'ts' | 'sh' | 'other';

export interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  /** The heading the block is under. */
  heading: string;
  lang: string;
  kind: BlockKind;
  code: string;
  id?: string;
  after?: string;
  /** Set when the block is marked `no-run: <reason>`. */
  noRun?: string;
  /** What is wrong with the block's fence (no language, an unknown attribute, no reason…). */
  problem?: string;
}

const TS_LANGS = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);
const SH_LANGS = new Set(['sh', 'bash', 'shell']);

/** Every fenced block of `markdown`, in order. */
export function readmeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (open === null) {
      if (/^#{1,6} /.test(lines[i]!)) heading = lines[i]!.replace(/^#+ /, '');
      continue;
    }
    const fence = open[1]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.startsWith(fence) && l.slice(fence.length).replace(/[`~]/g, '').trim() === '') break;
      body.push(l);
    }
    blocks.push({ line: start + 1, heading, ...parseInfo(open[2]!.trim()), code: body.join('\n') });
  }
  return blocks;
}

function parseInfo(info: string): Omit<Block, 'line' | 'heading' | 'code'> {
  const [lang = '', ...words] = info.split(/\s+/);
  const kind: BlockKind = TS_LANGS.has(lang) ? 'ts' : SH_LANGS.has(lang) ? 'sh' : 'other';
  const out: Omit<Block, 'line' | 'heading' | 'code'> = { lang, kind };
  if (lang === '') out.problem = 'no language (mark output as ```text)';
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    const attr = /^(id|after)=([\w-]+)$/.exec(word);
    if (attr !== null) out[attr[1] as 'id' | 'after'] = attr[2]!;
    else if (word === 'no-run:' || word === 'no-run') {
      const reason = words.slice(w + 1).join(' ');
      if (word === 'no-run' || reason === '') out.problem = 'no-run without a reason (no-run: why)';
      else out.noRun = reason;
      break;
    } else if (word.startsWith('no-run:')) {
      out.noRun = [word.slice('no-run:'.length), ...words.slice(w + 1)].join(' ');
      break;
    } else if (kind !== 'other') out.problem = `unknown attribute '${word}'`;
  }
  return out;
}

/**
 * The program a block runs as: its code, or for `after=<id>` the code of that block (and of
 * the ones it follows) then this block's imports and, in a scope of its own, the rest.
 */
export function programOf(
  block: Block,
  byId: ReadonlyMap<string, Block>,
  seen = new Set<Block>(),
): string {
  if (block.after === undefined) return block.code;
  const before = byId.get(block.after);
  if (before === undefined) throw new Error(`after=${block.after}: no block has id=${block.after}`);
  if (seen.has(block)) throw new Error(`after=${block.after}: a cycle`);
  seen.add(block);
  const prelude = programOf(before, byId, seen);
  if (block.kind === 'sh') return `${prelude}\n${block.code}`;
  const imports: string[] = [];
  const rest: string[] = [];
  let inImport = false;
  for (const l of block.code.split('\n')) {
    if (inImport || /^import\s/.test(l)) {
      imports.push(l);
      // An import ends with its module specifier (a multi-line `import {` spans lines).
      inImport = !/(from\s+|^import\s+)['"][^'"]+['"];?\s*(\/\/.*)?$/.test(l);
    } else rest.push(l);
  }
  return `${prelude}\n${imports.join('\n')}\n{\n${rest.join('\n')}\n}\n`;
}
