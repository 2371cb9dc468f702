/**
 * deb822 text for the boundary tests, built so that a chosen paragraph starts at an exact
 * byte offset (to put it on a chunk, block or stream edge), with the paragraphs the text
 * holds known from how it was built, not from a parser.
 */

export interface BuiltParagraph {
  fields: [string, string][];
  line: number;
  /** Every line ends in CRLF (the parser marks such a paragraph). */
  crlf?: true;
}

export interface BuiltText {
  bytes: Uint8Array;
  paragraphs: BuiltParagraph[];
}

function fieldsOf(i: number, k: number): [string, string][] {
  return [
    ['Package', `p${i}`],
    ['Version', `1.${i}`],
    ['Architecture', 'amd64'],
    ['Description', `d${i} ${'x'.repeat(k)}`],
  ];
}

function paragraphText(fields: [string, string][], eol: string): string {
  return fields.map(([n, v]) => `${n}: ${v}${eol}`).join('') + eol;
}

/**
 * Packages-like paragraphs (Package, Version, Architecture, Description), `total` bytes
 * or a little more, in which a paragraph starts exactly at byte `start` (0 < start, or
 * start = 0). Lines end in `eol`.
 */
export function textWithParagraphAt(start: number, total: number, eol = '\n'): BuiltText {
  const parts: string[] = [];
  const paragraphs: BuiltParagraph[] = [];
  let pos = 0;
  let line = 1;
  const add = (i: number, k: number) => {
    const fields = fieldsOf(i, k);
    const t = paragraphText(fields, eol);
    parts.push(t);
    paragraphs.push(eol === '\r\n' ? { fields, line, crlf: true } : { fields, line });
    line += fields.length + 1;
    pos += t.length;
  };
  let i = 0;
  while (pos < start) {
    const base = paragraphText(fieldsOf(i, 0), eol).length;
    const rest = start - pos - base;
    add(i, rest <= 400 ? rest : 50 + ((i * 37) % 150));
    i++;
  }
  if (pos !== start) throw new Error(`no paragraph at ${start}`);
  while (pos < total) {
    add(i, 50 + ((i * 37) % 150));
    i++;
  }
  return { bytes: new TextEncoder().encode(parts.join('')), paragraphs };
}
