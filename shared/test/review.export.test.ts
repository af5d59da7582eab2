import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { exportJson, exportMarkdown, ReviewThreads, toGitHubReview, type ReviewAuthor } from '../src/index.js';

const alice: ReviewAuthor = { sub: 'user:alice', name: 'Alice' };
const bob: ReviewAuthor = { sub: 'user:bob', name: 'Bob' };
const T0 = Date.UTC(2025, 0, 2, 9, 0, 0);

/** A review on two files, written from two clients whose documents sync by updates. */
function review() {
  let clock = T0;
  let ids = 0;
  const options = { now: () => (clock += 60_000), randomId: () => `id${String(++ids).padStart(14, '0')}` };
  const reviewA = new Y.Doc();
  const reviewB = new Y.Doc();
  reviewA.on('update', (u: Uint8Array) => Y.applyUpdate(reviewB, u));
  const reviewer = new ReviewThreads(reviewA, options);
  const author = new ReviewThreads(reviewB, options);
  reviewB.on('update', (u: Uint8Array, origin: unknown) => origin === null && Y.applyUpdate(reviewA, u));

  const app = new Y.Doc().getText('content');
  app.insert(0, 'import { x } from "./x";\n\nexport function main() {\n  return x();\n}\n');
  const util = new Y.Doc().getText('content');
  util.insert(0, 'def helper():\n    return 1\n\n\ndef unused():\n    pass\n');

  const t1 = reviewer.createThread({ path: 'src/app.ts', fileText: app, fromLine: 3, toLine: 5, author: alice, body: 'Should this be async?' });
  author.reply(t1.id, bob, 'Not yet.');
  author.editComment(t1.id, t1.comments[0]!.id, alice, 'Should `main` be async?');
  const t2 = reviewer.createThread({ path: 'src/app.ts', fileText: app, fromLine: 1, toLine: 1, author: alice, body: 'Unused import?' });
  author.resolve(t2.id);
  reviewer.createThread({ path: 'lib/util.py', fileText: util, fromLine: 5, toLine: 6, author: bob, body: 'Delete this.\n\nIt is dead code.' });
  // The author inserts a line above the first thread and deletes the function the last one is on.
  app.insert(0, '// header\n');
  util.delete(util.toString().indexOf('\n\ndef unused'), '\n\ndef unused():\n    pass'.length);
  return { threads: author.list(), files: new Map([['src/app.ts', app], ['lib/util.py', util]]) };
}

describe('review threads: export', () => {
  it('REV8 Markdown: per file by path, threads by line, code fenced with the language, the conversation with authors and times', () => {
    const { threads, files } = review();
    expect(exportMarkdown(threads, files)).toBe(`# Code review

3 threads in 2 files: 2 open, 1 resolved, 1 outdated.

## \`lib/util.py\`

1 thread: 1 open, 0 resolved, 1 outdated.

### Lines 5-6 · open · outdated

The code of this thread was deleted; as it was when the thread was opened:

\`\`\`python
def unused():
    pass
\`\`\`

**Bob** · 2025-01-02T09:05:00.000Z

> Delete this.
>
> It is dead code.

## \`src/app.ts\`

2 threads: 1 open, 1 resolved, 0 outdated.

### Line 2 · resolved

\`\`\`ts
import { x } from "./x";
\`\`\`

**Alice** · 2025-01-02T09:04:00.000Z

> Unused import?

### Lines 4-6 · open

\`\`\`ts
export function main() {
  return x();
}
\`\`\`

**Alice** · 2025-01-02T09:01:00.000Z (edited 2025-01-02T09:03:00.000Z)

> Should \`main\` be async?

**Bob** · 2025-01-02T09:02:00.000Z

> Not yet.
`);
  });

  it('REV9 JSON: a GitHub pull-request review with one line comment per live thread; outdated threads go into the body', () => {
    const { threads, files } = review();
    const json = exportJson(threads, files);
    expect(JSON.parse(json)).toEqual(toGitHubReview(threads, files));
    expect(toGitHubReview(threads, files)).toEqual({
      event: 'COMMENT',
      body: [
        'CodeRoom review: 3 threads in 2 files: 2 open, 1 resolved, 1 outdated.',
        '# Outdated threads',
        '## `lib/util.py`',
        '### Lines 5-6 · open · outdated',
        'The code of this thread was deleted; as it was when the thread was opened:',
        '```python\ndef unused():\n    pass\n```',
        '**Bob** · 2025-01-02T09:05:00.000Z',
        '> Delete this.\n>\n> It is dead code.',
      ].join('\n\n'),
      comments: [
        {
          path: 'src/app.ts',
          line: 2,
          side: 'RIGHT',
          body: '**Alice** · 2025-01-02T09:04:00.000Z\n\n> Unused import?\n\n_Resolved in CodeRoom._',
        },
        {
          path: 'src/app.ts',
          line: 6,
          start_line: 4,
          side: 'RIGHT',
          body: '**Alice** · 2025-01-02T09:01:00.000Z (edited 2025-01-02T09:03:00.000Z)\n\n> Should `main` be async?\n\n**Bob** · 2025-01-02T09:02:00.000Z\n\n> Not yet.',
        },
      ],
    });
    // One line: no start_line (GitHub refuses start_line equal to line).
    expect(Object.keys(JSON.parse(json).comments[0])).toEqual(['path', 'line', 'side', 'body']);
  });
});
