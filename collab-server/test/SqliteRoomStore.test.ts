import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { openDatabase, SqliteRoomStore } from '../src/index.js';
import { roomStoreContract } from './RoomStore.contract.js';
import { tempDir } from './helpers.js';

roomStoreContract('SQLite', () => {
  const db = openDatabase(join(tempDir(), 'test.db'));
  onTestFinished(() => {
    db.close();
  });
  return new SqliteRoomStore(db);
});
