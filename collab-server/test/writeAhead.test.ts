import { describe, expect, it, onTestFinished } from 'vitest';
import pg from 'pg';
import * as Y from 'yjs';
import { formatDocName } from '@coderoom/shared';
import { usePostgres } from '../../shared/test/postgres.js';
import { acknowledged, api, connect, createFile, createRoom, joinRoom, startServer, waitFor, type TestClient } from './helpers.js';

const database = usePostgres();

/** A hub on a fresh PostgreSQL database, plus a connection of the test's own to that database. */
async function pgServer() {
  const url = await database();
  const server = await startServer({ DATABASE_URL: url });
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  onTestFinished(() => sql.end());
  return { ...server, sql };
}

/** A hub on PostgreSQL with a room, one file, and two synced clients of it: the host `a` and an editor `b`. */
async function editing(path: string) {
  const server = await pgServer();
  const { roomId, hostToken } = await createRoom(server.url);
  await createFile(server.url, roomId, path, hostToken);
  const name = formatDocName({ roomId, kind: 'file', path });
  const a = connect(server.wsUrl, name, hostToken);
  const b = connect(server.wsUrl, name, await joinRoom(server.url, roomId, 'Bea'));
  await Promise.all([a.synced, b.synced]);
  return { ...server, roomId, hostToken, name, a, b };
}

/** The text of a document as PostgreSQL holds it right now (snapshot + log). */
async function storedText(sql: pg.Client, name: string): Promise<string> {
  const doc = new Y.Doc();
  const snap = await sql.query<{ state: Buffer }>('SELECT state FROM doc_snapshots WHERE name = $1', [name]);
  if (snap.rows[0]) Y.applyUpdate(doc, snap.rows[0].state);
  const log = await sql.query<{ data: Buffer }>('SELECT data FROM doc_updates WHERE name = $1 ORDER BY seq', [name]);
  for (const r of log.rows) Y.applyUpdate(doc, r.data);
  return doc.getText('content').toString();
}

/** Resolves when `c` has every local change acknowledged, with what `probe` found at that moment. */
function atAcknowledgement<T>(c: TestClient, probe: () => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const onChange = ({ number }: { number: number }) => {
      if (number !== 0) return;
      c.provider.off('unsyncedChanges', onChange);
      probe().then(resolve, reject);
    };
    c.provider.on('unsyncedChanges', onChange);
  });
}

/** Makes every insert into the update log take `seconds` longer (a slow disk, a busy server); counts them in `log_inserts`. */
async function slowLog(sql: pg.Client, seconds: number): Promise<void> {
  await sql.query('CREATE TABLE log_inserts (at timestamptz DEFAULT now())');
  await sql.query(`CREATE OR REPLACE FUNCTION slow_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO log_inserts DEFAULT VALUES; PERFORM pg_sleep(${seconds}); RETURN NULL; END $$`);
  await sql.query('CREATE TRIGGER slow_log BEFORE INSERT ON doc_updates FOR EACH STATEMENT EXECUTE FUNCTION slow_log()');
}

