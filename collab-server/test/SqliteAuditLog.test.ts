import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { openDatabase, SqliteAuditLog } from '../src/index.js';
import { auditLogContract } from './AuditLog.contract.js';
import { tempDir } from './helpers.js';

auditLogContract('SQLite', () => {
  const db = openDatabase(join(tempDir(), 'test.db'));
  onTestFinished(() => {
    db.close();
  });
  return new SqliteAuditLog(db);
});
