import { describe, expect, it, onTestFinished } from 'vitest';
import { hashPassword, migratePostgres, PgAccountStore, PgDocumentStore, PgRoomAccessStore, PgRoomStore, PgWorkspaceStore } from '../src/index.js';
import { usePostgres } from '../../shared/test/postgres.js';
import { documentStoreContract } from './DocumentStore.contract.js';
import { roomStoreContract } from './RoomStore.contract.js';
import { accountStoreContract } from './AccountStore.contract.js';
import { auditLogContract } from './AuditLog.contract.js';
import { workspaceStoreContract } from './WorkspaceStore.contract.js';
import { roomAccessStoreContract } from './RoomAccessStore.contract.js';
import { PgAuditLog, createLogger, createPgPool } from '@coderoom/shared';

const database = usePostgres();

/** A pool on a fresh, migrated database; closed when the test finishes. */
async function freshPool() {
  const pool = createPgPool(await database(), 4);
  onTestFinished(() => pool.end());
  await migratePostgres(pool);
  return pool;
}

/** A PgAuditLog on `pool`, closed (after the pool's test) when the test finishes. */
function auditLog(pool: Awaited<ReturnType<typeof freshPool>>) {
  const log = new PgAuditLog(pool, createLogger('silent'));
  onTestFinished(() => log.close());
  return log;
}

documentStoreContract(
  'PostgreSQL',
  async () => new PgDocumentStore(await freshPool()),
  async () => {
    const url = await database();
    const pools = [createPgPool(url, 4), createPgPool(url, 4)] as const;
    onTestFinished(() => Promise.all(pools.map((p) => p.end())).then(() => undefined));
    await migratePostgres(pools[0]);
    return [new PgDocumentStore(pools[0]), new PgDocumentStore(pools[1])];
  },
);
roomStoreContract('PostgreSQL', async () => new PgRoomStore(await freshPool()));
accountStoreContract('PostgreSQL', async () => new PgAccountStore(await freshPool()));

workspaceStoreContract('PostgreSQL', async () => {
  const pool = await freshPool();
  const accounts = new PgAccountStore(pool);
  const password = await hashPassword('a long enough password');
  return {
    store: new PgWorkspaceStore(pool),
    rooms: new PgRoomStore(pool),
    user: async (email) => (await accounts.createUser({ email, displayName: email }, password))!.id,
  };
});

roomAccessStoreContract('PostgreSQL', async () => {
  const pool = await freshPool();
  return { store: new PgRoomAccessStore(pool), rooms: new PgRoomStore(pool) };
});

auditLogContract('PostgreSQL', async () => {
  const pool = await freshPool();
  const rooms = new PgRoomStore(pool);
  const workspaces = new PgWorkspaceStore(pool);
  return {
    log: auditLog(pool),
    roomIn: async (workspaceId) => {
      await pool.query('INSERT INTO workspaces (id, name, created_at) VALUES ($1, $1, 0) ON CONFLICT DO NOTHING', [workspaceId]);
      const room = await rooms.create('R');
      await workspaces.setRoomSettings(room.id, { workspaceId, kind: 'review', requireApproval: false });
      return room.id;
    },
  };
});

describe('PostgreSQL audit table', () => {
  it('ALOG4 the audit table is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    const pool = await freshPool();
    const log = auditLog(pool);
    log.append({ at: 1, roomId: null, actor: 'system', actorName: '', action: 'x.y', target: null, detail: null });
    await log.flush();
    await expect(pool.query("UPDATE audit SET actor = 'someone else'")).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM audit')).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE audit')).rejects.toThrow(/append-only/);
    expect((await pool.query('SELECT actor FROM audit')).rows).toEqual([{ actor: 'system' }]);
  });
});
