import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { openDatabase, SqliteDocumentStore } from '../src/index.js';
import { documentStoreContract } from './DocumentStore.contract.js';
import { tempDir } from './helpers.js';

documentStoreContract('SQLite', () => {
  const db = openDatabase(join(tempDir(), 'test.db'));
  onTestFinished(() => {
    db.close();
  });
  return new SqliteDocumentStore(db);
});
