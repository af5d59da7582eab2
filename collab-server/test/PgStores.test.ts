import { onTestFinished } from 'vitest';
import { migratePostgres, PgAccountStore, PgDocumentStore, PgRoomStore } from '../src/index.js';
import { usePostgres } from '../../shared/test/postgres.js';
import { documentStoreContract } from './DocumentStore.contract.js';
import { roomStoreContract } from './RoomStore.contract.js';
import { accountStoreContract } from './AccountStore.contract.js';
import { auditLogContract } from './AuditLog.contract.js';
import { PgAuditLog, createLogger, createPgPool } from '@coderoom/shared';

const database = usePostgres();

/** A pool on a fresh, migrated database; closed when the test finishes. */
async function freshPool() {
  const pool = createPgPool(await database(), 4);
  onTestFinished(() => pool.end());
  await migratePostgres(pool);
  return pool;
}

documentStoreContract('PostgreSQL', async () => new PgDocumentStore(await freshPool()));
roomStoreContract('PostgreSQL', async () => new PgRoomStore(await freshPool()));
accountStoreContract('PostgreSQL', async () => new PgAccountStore(await freshPool()));
auditLogContract('PostgreSQL', async () => {
  const log = new PgAuditLog(await freshPool(), createLogger('silent'));
  onTestFinished(() => log.close());
  return log;
});
