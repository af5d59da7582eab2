/** Line arithmetic over a text whose lines end with '\n'. Lines are 1-based; a text has at least one. */

/** How many lines the text has ('a\n' has two: 'a' and an empty last line). */
export function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Offset of the first character of `line`. */
export function lineStartOffset(text: string, line: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl === -1) return text.length;
    offset = nl + 1;
  }
  return offset;
}

/** Offset just after the last character of `line` (its '\n', or the end of the text). */
export function lineEndOffset(text: string, line: number): number {
  const nl = text.indexOf('\n', lineStartOffset(text, line));
  return nl === -1 ? text.length : nl;
}

/** The line an offset falls on. */
export function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The text of lines `from`..`to`, inclusive, without the final '\n'. */
export function sliceLines(text: string, from: number, to: number): string {
  return text.slice(lineStartOffset(text, from), lineEndOffset(text, to));
}
