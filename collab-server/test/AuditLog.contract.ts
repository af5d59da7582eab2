import { describe, expect, it } from 'vitest';
import type { AuditEvent, AuditLog } from '@coderoom/shared';

function event(i: number, roomId: string | null, detail: Record<string, unknown> | null = null): AuditEvent {
  return { at: 1_700_000_000_000 + i, roomId, actor: `user:${i}`, actorName: `Name ${i}`, action: 'file.create', target: `f${i}.ts`, detail };
}

/** The audit log contract (`AuditLog` from shared), run against every implementation. */
export function auditLogContract(label: string, make: () => Promise<AuditLog> | AuditLog): void {
  describe(`AuditLog contract: ${label}`, () => {
    it('AUDIT1 appended events are stored in order, per room, with their details, once flushed', async () => {
      const log = await make();
      for (let i = 0; i < 30; i++) log.append(event(i, i % 3 === 0 ? 'roomB' : 'roomA', i === 1 ? { role: 'editor', n: 1 } : null));
      log.append(event(99, null));
      await log.flush();
      const a = await log.recent('roomA', 100);
      expect(a.map((e) => e.target)).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 3 !== 0).reverse().map((i) => `f${i}.ts`));
      expect(a.at(-1)).toEqual(event(1, 'roomA', { role: 'editor', n: 1 }));
      expect(await log.recent('roomB', 2)).toEqual([event(27, 'roomB'), event(24, 'roomB')]);
      expect(await log.recent('nowhere')).toEqual([]);
    });
  });
}
