import { describe, expect, it } from 'vitest';
import type { RoomStore, WorkspaceStore } from '../src/index.js';

/** What the contract needs: the store, rooms to attach settings to, and accounts to make members of. */
export interface WorkspaceStoreFixture {
  store: WorkspaceStore;
  rooms: RoomStore;
  /** Creates an account and returns its id. */
  user(email: string): Promise<string>;
}

/** The WorkspaceStore contract, run against every implementation. */
export function workspaceStoreContract(label: string, make: () => Promise<WorkspaceStoreFixture>): void {
  describe(`WorkspaceStore contract: ${label}`, () => {
    it('WSTORE1 create makes the creator owner; get and listForUser return it', async () => {
      const { store, user } = await make();
      const ann = await user('ann@example.com');
      const bo = await user('bo@example.com');
      const a = await store.create('Alpha', ann, 1000);
      const b = await store.create('Beta', bo, 2000);
      expect(a.id).not.toBe(b.id);
      expect(a.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(await store.get(a.id)).toEqual({ id: a.id, name: 'Alpha', createdAt: 1000 });
      expect(await store.get('nosuchworkspace')).toBeNull();
      expect(await store.listForUser(ann)).toEqual([{ ...a, role: 'owner' }]);
      expect(await store.role(a.id, ann)).toBe('owner');
      expect(await store.role(a.id, bo)).toBeNull();
    });

    it('WSTORE2 members: add, change role, remove; the last owner can be neither demoted nor removed', async () => {
      const { store, user } = await make();
      const ann = await user('ann@example.com');
      const bo = await user('bo@example.com');
      const ws = await store.create('W', ann, 1);
      expect(await store.setMember(ws.id, bo, 'member', 2)).toBe(true);
      expect(await store.members(ws.id)).toEqual([{ userId: ann, role: 'owner', addedAt: 1 }, { userId: bo, role: 'member', addedAt: 2 }]);
      expect(await store.setMember(ws.id, ann, 'member', 3)).toBe(false);
      expect(await store.removeMember(ws.id, ann)).toBe(false);
      expect(await store.setMember(ws.id, bo, 'owner', 4)).toBe(true);
      expect((await store.members(ws.id))[1]).toEqual({ userId: bo, role: 'owner', addedAt: 2 });
      expect(await store.setMember(ws.id, ann, 'member', 5)).toBe(true);
      expect(await store.removeMember(ws.id, ann)).toBe(true);
      expect(await store.removeMember(ws.id, ann)).toBe(false);
      expect(await store.listForUser(ann)).toEqual([]);
      expect(await store.listForUser(bo)).toEqual([{ ...ws, role: 'owner' }]);
    });

    it('WSTORE3 room settings are stored once and rooms are listed by workspace', async () => {
      const { store, rooms, user } = await make();
      const ws = await store.create('W', await user('ann@example.com'), 1);
      const r1 = await rooms.create('One');
      const r2 = await rooms.create('Two');
      const r3 = await rooms.create('Link');
      await store.setRoomSettings(r1.id, { workspaceId: ws.id, kind: 'class', requireApproval: true });
      await store.setRoomSettings(r2.id, { workspaceId: ws.id, kind: 'pairing', requireApproval: false });
      expect(await store.roomSettings(r1.id)).toEqual({ workspaceId: ws.id, kind: 'class', requireApproval: true });
      expect(await store.roomSettings(r3.id)).toBeNull();
      expect(new Set(await store.rooms(ws.id))).toEqual(new Set([r1.id, r2.id]));
      await expect(store.setRoomSettings(r1.id, { workspaceId: ws.id, kind: 'review', requireApproval: false })).rejects.toThrow();
    });
  });
}
