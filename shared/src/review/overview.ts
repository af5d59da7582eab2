import type { LocatedThread } from './model.js';

/** Thread counts; `open + resolved = total`, and `outdated` counts threads of either status. */
export interface ThreadCounts {
  total: number;
  open: number;
  resolved: number;
  outdated: number;
}

/** Counts for the whole review and for each file (sorted by path). */
export interface ReviewOverview {
  review: ThreadCounts;
  files: Array<{ path: string } & ThreadCounts>;
}

function emptyCounts(): ThreadCounts {
  return { total: 0, open: 0, resolved: 0, outdated: 0 };
}

function add(counts: ThreadCounts, { thread, location }: LocatedThread): void {
  counts.total++;
  counts[thread.status]++;
  if (location.outdated) counts.outdated++;
}

/** Per-file and per-review counts of located threads (REV7). */
export function summarizeThreads(threads: readonly LocatedThread[]): ReviewOverview {
  const review = emptyCounts();
  const byPath = new Map<string, ThreadCounts>();
  for (const t of threads) {
    add(review, t);
    let counts = byPath.get(t.thread.path);
    if (!counts) byPath.set(t.thread.path, (counts = emptyCounts()));
    add(counts, t);
  }
  const files = [...byPath.keys()].sort(comparePaths).map((path) => ({ path, ...byPath.get(path)! }));
  return { review, files };
}

/** Orders paths by UTF-16 code units, the same on every machine (no locale). */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
