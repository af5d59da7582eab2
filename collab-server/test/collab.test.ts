import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { join } from 'node:path';
import { formatDocName, roomIndexDocName, FILE_INDEX_MAP } from '@coderoom/shared';
import { openDatabase, SqliteDocumentStore } from '../src/index.js';
import { acknowledged, connect, createFile, createRoom, joinRoom, startServer, waitFor } from './helpers.js';

describe('collaborative editing over real WebSockets', () => {
  it('DOC1 two editors converge', async () => {
    const { url, wsUrl } = await startServer();
    const { roomId, hostToken } = await createRoom(url);
    await createFile(url, roomId, 'main.ts', hostToken);
    const name = formatDocName({ roomId, kind: 'file', path: 'main.ts' });
    const a = connect(wsUrl, name, hostToken);
    const b = connect(wsUrl, name, await joinRoom(url, roomId, 'Bob'));
    await Promise.all([a.synced, b.synced]);
    a.text.insert(0, 'hello ');
    b.text.insert(0, 'world ');
    for (let i = 0; i < 50; i++) (i % 2 ? a : b).text.insert(i % 7, String(i % 10));
    await waitFor(() => a.text.toString() === b.text.toString() && a.text.length === 12 + 50, 10_000, 'convergence');
    await Promise.all([acknowledged(a.provider), acknowledged(b.provider)]);
    expect(a.text.toString()).toBe(b.text.toString());
  });

  it('AUTH2 a viewer edit is refused by the server and never persisted', async () => {
    const { url, wsUrl, server, dataDir } = await startServer();
    const { roomId, hostToken } = await createRoom(url);
    await createFile(url, roomId, 'notes.md', hostToken);
    const name = formatDocName({ roomId, kind: 'file', path: 'notes.md' });
    const editor = connect(wsUrl, name, hostToken);
    const viewer = connect(wsUrl, name, await joinRoom(url, roomId, 'Vera', 'viewer'));
    await Promise.all([editor.synced, viewer.synced]);
    editor.text.insert(0, 'by editor');
    await acknowledged(editor.provider);
    await waitFor(() => viewer.text.toString() === 'by editor');

    viewer.text.insert(0, 'VIEWER WAS HERE ');
    // The server answers SyncStatus(false): the change stays unacknowledged on the viewer.
    await new Promise((r) => setTimeout(r, 300));
    expect(viewer.provider.unsyncedChanges).toBeGreaterThan(0);
    // A later editor update still reaches everyone, and never carries the viewer's text.
    editor.text.insert(editor.text.length, '!');
    await acknowledged(editor.provider);
    await waitFor(() => viewer.text.toString().endsWith('!'));
    expect(editor.text.toString()).toBe('by editor!');

    // Nothing of the viewer's reached storage.
    await server.close();
    const db = openDatabase(join(dataDir, 'coderoom.db'));
    try {
      const stored = await new SqliteDocumentStore(db).load(name);
      const doc = new Y.Doc();
      if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
      for (const u of stored.updates) Y.applyUpdate(doc, u);
      expect(doc.getText('content').toString()).toBe('by editor!');
    } finally {
      db.close();
    }
  });

  it('AUTH3 the file index is server-owned: read-only for every client, live for all', async () => {
    const { url, wsUrl } = await startServer();
    const { roomId, hostToken } = await createRoom(url);
    const index = connect(wsUrl, roomIndexDocName(roomId), hostToken);
    await index.synced;
    const files = index.doc.getMap(FILE_INDEX_MAP);
    await createFile(url, roomId, 'a.py', hostToken);
    await waitFor(() => files.has('a.py'));
    files.set('evil.py', { createdAt: 0, createdBy: 'host' });
    await new Promise((r) => setTimeout(r, 200));
    expect(index.provider.unsyncedChanges).toBeGreaterThan(0);
    const other = connect(wsUrl, roomIndexDocName(roomId), await joinRoom(url, roomId, 'Eve'));
    await other.synced;
    expect([...other.doc.getMap(FILE_INDEX_MAP).keys()]).toEqual(['a.py']);
  });

  it('AUTH4 documents of another room, unknown files, unknown singleton documents and malformed names are refused', async () => {
    const { url, wsUrl } = await startServer();
    const r1 = await createRoom(url);
    const r2 = await createRoom(url);
    await createFile(url, r2.roomId, 'x.ts', r2.hostToken);
    const other = connect(wsUrl, formatDocName({ roomId: r2.roomId, kind: 'file', path: 'x.ts' }), r1.hostToken);
    expect(await other.authFailed).toMatch(/^FORBIDDEN:/);
    const missing = connect(wsUrl, formatDocName({ roomId: r1.roomId, kind: 'file', path: 'nope.ts' }), r1.hostToken);
    expect(await missing.authFailed).toMatch(/^NOT_FOUND:/);
    const bad = connect(wsUrl, `room:${r1.roomId}:file:../../etc/passwd`, r1.hostToken);
    expect(await bad.authFailed).toMatch(/^BAD_REQUEST:/);
    const weird = connect(wsUrl, 'not-a-document', r1.hostToken);
    expect(await weird.authFailed).toMatch(/^BAD_REQUEST:/);
    // Non-file kinds have exactly one document per room.
    for (const name of [`room:${r1.roomId}:meta:other`, `room:${r1.roomId}:review:other`]) {
      expect(await connect(wsUrl, name, r1.hostToken).authFailed, name).toMatch(/^NOT_FOUND:/);
    }
    const review = connect(wsUrl, `room:${r1.roomId}:review:threads`, r1.hostToken);
    await review.synced;
  });

  it('DOC5 rename keeps content and history; delete removes it; open editors are moved off', async () => {
    const { url, wsUrl } = await startServer();
    const { roomId, hostToken } = await createRoom(url);
    await createFile(url, roomId, 'old.ts', hostToken);
    const oldName = formatDocName({ roomId, kind: 'file', path: 'old.ts' });
    const a = connect(wsUrl, oldName, hostToken);
    await a.synced;
    a.text.insert(0, 'const x = 1;');
    await acknowledged(a.provider);
    const { api } = await import('./helpers.js');
    const r = await api(url, 'POST', `/api/rooms/${roomId}/files/rename`, { from: 'old.ts', to: 'new.ts' }, hostToken);
    expect(r.status).toBe(200);
    const b = connect(wsUrl, formatDocName({ roomId, kind: 'file', path: 'new.ts' }), hostToken);
    await b.synced;
    expect(b.text.toString()).toBe('const x = 1;');
    const stale = connect(wsUrl, oldName, hostToken);
    expect(await stale.authFailed).toMatch(/^NOT_FOUND:/);
    expect((await api(url, 'POST', `/api/rooms/${roomId}/files/delete`, { path: 'new.ts' }, hostToken)).status).toBe(200);
    // Re-creating the name starts empty.
    await createFile(url, roomId, 'new.ts', hostToken);
    const c = connect(wsUrl, formatDocName({ roomId, kind: 'file', path: 'new.ts' }), hostToken);
    await c.synced;
    expect(c.text.toString()).toBe('');
  });
});
