import { languageForPath } from './language.js';
import type { ReviewComment } from './model.js';

/** Markdown building blocks shared by the exports. */

function longestRun(s: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of s) {
    run = c === ch ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

/** Escapes characters that Markdown would read as formatting. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

/** An inline code span that survives backticks inside it. */
export function inlineCode(s: string): string {
  const ticks = '`'.repeat(longestRun(s, '`') + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${s}${pad}${ticks}`;
}

/** A fenced code block tagged with the file's language; the fence outruns backticks in the code. */
export function codeBlock(code: string, path: string): string {
  const fence = '`'.repeat(Math.max(3, longestRun(code, '`') + 1));
  return `${fence}${languageForPath(path)}\n${code}\n${fence}`;
}

/** 'Line 7' or 'Lines 7-9'. */
export function lineRange(startLine: number, endLine: number): string {
  return startLine === endLine ? `Line ${startLine}` : `Lines ${startLine}-${endLine}`;
}

/** A time as ISO 8601 UTC. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Each line of `s` quoted with '> '. */
export function blockquote(s: string): string {
  return s
    .split('\n')
    .map((l) => (l === '' ? '>' : `> ${l}`))
    .join('\n');
}

/** A conversation: per comment, its author and times, then its body quoted. */
export function conversation(comments: readonly ReviewComment[]): string {
  return comments
    .map((c) => {
      const edited = c.editedAt === null ? '' : ` (edited ${formatTime(c.editedAt)})`;
      return `**${escapeMarkdown(c.author.name)}** · ${formatTime(c.createdAt)}${edited}\n\n${blockquote(c.body)}`;
    })
    .join('\n\n');
}

/** '1 thread', '2 threads'. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
