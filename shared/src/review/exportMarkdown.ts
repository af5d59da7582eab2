import type { LocatedThread, ReviewThread } from './model.js';
import { codeBlock, conversation, inlineCode, lineRange, plural } from './markdown.js';
import { comparePaths, summarizeThreads, type ThreadCounts } from './overview.js';
import { locateAll, type FileTexts } from './ReviewThreads.js';

/** Threads in reading order: by path, then current line, then age. */
export function sortLocated(threads: readonly LocatedThread[]): LocatedThread[] {
  return [...threads].sort(
    (a, b) =>
      comparePaths(a.thread.path, b.thread.path) ||
      a.location.startLine - b.location.startLine ||
      a.thread.createdAt - b.thread.createdAt ||
      comparePaths(a.thread.id, b.thread.id),
  );
}

/** '3 threads<where>: 2 open, 1 resolved, 1 outdated.' */
export function countsLine(c: ThreadCounts, where = ''): string {
  return `${plural(c.total, 'thread')}${where}: ${c.open} open, ${c.resolved} resolved, ${c.outdated} outdated.`;
}

/**
 * One thread as Markdown under a `###` heading: its lines and status, its code in a fenced block
 * tagged with the file's language, and the conversation. A live thread shows its current lines and
 * code; an outdated one shows the lines and code quoted when it was opened.
 */
export function threadMarkdown({ thread, location }: LocatedThread): string {
  const status = location.outdated ? `${thread.status} · outdated` : thread.status;
  const lines = location.outdated ? lineRange(thread.startLine, thread.endLine) : lineRange(location.startLine, location.endLine);
  const code = location.outdated
    ? `The code of this thread was deleted; as it was when the thread was opened:\n\n${codeBlock(thread.quotedCode, thread.path)}`
    : codeBlock(location.code, thread.path);
  return `### ${lines} · ${status}\n\n${code}\n\n${conversation(thread.comments)}`;
}

/**
 * The review as Markdown (REV8):
 *
 *   # Code review
 *   <n threads in m files: counts>
 *   ## `<path>`            one section per file, by path
 *   <counts of the file>
 *   ### Lines a-b · status  one per thread, by line (see `threadMarkdown`)
 *
 * `files` maps each path to its `content` Y.Text; a thread whose file is missing is outdated.
 */
export function exportMarkdown(threads: readonly ReviewThread[], files: FileTexts): string {
  const located = sortLocated(locateAll(threads, files));
  const overview = summarizeThreads(located);
  const out = [`# Code review`, countsLine(overview.review, ` in ${plural(overview.files.length, 'file')}`)];
  for (const file of overview.files) {
    out.push(`## ${inlineCode(file.path)}`, countsLine(file));
    for (const t of located) if (t.thread.path === file.path) out.push(threadMarkdown(t));
  }
  return out.join('\n\n') + '\n';
}
