import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { hashPassword, openDatabase, SqliteAccountStore, SqliteAuditLog, SqliteRoomAccessStore, SqliteRoomStore, SqliteWorkspaceStore } from '../src/index.js';
import { workspaceStoreContract } from './WorkspaceStore.contract.js';
import { roomAccessStoreContract } from './RoomAccessStore.contract.js';
import { auditLogContract } from './AuditLog.contract.js';
import { tempDir } from './helpers.js';

function db() {
  const d = openDatabase(join(tempDir(), 'test.db'), 'NORMAL');
  onTestFinished(() => {
    d.close();
  });
  return d;
}

workspaceStoreContract('SQLite', async () => {
  const d = db();
  const accounts = new SqliteAccountStore(d);
  const password = await hashPassword('a long enough password');
  return {
    store: new SqliteWorkspaceStore(d),
    rooms: new SqliteRoomStore(d),
    user: async (email) => (await accounts.createUser({ email, displayName: email }, password))!.id,
  };
});

roomAccessStoreContract('SQLite', async () => {
  const d = db();
  return { store: new SqliteRoomAccessStore(d), rooms: new SqliteRoomStore(d) };
});

auditLogContract('SQLite', async () => {
  const d = db();
  const rooms = new SqliteRoomStore(d);
  const workspaces = new SqliteWorkspaceStore(d);
  const made = new Map<string, string>();
  return {
    log: new SqliteAuditLog(d),
    roomIn: async (workspaceId) => {
      if (!made.has(workspaceId)) {
        d.prepare('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, 0)').run(workspaceId, workspaceId);
        made.set(workspaceId, workspaceId);
      }
      const room = await rooms.create('R');
      await workspaces.setRoomSettings(room.id, { workspaceId, kind: 'review', requireApproval: false });
      return room.id;
    },
  };
});

describe('SQLite audit table', () => {
  it('ALOG4 the audit table is append-only: UPDATE and DELETE are refused by the database', () => {
    const d = db();
    const log = new SqliteAuditLog(d);
    log.append({ at: 1, roomId: null, actor: 'system', actorName: '', action: 'x.y', target: null, detail: null });
    expect(() => d.prepare("UPDATE audit SET actor = 'someone else'").run()).toThrow(/append-only/);
    expect(() => d.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
    expect(d.prepare('SELECT actor FROM audit').all()).toEqual([{ actor: 'system' }]);
  });
});
