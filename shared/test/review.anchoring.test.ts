import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AppError, ReviewThreads, type ReviewAuthor } from '../src/index.js';

const alice: ReviewAuthor = { sub: 'user:alice', name: 'Alice' };
const bob: ReviewAuthor = { sub: 'user:bob', name: 'Bob' };

/** Two clients of one room: a file document and the review document each, synced by updates. */
function twoClients() {
  const docs = [new Y.Doc(), new Y.Doc(), new Y.Doc(), new Y.Doc()] as const;
  const link = (a: Y.Doc, b: Y.Doc) => {
    a.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(b, u, 'remote'));
    b.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(a, u, 'remote'));
  };
  const [fileA, fileB, reviewA, reviewB] = docs;
  link(fileA, fileB);
  link(reviewA, reviewB);
  return {
    a: { text: fileA.getText('content'), threads: new ReviewThreads(reviewA), fileDoc: fileA, reviewDoc: reviewA },
    b: { text: fileB.getText('content'), threads: new ReviewThreads(reviewB), fileDoc: fileB, reviewDoc: reviewB },
  };
}

const twentyLines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

function offsetOfLine(text: Y.Text, line: number): number {
  const lines = text.toString().split('\n');
  return lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
}

describe('review threads: anchoring', () => {
  it('REV1 REV2 REV3 a thread on lines 10-12 follows inserts above and edits inside, then is outdated, not lost, when its code is deleted', () => {
    const { a, b } = twoClients();
    a.text.insert(0, twentyLines);
    expect(b.text.toString()).toBe(twentyLines);

    // The reviewer (a) opens a thread on lines 10-12.
    const created = a.threads.createThread({ path: 'src/app.ts', fileText: a.text, fromLine: 10, toLine: 12, author: alice, body: 'Why three lines?' });
    expect(created.quotedCode).toBe('line 10\nline 11\nline 12');

    // The author (b) inserts 5 lines directly above line 10 and edits inside the range.
    b.text.insert(offsetOfLine(b.text, 10), 'new 1\nnew 2\nnew 3\nnew 4\nnew 5\n');
    b.text.insert(offsetOfLine(b.text, 16) + 'line 11'.length, ' // edited');
    b.text.insert(offsetOfLine(b.text, 17) + 'line 12'.length, ';');
    expect(a.text.toString()).toBe(b.text.toString());

    for (const side of [a, b]) {
      const [thread] = side.threads.list('src/app.ts');
      expect(thread?.id).toBe(created.id);
      expect(side.threads.locate(thread!, side.text)).toEqual({
        startLine: 15,
        endLine: 17,
        code: 'line 10\nline 11 // edited\nline 12;',
        outdated: false,
      });
    }

    // A new line typed after the last line stays outside the thread.
    a.text.insert(offsetOfLine(a.text, 17) + 'line 12;'.length, '\nafter');
    expect(b.threads.locate(b.threads.get(created.id)!, b.text)).toMatchObject({ startLine: 15, endLine: 17 });

    // The author deletes the range (lines 15-17 and their newline): outdated, quoted code kept.
    b.text.delete(offsetOfLine(b.text, 15), offsetOfLine(b.text, 18) - offsetOfLine(b.text, 15));
    expect(b.text.toString()).not.toContain('line 11');
    for (const side of [a, b]) {
      const thread = side.threads.get(created.id)!;
      const location = side.threads.locate(thread, side.text);
      expect(location).toEqual({ startLine: 15, endLine: 15, code: '', outdated: true });
      expect(thread.quotedCode).toBe('line 10\nline 11\nline 12');
      expect([thread.startLine, thread.endLine]).toEqual([10, 12]);
      expect(side.threads.overview(new Map([['src/app.ts', side.text]]))).toEqual({
        review: { total: 1, open: 1, resolved: 0, outdated: 1 },
        files: [{ path: 'src/app.ts', total: 1, open: 1, resolved: 0, outdated: 1 }],
      });
    }

    // It survives a round trip through encoded state into fresh documents.
    const fileDoc = new Y.Doc();
    Y.applyUpdate(fileDoc, Y.encodeStateAsUpdate(b.fileDoc));
    const reviewDoc = new Y.Doc();
    Y.applyUpdate(reviewDoc, Y.encodeStateAsUpdate(b.reviewDoc));
    const restored = new ReviewThreads(reviewDoc);
    expect(restored.list()).toEqual([b.threads.get(created.id)]);
    expect(restored.locate(restored.get(created.id)!, fileDoc.getText('content'))).toEqual({ startLine: 15, endLine: 15, code: '', outdated: true });
    expect(restored.get(created.id)!.comments.map((c) => c.body)).toEqual(['Why three lines?']);
  });

  it('REV2 replacing the whole range outdates the thread; deleting part of it only shrinks it', () => {
    const { a, b } = twoClients();
    a.text.insert(0, twentyLines);
    const whole = a.threads.createThread({ path: 'a.ts', fileText: a.text, fromLine: 3, toLine: 4, author: alice, body: 'x' });
    const part = a.threads.createThread({ path: 'a.ts', fileText: a.text, fromLine: 8, toLine: 10, author: alice, body: 'y' });
    // Select lines 3-4 and type over them.
    const from = offsetOfLine(b.text, 3);
    b.text.delete(from, 'line 3\nline 4'.length);
    b.text.insert(from, 'rewritten');
    // Lines 3-4 became one line, so 'line 8' is now line 7: delete it, the thread's first line.
    expect(b.text.toString().split('\n')[6]).toBe('line 8');
    b.text.delete(offsetOfLine(b.text, 7), 'line 8\n'.length);
    expect(a.threads.locate(a.threads.get(whole.id)!, a.text)).toMatchObject({ outdated: true });
    expect(a.threads.locate(a.threads.get(part.id)!, a.text)).toEqual({ startLine: 7, endLine: 8, code: 'line 9\nline 10', outdated: false });
  });

  it('REV2 a thread on one empty line stays while the line exists and is outdated once it is removed', () => {
    const { a, b } = twoClients();
    a.text.insert(0, 'a\n\nb\n');
    const t = a.threads.createThread({ path: 'a.ts', fileText: a.text, fromLine: 2, toLine: 2, author: alice, body: 'blank line?' });
    b.text.insert(0, 'top\n');
    expect(a.threads.locate(a.threads.get(t.id)!, a.text)).toEqual({ startLine: 3, endLine: 3, code: '', outdated: false });
    b.text.delete('top\na\n'.length, 1);
    expect(b.text.toString()).toBe('top\na\nb\n');
    expect(a.threads.locate(a.threads.get(t.id)!, a.text)).toMatchObject({ outdated: true });
  });

  it('REV4 REV5 replies, edits by the author only, resolve and reopen reach the other client', () => {
    let clock = 1_000;
    const { a, b } = twoClients();
    const bThreads = new ReviewThreads(b.reviewDoc, { now: () => ++clock });
    a.text.insert(0, twentyLines);
    const t = a.threads.createThread({ path: 'a.ts', fileText: a.text, fromLine: 1, toLine: 1, author: alice, body: 'first' });
    const reply = bThreads.reply(t.id, bob, 'answer');
    expect(() => a.threads.editComment(t.id, reply.id, alice, 'hijacked')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    bThreads.editComment(t.id, reply.id, bob, 'better answer');
    bThreads.resolve(t.id);
    bThreads.resolve(t.id);
    let seen = a.threads.get(t.id)!;
    expect(seen.status).toBe('resolved');
    expect(seen.comments.map((c) => [c.author.name, c.body, c.editedAt])).toEqual([
      ['Alice', 'first', null],
      ['Bob', 'better answer', 1_002],
    ]);
    a.threads.reopen(t.id);
    seen = bThreads.get(t.id)!;
    expect(seen.status).toBe('open');
  });

  it('REV6 bad input is refused with an error and changes nothing', () => {
    const { a } = twoClients();
    a.text.insert(0, twentyLines);
    const before = Y.encodeStateVector(a.reviewDoc);
    const base = { path: 'a.ts', fileText: a.text, fromLine: 1, toLine: 2, author: alice, body: 'x' };
    for (const bad of [
      { fromLine: 0 },
      { fromLine: 3, toLine: 2 },
      { toLine: 22 },
      { fromLine: 1.5 },
      { path: '../etc/passwd' },
      { body: '   ' },
      { author: { sub: '', name: 'A' } },
      { fileText: new Y.Text() },
    ]) {
      expect(() => a.threads.createThread({ ...base, ...bad }), JSON.stringify(bad)).toThrow(AppError);
    }
    expect(() => a.threads.reply('AAAAAAAAAAAAAAAA', alice, 'x')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    const t = a.threads.createThread(base);
    const after = Y.encodeStateVector(a.reviewDoc);
    expect(() => a.threads.reply(t.id, alice, '')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => a.threads.editComment(t.id, 'nope', alice, 'y')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(Y.encodeStateVector(a.reviewDoc)).toEqual(after);
    expect(after).not.toEqual(before);
  });

  it('REV10 a malformed entry written by another client is skipped, not thrown', () => {
    const { a, b } = twoClients();
    a.text.insert(0, twentyLines);
    a.threads.createThread({ path: 'a.ts', fileText: a.text, fromLine: 1, toLine: 1, author: alice, body: 'ok' });
    b.reviewDoc.getMap('threads').set('junk', new Y.Map([['id', 42]]));
    b.reviewDoc.getMap('threads').set('junk2', 'not a map');
    expect(a.threads.list().map((t) => t.comments[0]!.body)).toEqual(['ok']);
    expect(() => a.threads.resolve('junk')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
