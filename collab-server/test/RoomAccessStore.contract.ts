import { describe, expect, it } from 'vitest';
import type { InviteRecord, RoomAccessStore, RoomStore } from '../src/index.js';

/** The RoomAccessStore contract, run against every implementation. */
export function roomAccessStoreContract(label: string, make: () => Promise<{ store: RoomAccessStore; rooms: RoomStore }>): void {
  const invite = (roomId: string, over: Partial<InviteRecord> = {}): InviteRecord => ({
    id: 'invite000001', secretHash: 'hash-1', roomId, role: 'viewer', createdAt: 1, createdBy: 'user:ann', expiresAt: 10_000, maxUses: 2, uses: 0, allowGuests: true, revokedAt: null, ...over,
  });

  describe(`RoomAccessStore contract: ${label}`, () => {
    it('RASTORE1 participants: upsert keeps the first join time; a removed one stays removed until a role change restores them', async () => {
      const { store, rooms } = await make();
      const { id } = await rooms.create('R');
      expect(await store.upsertParticipant(id, { sub: 'guest:aaaaaaaa', name: 'Gus', role: 'editor' }, 5)).toEqual({ sub: 'guest:aaaaaaaa', name: 'Gus', role: 'editor', joinedAt: 5, removedAt: null });
      expect(await store.upsertParticipant(id, { sub: 'guest:aaaaaaaa', name: 'Gus B', role: 'viewer' }, 9)).toMatchObject({ name: 'Gus B', role: 'viewer', joinedAt: 5 });
      await store.upsertParticipant(id, { sub: 'user:bbbbbbbb', name: 'Bo', role: 'host' }, 6);
      expect((await store.participants(id)).map((p) => p.sub)).toEqual(['guest:aaaaaaaa', 'user:bbbbbbbb']);
      expect(await store.remove(id, 'guest:aaaaaaaa', 20)).toMatchObject({ removedAt: 20 });
      expect(await store.remove(id, 'guest:aaaaaaaa', 30)).toMatchObject({ removedAt: 20 });
      expect(await store.upsertParticipant(id, { sub: 'guest:aaaaaaaa', name: 'X', role: 'host' }, 40)).toMatchObject({ name: 'Gus B', role: 'viewer', removedAt: 20 });
      expect(await store.setRole(id, 'guest:aaaaaaaa', 'editor')).toMatchObject({ role: 'editor', removedAt: null });
      expect(await store.setRole(id, 'guest:nobody00', 'editor')).toBeNull();
      expect(await store.remove(id, 'guest:nobody00', 1)).toBeNull();
      expect(await store.participant(id, 'guest:nobody00')).toBeNull();
    });

    it('RASTORE2 invites: looked up by secret hash, used atomically up to max uses, refused when expired or revoked', async () => {
      const { store, rooms } = await make();
      const { id } = await rooms.create('R');
      await store.createInvite(invite(id));
      await store.createInvite(invite(id, { id: 'invite000002', secretHash: 'hash-2', createdAt: 2 }));
      expect(await store.inviteBySecret('hash-1')).toEqual(invite(id));
      expect(await store.inviteBySecret('nope')).toBeNull();
      expect((await store.invites(id)).map((i) => i.id)).toEqual(['invite000002', 'invite000001']);
      expect(await store.useInvite('hash-1', 100)).toMatchObject({ uses: 1 });
      expect(await store.useInvite('hash-1', 100)).toMatchObject({ uses: 2 });
      expect(await store.useInvite('hash-1', 100)).toBe('exhausted');
      expect(await store.useInvite('hash-2', 10_000)).toBe('expired');
      expect(await store.revokeInvite(id, 'invite000002', 50)).toBe(true);
      expect(await store.revokeInvite(id, 'invite000002', 60)).toBe(false);
      expect(await store.useInvite('hash-2', 100)).toBe('revoked');
      expect(await store.useInvite('nope', 100)).toBe('missing');
      expect((await store.inviteBySecret('hash-2'))!.uses).toBe(0);
      // Concurrent uses never exceed the maximum.
      await store.createInvite(invite(id, { id: 'invite000003', secretHash: 'hash-3', maxUses: 3 }));
      const results = await Promise.all(Array.from({ length: 10 }, () => store.useInvite('hash-3', 100)));
      expect(results.filter((r) => typeof r !== 'string')).toHaveLength(3);
      expect((await store.inviteBySecret('hash-3'))!.uses).toBe(3);
    });

    it('RASTORE3 lobby: entries wait, are decided once, and are found by ticket hash', async () => {
      const { store, rooms } = await make();
      const { id } = await rooms.create('R');
      await store.createInvite(invite(id));
      const entry = { id: 'lobby0000001', ticketHash: 'ticket-1', roomId: id, inviteId: 'invite000001', sub: 'guest:aaaaaaaa', name: 'Gus', role: 'viewer' as const, requestedAt: 3 };
      await store.createLobbyEntry(entry);
      await store.createLobbyEntry({ ...entry, id: 'lobby0000002', ticketHash: 'ticket-2', requestedAt: 4 });
      expect((await store.waiting(id)).map((e) => e.id)).toEqual(['lobby0000001', 'lobby0000002']);
      expect(await store.lobbyEntryByTicket('ticket-1')).toEqual({ ...entry, status: 'waiting', decidedAt: null, decidedBy: null });
      expect(await store.decide(id, 'lobby0000001', 'admitted', 'user:ann', 7)).toMatchObject({ status: 'admitted', decidedAt: 7, decidedBy: 'user:ann' });
      expect(await store.decide(id, 'lobby0000001', 'refused', 'user:ann', 8)).toBeNull();
      expect(await store.decide(id, 'nosuchentry1', 'refused', 'user:ann', 8)).toBeNull();
      expect((await store.waiting(id)).map((e) => e.id)).toEqual(['lobby0000002']);
      expect(await store.lobbyEntry(id, 'lobby0000001')).toMatchObject({ status: 'admitted' });
      expect(await store.lobbyEntry('otherroom000', 'lobby0000001')).toBeNull();
    });
  });
}
