import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { openDatabase, SqliteAccountStore } from '../src/index.js';
import { accountStoreContract } from './AccountStore.contract.js';
import { tempDir } from './helpers.js';

accountStoreContract('SQLite', () => {
  const db = openDatabase(join(tempDir(), 'test.db'));
  onTestFinished(() => {
    db.close();
  });
  return new SqliteAccountStore(db);
});