describe('write-ahead log on PostgreSQL (WAL)', () => {
  it('WAL1 an update is committed in PostgreSQL before its acknowledgement, even when commits are slow', async () => {
    const { sql, name, a } = await editing('a.txt');
    await slowLog(sql, 0.3);
    const seen = atAcknowledgement(a, () => storedText(sql, name));
    a.text.insert(0, 'durable first');
    expect(await seen).toBe('durable first');
    // And a burst: when the last acknowledgement arrives, all of it is stored.
    const burst = atAcknowledgement(a, () => storedText(sql, name));
    for (let i = 0; i < 10; i++) a.text.insert(a.text.length, ` ${i}`);
    expect(await burst).toBe('durable first 0 1 2 3 4 5 6 7 8 9');
  });

  it('WAL2 other clients see an update only once it is in PostgreSQL', async () => {
    const { sql, name, a, b } = await editing('b.txt');
    await slowLog(sql, 0.3);
    const storedWhenSeen = new Promise<string>((resolve, reject) => {
      b.text.observe(() => storedText(sql, name).then(resolve, reject));
    });
    a.text.insert(0, 'hello b');
    expect(await storedWhenSeen).toBe('hello b');
    await acknowledged(a.provider);
  });

  it('WAL2 a burst from one connection is logged in the order it was sent, sharing commits', async () => {
    const { sql, name, a } = await editing('order.txt');
    await slowLog(sql, 0.05);
    const done = atAcknowledgement(a, async () => undefined);
    for (let i = 0; i < 40; i++) a.text.insert(a.text.length, `${i},`);
    await done;
    const { rows } = await sql.query<{ seq: number; data: Buffer }>('SELECT seq, data FROM doc_updates WHERE name = $1 ORDER BY seq', [name]);
    // Each insert is one update of a's client: in log order, their clocks only go up.
    const clocks = rows.flatMap((r) => Y.decodeUpdate(r.data).structs.filter((st) => st.id.client === a.doc.clientID).map((st) => st.id.clock));
    expect(clocks).toHaveLength(40);
    expect(clocks).toEqual([...clocks].sort((x, y) => x - y));
    // Fewer INSERTs than updates: appends that arrived during a commit went into the next one.
    const inserts = (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM log_inserts')).rows[0]!.n;
    expect(inserts).toBeLessThan(40);
    expect(await storedText(sql, name)).toBe(Array.from({ length: 40 }, (_, i) => `${i},`).join(''));
  });

  it('WAL4 an update PostgreSQL refuses is neither acknowledged nor applied; the client reconnects and it is stored once PostgreSQL accepts again', async () => {
    const { sql, name, a, b } = await editing('c.txt');
    a.text.insert(0, 'kept ');
    await acknowledged(a.provider);
    await waitFor(() => b.text.toString() === 'kept ');
    await sql.query(`CREATE FUNCTION refuse_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`);
    await sql.query('CREATE TRIGGER refuse_log BEFORE INSERT ON doc_updates FOR EACH STATEMENT EXECUTE FUNCTION refuse_log()');
    a.text.insert(a.text.length, 'late');
    await new Promise((r) => setTimeout(r, 500));
    expect(a.provider.unsyncedChanges).toBeGreaterThan(0);
    expect(b.text.toString()).toBe('kept ');
    expect(await storedText(sql, name)).toBe('kept ');

    await sql.query('DROP TRIGGER refuse_log ON doc_updates');
    await acknowledged(a.provider, 20_000);
    await waitFor(() => b.text.toString() === 'kept late');
    expect(await storedText(sql, name)).toBe('kept late');
  });

  it('AUTH2 a viewer edit is never stored in PostgreSQL', async () => {
    const { url, wsUrl, sql, roomId, name, a: editor } = await editing('v.txt');
    const viewer = connect(wsUrl, name, await joinRoom(url, roomId, 'Vera', 'viewer'));
    await viewer.synced;
    viewer.text.insert(0, 'VIEWER WAS HERE ');
    await new Promise((r) => setTimeout(r, 300));
    expect(viewer.provider.unsyncedChanges).toBeGreaterThan(0);
    editor.text.insert(0, 'by editor');
    await acknowledged(editor.provider);
    expect(await storedText(sql, name)).toBe('by editor');
    expect(editor.text.toString()).toBe('by editor');
  });

  it('DOC5 on PostgreSQL: rename keeps content, delete removes the stored document, a re-created name starts empty', async () => {
    const { url, wsUrl, sql, roomId, hostToken, name, a } = await editing('old.txt');
    a.text.insert(0, 'moved text');
    await acknowledged(a.provider);
    expect((await api(url, 'POST', `/api/rooms/${roomId}/files/rename`, { from: 'old.txt', to: 'new.txt' }, hostToken)).status).toBe(200);
    const newName = formatDocName({ roomId, kind: 'file', path: 'new.txt' });
    expect(await storedText(sql, newName)).toBe('moved text');
    expect(await storedText(sql, name)).toBe('');
    const b = connect(wsUrl, newName, hostToken);
    await b.synced;
    expect(b.text.toString()).toBe('moved text');
    b.provider.destroy();
    b.socket.destroy();
    expect((await api(url, 'POST', `/api/rooms/${roomId}/files/delete`, { path: 'new.txt' }, hostToken)).status).toBe(200);
    expect((await sql.query('SELECT name FROM doc_updates WHERE name = $1 UNION SELECT name FROM doc_snapshots WHERE name = $1', [newName])).rows).toEqual([]);
    await createFile(url, roomId, 'new.txt', hostToken);
    const c = connect(wsUrl, newName, hostToken);
    await c.synced;
    expect(c.text.toString()).toBe('');
  });

  it('DOC4 compaction on PostgreSQL keeps every update and start-up reloads snapshot + tail', async () => {
    const dbUrl = await database();
    const first = await startServer({ DATABASE_URL: dbUrl, COMPACT_EVERY_UPDATES: '7' });
    const { roomId, hostToken } = await createRoom(first.url);
    await createFile(first.url, roomId, 'd.txt', hostToken);
    const name = formatDocName({ roomId, kind: 'file', path: 'd.txt' });
    const a = connect(first.wsUrl, name, hostToken);
    await a.synced;
    for (let i = 0; i < 40; i++) a.text.insert(a.text.length, `${i};`);
    await acknowledged(a.provider);
    a.provider.destroy();
    a.socket.destroy();
    await first.server.close();
    const second = await startServer({ DATABASE_URL: dbUrl }, first.dataDir);
    const b = connect(second.wsUrl, name, hostToken);
    await b.synced;
    expect(b.text.toString()).toBe(Array.from({ length: 40 }, (_, i) => `${i};`).join(''));
  });
});
