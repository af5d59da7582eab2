import type { ReviewThread } from './model.js';
import { conversation, inlineCode, plural } from './markdown.js';
import { summarizeThreads } from './overview.js';
import { locateAll, type FileTexts } from './ReviewThreads.js';
import { countsLine, sortLocated, threadMarkdown } from './exportMarkdown.js';

/** One line comment of a GitHub pull-request review (REST "Create a review for a pull request"). */
export interface GitHubReviewComment {
  path: string;
  /** Last line of the range, in the file as it is now (the head of the pull request). */
  line: number;
  /** First line of a multi-line range; absent for one line (GitHub refuses start_line = line). */
  start_line?: number;
  /** The new version of the file. */
  side: 'RIGHT';
  /** Markdown: the conversation with authors and times, and the status when resolved. */
  body: string;
}

/** The body of `POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews`, minus `commit_id`. */
export interface GitHubReview {
  /** A comment-only review: it neither approves nor requests changes. */
  event: 'COMMENT';
  /** Summary counts, then every outdated thread in full (they have no line to sit on). */
  body: string;
  /** One per thread that still has its code, by path and line. */
  comments: GitHubReviewComment[];
}

/**
 * The review shaped as a GitHub pull-request review (REV9). A script posts it with the commit the
 * line numbers refer to, e.g.
 *
 *   jq --arg sha "$(git rev-parse HEAD)" '. + {commit_id: $sha}' review.json |
 *     gh api repos/OWNER/REPO/pulls/N/reviews --input -
 *
 * GitHub accepts line comments only on lines inside the pull request's diff; threads outside it
 * must be moved into `body` by the script (or posted as plain issue comments).
 */
export function toGitHubReview(threads: readonly ReviewThread[], files: FileTexts): GitHubReview {
  const located = sortLocated(locateAll(threads, files));
  const overview = summarizeThreads(located);
  const comments: GitHubReviewComment[] = [];
  const outdated: string[] = [];
  for (const t of located) {
    if (t.location.outdated) {
      outdated.push(`## ${inlineCode(t.thread.path)}\n\n${threadMarkdown(t)}`);
      continue;
    }
    const { startLine, endLine } = t.location;
    const status = t.thread.status === 'resolved' ? '\n\n_Resolved in CodeRoom._' : '';
    comments.push({
      path: t.thread.path,
      line: endLine,
      ...(startLine < endLine ? { start_line: startLine } : {}),
      side: 'RIGHT',
      body: `${conversation(t.thread.comments)}${status}`,
    });
  }
  const summary = `CodeRoom review: ${countsLine(overview.review, ` in ${plural(overview.files.length, 'file')}`)}`;
  const body = outdated.length ? `${summary}\n\n# Outdated threads\n\n${outdated.join('\n\n')}` : summary;
  return { event: 'COMMENT', body, comments };
}

/** `toGitHubReview` as pretty-printed JSON with a final newline. */
export function exportJson(threads: readonly ReviewThread[], files: FileTexts): string {
  return JSON.stringify(toGitHubReview(threads, files), null, 2) + '\n';
}
