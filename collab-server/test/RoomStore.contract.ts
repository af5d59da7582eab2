import { describe, expect, it } from 'vitest';
import type { RoomStore } from '../src/index.js';

/** The RoomStore contract, run against every implementation. */
export function roomStoreContract(label: string, make: () => Promise<RoomStore> | RoomStore): void {
  describe(`RoomStore contract: ${label}`, () => {
    it('ROOMS1 create gives unique unguessable ids and get returns the room', async () => {
      const store = await make();
      const a = await store.create('Alpha');
      const b = await store.create('Beta');
      expect(a.id).not.toBe(b.id);
      expect(a.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(await store.get(a.id)).toEqual(a);
      expect(await store.get('doesnotexist0')).toBeNull();
    });

    it('ROOMS2 files: add, duplicate refused, rename, remove, sorted list', async () => {
      const store = await make();
      const { id } = await store.create('R');
      expect(await store.addFile(id, { path: 'b.ts', createdAt: 1, createdBy: 'A' })).toBe(true);
      expect(await store.addFile(id, { path: 'a.ts', createdAt: 2, createdBy: 'B' })).toBe(true);
      expect(await store.addFile(id, { path: 'a.ts', createdAt: 3, createdBy: 'C' })).toBe(false);
      expect((await store.listFiles(id)).map((f) => f.path)).toEqual(['a.ts', 'b.ts']);
      expect(await store.renameFile(id, 'a.ts', 'b.ts')).toBe(false);
      expect(await store.renameFile(id, 'a.ts', 'c.ts')).toBe(true);
      expect(await store.hasFile(id, 'a.ts')).toBe(false);
      expect(await store.hasFile(id, 'c.ts')).toBe(true);
      expect(await store.removeFile(id, 'c.ts')).toBe(true);
      expect(await store.removeFile(id, 'c.ts')).toBe(false);
      expect(await store.listFiles(id)).toEqual([{ path: 'b.ts', createdAt: 1, createdBy: 'A' }]);
    });
  });
}
