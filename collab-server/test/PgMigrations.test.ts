import { describe, expect, it, onTestFinished } from 'vitest';
import * as Y from 'yjs';
import { migratePostgres, PG_SCHEMA_VERSION, PgAccountStore, PgDocumentStore, PgRoomStore, hashPassword } from '../src/index.js';
import { createPgPool } from '@coderoom/shared';
import { usePostgres } from '../../shared/test/postgres.js';

const database = usePostgres();

async function pool(max = 4) {
  const p = createPgPool(await database(), max);
  onTestFinished(() => p.end());
  return p;
}

describe('PostgreSQL schema migrations', () => {
  it('MIG1 a database at schema version 1 with data upgrades to the newest; the data survives and the new tables work', async () => {
    const db = await pool();
    expect(await migratePostgres(db, 1)).toEqual({ from: 0, to: 1 });
    // Data written by a version-1 build: rooms, files, a document log, a snapshot, audit rows.
    const rooms = new PgRoomStore(db);
    const room = await rooms.create('Old room');
    expect(await rooms.addFile(room.id, { path: 'main.ts', createdAt: 5, createdBy: 'Ann' })).toBe(true);
    const docs = new PgDocumentStore(db);
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    doc.getText('content').insert(0, 'old ');
    await docs.append('room:old:file:main.ts', updates[0]!);
    await docs.compact('room:old:file:main.ts', Y.encodeStateAsUpdate(doc), 1);
    doc.getText('content').insert(4, 'text');
    await docs.append('room:old:file:main.ts', updates[1]!);
    await db.query("INSERT INTO audit (at, room_id, actor, actor_name, action) VALUES (1, $1, 'cli', 'admin cli', 'room.create')", [room.id]);
    // Version 2's tables are not there yet.
    await expect(db.query('SELECT 1 FROM users')).rejects.toThrow(/users/);

    expect(await migratePostgres(db)).toEqual({ from: 1, to: PG_SCHEMA_VERSION });
    expect(await rooms.get(room.id)).toEqual(room);
    expect(await rooms.listFiles(room.id)).toEqual([{ path: 'main.ts', createdAt: 5, createdBy: 'Ann' }]);
    const stored = await docs.load('room:old:file:main.ts');
    expect(stored).toMatchObject({ updates: [updates[1]], lastSeq: 2 });
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, stored.snapshot!);
    for (const u of stored.updates) Y.applyUpdate(reloaded, u);
    expect(reloaded.getText('content').toString()).toBe('old text');
    expect((await db.query('SELECT action FROM audit')).rows).toEqual([{ action: 'room.create' }]);
    const accounts = new PgAccountStore(db);
    const user = await accounts.createUser({ email: 'ann@example.com', displayName: 'Ann' }, await hashPassword('a good password'));
    expect(user?.isAdmin).toBe(true);
    expect((await db.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version)).toEqual(
      Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1),
    );
    // Running again changes nothing.
    expect(await migratePostgres(db)).toEqual({ from: PG_SCHEMA_VERSION, to: PG_SCHEMA_VERSION });
  });

  it('MIG2 nodes starting at once migrate one at a time (advisory lock): every run succeeds, each version is applied once', async () => {
    const url = await database();
    const pools = Array.from({ length: 4 }, () => createPgPool(url, 2));
    onTestFinished(() => Promise.all(pools.map((p) => p.end())).then(() => undefined));
    const results = await Promise.all(pools.map((p) => migratePostgres(p)));
    expect(results.filter((r) => r.from === 0)).toHaveLength(1);
    expect(results.every((r) => r.to === PG_SCHEMA_VERSION)).toBe(true);
    const { rows } = await pools[0]!.query('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0].n).toBe(PG_SCHEMA_VERSION);
  });

  it('MIG3 a failing migration leaves the schema at the last good version; a newer database than the build is refused', async () => {
    const db = await pool();
    await migratePostgres(db, 1);
    // Something in the way of version 2 (a table it creates) makes it fail as a whole.
    await db.query('CREATE TABLE sessions (x int)');
    await expect(migratePostgres(db)).rejects.toThrow(/sessions/);
    expect((await db.query('SELECT max(version) AS v FROM schema_migrations')).rows[0].v).toBe(1);
    await expect(db.query('SELECT 1 FROM users')).rejects.toThrow(/users/);
    await db.query('DROP TABLE sessions');
    expect(await migratePostgres(db)).toEqual({ from: 1, to: PG_SCHEMA_VERSION });
    await db.query('INSERT INTO schema_migrations (version) VALUES ($1)', [PG_SCHEMA_VERSION + 1]);
    await expect(migratePostgres(db)).rejects.toThrow(/newer than this build/);
  });
});
