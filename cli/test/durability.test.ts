import { describe, expect, it } from 'vitest';
import { formatDocName } from '@coderoom/shared';
import { acknowledged, connect, createFile, createRoom, joinRoom, tempDir, waitFor, type TestClient } from '../../collab-server/test/helpers.js';
import { usePostgres } from '../../shared/test/postgres.js';
import { startHubProcess } from './hubProcess.js';

const postgresDatabase = usePostgres();

/** Each storage the hub can run on: the extra environment of a hub on a fresh database of it. */
const STORAGES: { label: string; env: () => Promise<Record<string, string>> }[] = [
  { label: 'SQLite', env: async () => ({}) },
  { label: 'PostgreSQL', env: async () => ({ DATABASE_URL: await postgresDatabase() }) },
];

/** Connects and waits for the first sync. */
async function open(wsUrl: string, name: string, token: string): Promise<TestClient> {
  const c = connect(wsUrl, name, token);
  await c.synced;
  return c;
}

describe.each(STORAGES)('acknowledged edits survive SIGKILL ($label)', ({ env }) => {
  it('DOC2 an edit acknowledged (unsyncedChanges 0) just before SIGKILL is there after restart', async () => {
    const dataDir = tempDir();
    const storage = await env();
    const hub = await startHubProcess(dataDir, storage);
    const { roomId, hostToken } = await createRoom(hub.url);
    await createFile(hub.url, roomId, 'a.txt', hostToken);
    const name = formatDocName({ roomId, kind: 'file', path: 'a.txt' });
    const c = await open(hub.wsUrl, name, hostToken);
    for (let i = 0; i < 5; i++) c.text.insert(c.text.length, `line ${i}\n`);
    await acknowledged(c.provider, 10_000);
    hub.child.kill('SIGKILL');
    expect((await hub.exited).signal).toBe('SIGKILL');
    c.provider.destroy();
    c.socket.destroy();

    const again = await startHubProcess(dataDir, storage);
    const d = await open(again.wsUrl, name, hostToken);
    expect(d.text.toString()).toBe('line 0\nline 1\nline 2\nline 3\nline 4\n');
  });

  it('DOC3 twenty concurrent writers: every acknowledged edit is there after SIGKILL and restart', async () => {
    const WRITERS = 20;
    const dataDir = tempDir();
    const storage = await env();
    // Compact often so the kill also lands around snapshot writes.
    const hub = await startHubProcess(dataDir, { ...storage, COMPACT_EVERY_UPDATES: '25' });
    const { roomId, hostToken } = await createRoom(hub.url);
    await createFile(hub.url, roomId, 'shared.txt', hostToken);
    const name = formatDocName({ roomId, kind: 'file', path: 'shared.txt' });
    const tokens = await Promise.all(Array.from({ length: WRITERS }, (_, w) => joinRoom(hub.url, roomId, `writer${w}`)));
    const clients = await Promise.all(tokens.map((t) => open(hub.wsUrl, name, t)));

    // acked[w] = number of writer w's inserts known acknowledged (unsyncedChanges hit 0 after them).
    const sent = new Array<number>(WRITERS).fill(0);
    const acked = new Array<number>(WRITERS).fill(0);
    let killedAt: number[] | null = null;
    clients.forEach((c, w) => {
      c.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
        if (number === 0 && killedAt === null) acked[w] = sent[w]!;
      });
    });
    let stop = false;
    const typing = clients.map(async (c, w) => {
      while (!stop) {
        c.text.insert(c.text.length, `<w${w}-${sent[w]}>`);
        sent[w]! += 1;
        // ~700 inserts/s in all: enough to keep every writer's edits in flight, little enough that a
        // loaded 2-core machine still acknowledges them (a writer whose server lags never sees 0).
        await new Promise((r) => setTimeout(r, 20 + 5 * (w % 5)));
      }
    });
    // Let edits flow, then kill the moment writer 0 sees everything it sent acknowledged.
    await waitFor(() => acked.every((a) => a >= 5), 60_000, 'every writer to have acknowledged edits');
    await new Promise<void>((resolve) => {
      clients[0]!.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
        if (number === 0 && killedAt === null) {
          acked[0] = sent[0]!;
          killedAt = [...acked];
          hub.child.kill('SIGKILL');
          resolve();
        }
      });
    });
    stop = true;
    await Promise.all(typing);
    await hub.exited;
    for (const c of clients) {
      c.provider.destroy();
      c.socket.destroy();
    }

    const again = await startHubProcess(dataDir, storage);
    const check = await open(again.wsUrl, name, hostToken);
    const text = check.text.toString();
    const snapshot = killedAt as unknown as number[];
    let total = 0;
    for (let w = 0; w < WRITERS; w++) {
      for (let i = 0; i < snapshot[w]!; i++) {
        expect(text, `writer ${w} edit ${i}`).toContain(`<w${w}-${i}>`);
        total++;
      }
    }
    expect(total).toBeGreaterThanOrEqual(WRITERS * 5);
  });
});
