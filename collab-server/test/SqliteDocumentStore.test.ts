import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { openDatabase, SqliteDocumentStore } from '../src/index.js';
import { documentStoreContract } from './DocumentStore.contract.js';
import { tempDir } from './helpers.js';

function open(file: string): SqliteDocumentStore {
  const db = openDatabase(file);
  onTestFinished(() => {
    db.close();
  });
  return new SqliteDocumentStore(db);
}

documentStoreContract(
  'SQLite',
  () => open(join(tempDir(), 'test.db')),
  async () => {
    const file = join(tempDir(), 'test.db');
    return [open(file), open(file)];
  },
);
