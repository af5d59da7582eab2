import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it, onTestFailed } from 'vitest';
import { formatDocName, TokenIssuer } from '@coderoom/shared';
import { acknowledged, api, connect, createFile, createRoom, joinRoom, tempDir, waitFor, type TestClient } from '../../collab-server/test/helpers.js';
import { usePostgres } from '../../shared/test/postgres.js';
import { useRedis } from '../../shared/test/redis.js';
import { startHubProcess, type HubProcess } from './hubProcess.js';

const database = usePostgres();
const redis = useRedis();

/** Lease length for these tests (the default is 10 s). */
const LEASE_MS = 3000;

/**
 * Starts `count` hub nodes as child processes on one PostgreSQL database and the test Redis.
 * They share the token signing key (as nodes behind one load balancer must).
 */
async function startNodes(count: number): Promise<HubProcess[]> {
  const databaseUrl = await database();
  const dirs = Array.from({ length: count }, () => tempDir('coderoom-node-'));
  await TokenIssuer.open(dirs[0]!);
  for (const dir of dirs.slice(1)) cpSync(join(dirs[0]!, 'keys'), join(dir, 'keys'), { recursive: true });
  const env = (i: number) => ({ DATABASE_URL: databaseUrl, REDIS_URL: redis().url, NODE_ID: `node-${i}`, ROOM_LEASE_MS: String(LEASE_MS) });
  // The first node migrates the database; the others start side by side.
  const first = await startHubProcess(dirs[0]!, env(0));
  const rest = await Promise.all(dirs.slice(1).map((dir, i) => startHubProcess(dir, env(i + 1))));
  const nodes = [first, ...rest];
  onTestFailed(() => nodes.forEach((n, i) => writeFileSync(`/tmp/scaleout-node-${i}.log`, n.output())));
  return nodes;
}

/** GET /readyz of a node. */
async function readyz(node: HubProcess): Promise<{ status: number; body: { status: string; reason?: string; redis?: { nodeId: string; connected: boolean; reason: string | null } } }> {
  const res = await fetch(`${node.url}/readyz`);
  return { status: res.status, body: (await res.json()) as never };
}

/** Connects and waits for the first sync. */
async function open(node: HubProcess, name: string, token: string): Promise<TestClient> {
  const c = connect(node.wsUrl, name, token);
  await c.synced;
  return c;
}

/** How many times `text` occurs in `haystack`. */
function occurrences(haystack: string, text: string): number {
  return haystack.split(text).length - 1;
}

describe('scale-out: several nodes, one Redis, one PostgreSQL', () => {
  it('SCALE1 SCALE2 clients of one document on three nodes converge; SCALE3 the room directory names one owner', async () => {
    const nodes = await startNodes(3);
    for (const node of nodes) {
      const r = await readyz(node);
      expect(r.status).toBe(200);
      expect(r.body.redis).toMatchObject({ connected: true, reason: null });
    }
    const [a, b, c] = nodes as [HubProcess, HubProcess, HubProcess];
    const { roomId, hostToken } = await createRoom(a.url);
    await createFile(b.url, roomId, 'shared.txt', hostToken);
    const name = formatDocName({ roomId, kind: 'file', path: 'shared.txt' });
    const tokens = await Promise.all(nodes.map((_, i) => joinRoom(nodes[i]!.url, roomId, `writer${i}`)));
    const clients = await Promise.all(nodes.map((node, i) => open(node, name, tokens[i]!)));

    const PER_CLIENT = 30;
    for (let k = 0; k < PER_CLIENT; k++) {
      clients.forEach((cl, i) => cl.text.insert(cl.text.length, `<n${i}-${k}>`));
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(clients.map((cl) => acknowledged(cl.provider, 30_000)));
    await waitFor(() => clients.every((cl) => cl.text.toString() === clients[0]!.text.toString()), 15_000, 'the three clients to converge');
    const text = clients[0]!.text.toString();
    for (let i = 0; i < nodes.length; i++) for (let k = 0; k < PER_CLIENT; k++) expect(occurrences(text, `<n${i}-${k}>`)).toBe(1);

    // A client that joins later on a fourth connection (node C) gets the same document.
    const late = await open(c, name, tokens[2]!);
    await waitFor(() => late.text.toString() === text, 10_000, 'the late client to have the document');

    // The directory: the first node asked claims the room; every node then names it.
    const ask = async (node: HubProcess) => (await api(node.url, 'GET', `/api/rooms/${roomId}/node`, undefined, hostToken)).body;
    const claimed = await ask(b);
    expect(claimed).toMatchObject({ nodeId: 'node-1', url: b.url, self: true, leaseMs: LEASE_MS });
    expect(await ask(a)).toMatchObject({ nodeId: 'node-1', url: b.url, self: false });
    expect(await ask(c)).toMatchObject({ nodeId: 'node-1', url: b.url, self: false });
    const other = await createRoom(a.url);
    const forbidden = await api(a.url, 'GET', `/api/rooms/${roomId}/node`, undefined, other.hostToken);
    expect(forbidden.status).toBe(403);
  });
});
