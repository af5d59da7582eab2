import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '@coderoom/shared';
import type { AuditFilter, AuditLog } from '../src/index.js';

async function all(log: AuditLog, f: Partial<AuditFilter> = {}): Promise<string[]> {
  await log.flush();
  const out: string[] = [];
  for await (const e of log.query({ scope: 'all', limit: 1000, ...f })) out.push(`${e.action}@${e.at}`);
  return out;
}

/** The AuditLog contract, run against every implementation; `roomIn` makes a room of a workspace (as its room settings do). */
export function auditLogContract(label: string, make: () => Promise<{ log: AuditLog; roomIn(workspaceId: string): Promise<string> }>): void {
  const ev = (at: number, action: string, over: Partial<AuditEvent> = {}): AuditEvent => ({ at, roomId: null, actor: 'user:ann', actorName: 'Ann', action, target: null, detail: null, ...over });

  describe(`AuditLog contract: ${label}`, () => {
    it('ALOG1 rows come back newest first with their fields; the workspace is filled in from the room', async () => {
      const { log, roomIn } = await make();
      const roomId = await roomIn('wsAAAAAAAAAAAAAA');
      log.append(ev(1, 'auth.signin'));
      log.append(ev(2, 'room.join', { roomId, detail: { role: 'viewer' } }));
      await log.flush();
      const rows = [];
      for await (const e of log.query({ scope: 'all', limit: 10 })) rows.push(e);
      expect(rows.map((r) => r.action)).toEqual(['room.join', 'auth.signin']);
      expect(rows[0]).toMatchObject({ at: 2, roomId, workspaceId: 'wsAAAAAAAAAAAAAA', actor: 'user:ann', actorName: 'Ann', target: null, detail: { role: 'viewer' } });
      expect(rows[1]!.workspaceId).toBeNull();
      expect(rows[0]!.id).toBeGreaterThan(rows[1]!.id);
    });

    it('ALOG2 filters: scope (room, workspace), time range, actor, exact action and prefix; limit', async () => {
      const { log, roomIn } = await make();
      const r1 = await roomIn('wsAAAAAAAAAAAAAA');
      const r2 = await roomIn('wsBBBBBBBBBBBBBB');
      log.append(ev(1, 'room.join', { roomId: r1 }));
      log.append(ev(2, 'room.leave', { roomId: r1, actor: 'guest:gusgusgus' }));
      log.append(ev(3, 'file_x.create', { roomId: r2 }));
      log.append(ev(4, 'workspace.create', { workspaceId: 'wsAAAAAAAAAAAAAA' }));
      log.append(ev(5, 'roomy.thing'));
      expect(await all(log, { scope: { roomId: r1 } })).toEqual(['room.leave@2', 'room.join@1']);
      expect(await all(log, { scope: { workspaceId: 'wsAAAAAAAAAAAAAA' } })).toEqual(['workspace.create@4', 'room.leave@2', 'room.join@1']);
      expect(await all(log, { from: 2, to: 3 })).toEqual(['file_x.create@3', 'room.leave@2']);
      expect(await all(log, { actor: 'guest:gusgusgus' })).toEqual(['room.leave@2']);
      expect(await all(log, { action: 'room.join' })).toEqual(['room.join@1']);
      expect(await all(log, { action: 'room.*' })).toEqual(['room.leave@2', 'room.join@1']);
      expect(await all(log, { action: 'file_.*' })).toEqual([]);
      expect(await all(log, { limit: 2 })).toEqual(['roomy.thing@5', 'workspace.create@4']);
    });

    it('ALOG3 a long query streams in pages while rows are appended, each row once', async () => {
      const { log } = await make();
      for (let i = 0; i < 1234; i++) log.append(ev(i, 'x.y'));
      await log.flush();
      const seen = new Set<number>();
      let n = 0;
      for await (const e of log.query({ scope: 'all', limit: 5000 })) {
        if (n++ % 100 === 0) log.append(ev(10_000 + n, 'x.later'));
        seen.add(e.at);
      }
      expect(n).toBe(1234);
      expect(seen.size).toBe(1234);
      await log.flush();
      expect(await all(log, { action: 'x.later' })).toHaveLength(13);
    });

    it('AUDIT1 appended events are stored in append order, per room, with their details, once flushed', async () => {
      const { log, roomIn } = await make();
      const [a, b] = [await roomIn('wsAAAAAAAAAAAAAA'), await roomIn('wsBBBBBBBBBBBBBB')];
      // The same `at` for every event: append order alone decides the order read back.
      for (let i = 0; i < 30; i++) log.append(ev(7, `file.n${i}`, { roomId: i % 3 === 0 ? b : a, target: `f${i}.ts`, detail: i === 1 ? { role: 'editor', n: 1 } : null }));
      log.append(ev(7, 'file.none'));
      expect(await all(log, { scope: { roomId: a } })).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 3 !== 0).reverse().map((i) => `file.n${i}@7`));
      expect(await all(log, { scope: { roomId: b }, limit: 2 })).toEqual(['file.n27@7', 'file.n24@7']);
      const rows = [];
      for await (const e of log.query({ scope: { roomId: a }, action: 'file.n1', limit: 10 })) rows.push(e);
      expect(rows).toEqual([expect.objectContaining({ roomId: a, workspaceId: 'wsAAAAAAAAAAAAAA', target: 'f1.ts', detail: { role: 'editor', n: 1 } })]);
      expect(await all(log, { scope: { roomId: 'nowhere' } })).toEqual([]);
    });
  });
}
