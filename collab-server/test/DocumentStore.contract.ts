import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocumentStore } from '../src/index.js';

/** Yjs updates from a doc that types `text` in steps. */
function edits(...parts: string[]): { updates: Uint8Array[]; doc: Y.Doc } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (const p of parts) doc.getText('content').insert(doc.getText('content').length, p);
  return { updates, doc };
}

function replay(stored: { snapshot: Uint8Array | null; updates: Uint8Array[] }): string {
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const u of stored.updates) Y.applyUpdate(doc, u);
  return doc.getText('content').toString();
}

/**
 * The DocumentStore contract: every implementation (SQLite and PostgreSQL) runs this
 * suite unchanged. `make` returns a fresh, empty store; `makeTwo` two stores on one fresh
 * database through separate connections (as two nodes, or two processes, have).
 */
export function documentStoreContract(label: string, make: () => Promise<DocumentStore> | DocumentStore, makeTwo: () => Promise<[DocumentStore, DocumentStore]>): void {
  describe(`DocumentStore contract: ${label}`, () => {
    it('STORE1 an unknown document loads as empty', async () => {
      const store = await make();
      expect(await store.load('room:aaaaaaaaaa:file:x')).toEqual({ snapshot: null, updates: [], lastSeq: 0 });
    });

    it('STORE2 append returns increasing seqs and load replays the log in order', async () => {
      const store = await make();
      const { updates } = edits('a', 'b', 'c');
      const seqs: number[] = [];
      for (const u of updates) seqs.push(await store.append('d1', u));
      expect(seqs).toEqual([1, 2, 3]);
      const loaded = await store.load('d1');
      expect(loaded.lastSeq).toBe(3);
      expect(loaded.updates.map((u) => Buffer.from(u).toString('hex'))).toEqual(updates.map((u) => Buffer.from(u).toString('hex')));
      expect(replay(loaded)).toBe('abc');
    });

    it('STORE3 compact replaces covered updates with a snapshot and keeps later ones', async () => {
      const store = await make();
      const { updates, doc } = edits('one ', 'two ', 'three');
      await store.append('d', updates[0]!);
      await store.append('d', updates[1]!);
      const mid = new Y.Doc();
      Y.applyUpdate(mid, updates[0]!);
      Y.applyUpdate(mid, updates[1]!);
      await store.append('d', updates[2]!);
      await store.compact('d', Y.encodeStateAsUpdate(mid), 2);
      const loaded = await store.load('d');
      expect(loaded.snapshot).not.toBeNull();
      expect(loaded.updates).toHaveLength(1);
      expect(loaded.lastSeq).toBe(3);
      expect(replay(loaded)).toBe(doc.getText('content').toString());
      // seqs keep increasing after a compaction that emptied the log
      await store.compact('d', Y.encodeStateAsUpdate(doc), 3);
      expect((await store.load('d')).updates).toHaveLength(0);
      expect(await store.append('d', edits('x').updates[0]!)).toBe(4);
    });

    it('STORE4 documents are independent; delete removes one; list filters by prefix', async () => {
      const store = await make();
      await store.append('room:r1:file:a', edits('A').updates[0]!);
      await store.append('room:r1:file:b', edits('B').updates[0]!);
      await store.append('room:r2:file:a', edits('C').updates[0]!);
      await store.compact('room:r1:file:b', edits('B').updates[0]!, 1);
      expect(await store.list('room:r1:')).toEqual(['room:r1:file:a', 'room:r1:file:b']);
      await store.delete('room:r1:file:a');
      expect(await store.list('room:r1:')).toEqual(['room:r1:file:b']);
      expect(replay(await store.load('room:r2:file:a'))).toBe('C');
      expect(await store.load('room:r1:file:a')).toEqual({ snapshot: null, updates: [], lastSeq: 0 });
    });

    it('STORE5 copy duplicates snapshot and log under a new name, refusing a non-empty target', async () => {
      const store = await make();
      const { updates } = edits('hello', ' world');
      await store.append('src', updates[0]!);
      await store.compact('src', updates[0]!, 1);
      await store.append('src', updates[1]!);
      await store.copy('src', 'dst');
      expect(replay(await store.load('dst'))).toBe('hello world');
      expect(replay(await store.load('src'))).toBe('hello world');
      await expect(store.copy('src', 'dst')).rejects.toThrow();
    });

    it('STORE7 appends issued together (async stores batch them) get consecutive seqs in call order', async () => {
      const store = await make();
      const { updates, doc } = edits(...Array.from({ length: 60 }, (_, i) => `${i},`));
      const seqs = await Promise.all(updates.map((u) => store.append('burst', u)));
      expect(seqs).toEqual(updates.map((_, i) => i + 1));
      const loaded = await store.load('burst');
      expect(loaded.updates.map((u) => Buffer.from(u).toString('hex'))).toEqual(updates.map((u) => Buffer.from(u).toString('hex')));
      expect(replay(loaded)).toBe(doc.getText('content').toString());
    });

    it('STORE8 a compaction that lands late never replaces a snapshot that covers more of the log', async () => {
      const store = await make();
      const { updates, doc } = edits('a', 'b', 'c', 'd');
      for (const u of updates) await store.append('late', u);
      const early = new Y.Doc();
      Y.applyUpdate(early, updates[0]!);
      await store.compact('late', Y.encodeStateAsUpdate(doc), 4);
      await store.compact('late', Y.encodeStateAsUpdate(early), 1);
      const loaded = await store.load('late');
      expect(loaded.lastSeq).toBe(4);
      expect(replay(loaded)).toBe('abcd');
    });

    it('STORE9 two stores (two nodes) appending to one document at once: every append commits, seqs never repeat', async () => {
      const stores = await makeTwo();
      const writers = stores.map((store, w) => {
        const { updates } = edits(...Array.from({ length: 80 }, (_, i) => `${w}:${i},`));
        return (async () => {
          const seqs: number[] = [];
          // One at a time per store, so the two stores' commits interleave as much as they can.
          for (const u of updates) seqs.push(await store.append('shared', u));
          return seqs;
        })();
      });
      const seqs = (await Promise.all(writers)).flat();
      expect(new Set(seqs).size).toBe(160);
      expect(seqs.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 160 }, (_, i) => i + 1));
      const loaded = await stores[0].load('shared');
      expect(loaded.updates).toHaveLength(160);
      const text = replay(loaded);
      for (let i = 0; i < 80; i++) expect(text).toContain(`0:${i},`);
      for (let i = 0; i < 80; i++) expect(text).toContain(`1:${i},`);
    });

    it('STORE10 a compaction keeps updates its state lacks (another node logged them) and what the stored snapshot holds', async () => {
      const store = await make();
      const mine = edits('a', 'b');
      const theirs = edits('X');
      await store.append('two', mine.updates[0]!);
      await store.append('two', theirs.updates[0]!);
      await store.append('two', mine.updates[1]!);
      // This node never received the other node's update: its state is 'ab' only.
      await store.compact('two', Y.encodeStateAsUpdate(mine.doc), 3);
      expect(replay(await store.load('two'))).toContain('X');
      // A later compaction by a node that has neither keeps both (from the stored snapshot).
      const late = edits('c');
      await store.append('two', late.updates[0]!);
      await store.compact('two', Y.encodeStateAsUpdate(late.doc), 4);
      const loaded = await store.load('two');
      expect(loaded.updates).toEqual([]);
      const text = replay(loaded);
      for (const part of ['a', 'b', 'X', 'c']) expect(text).toContain(part);
      expect(text).toHaveLength(4);
    });

    it('STORE6 prefix listing treats LIKE wildcards literally', async () => {
      const store = await make();
      await store.append('room:a_b:file:x', edits('1').updates[0]!);
      await store.append('room:axb:file:x', edits('2').updates[0]!);
      expect(await store.list('room:a_b:')).toEqual(['room:a_b:file:x']);
    });
  });
}
