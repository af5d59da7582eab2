import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFailed } from 'vitest';
import { createPgPool, ERRORS, formatDocName, MEDIA_PROTOCOL_VERSION, PTY_CLOSE_REASONS, PTY_PROTOCOL_VERSION, TokenIssuer } from '@coderoom/shared';
import { acknowledged, api, connect, createFile, createRoom, joinRoom, tempDir, waitFor, type TestClient } from '../../collab-server/test/helpers.js';
import { usePostgres } from '../../shared/test/postgres.js';
import { useRedis } from '../../shared/test/redis.js';
import { Client as PtyClient } from '../../pty-gateway/test/harness.js';
import { Client as MediaClient } from '../../media-server/test/harness.js';
import { startHubProcess, type HubProcess } from './hubProcess.js';

const database = usePostgres();
const redis = useRedis();

/** Lease length for these tests (the default is 10 s). */
const LEASE_MS = 3000;

/**
 * Starts `count` hub nodes as child processes on one PostgreSQL database and the test Redis.
 * They share the token signing key (as nodes behind one load balancer must).
 */
/** The database of the nodes started last. */
let nodesDatabaseUrl = '';

async function startNodes(count: number): Promise<HubProcess[]> {
  const databaseUrl = (nodesDatabaseUrl = await database());
  const dirs = Array.from({ length: count }, () => tempDir('coderoom-node-'));
  await TokenIssuer.open(dirs[0]!);
  for (const dir of dirs.slice(1)) cpSync(join(dirs[0]!, 'keys'), join(dir, 'keys'), { recursive: true });
  const env = (i: number) => ({ DATABASE_URL: databaseUrl, REDIS_URL: redis().url, NODE_ID: `node-${i}`, ROOM_LEASE_MS: String(LEASE_MS) });
  // The first node migrates the database; the others start side by side.
  const first = await startHubProcess(dirs[0]!, env(0));
  const rest = await Promise.all(dirs.slice(1).map((dir, i) => startHubProcess(dir, env(i + 1))));
  const nodes = [first, ...rest];
  // On failure, what each node said last.
  onTestFailed(() => nodes.forEach((n, i) => process.stderr.write(`--- node-${i} (last 4000 chars)\n${n.output().slice(-4000)}\n`)));
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

    // All at once: the three nodes append to the document's log together (STORE9).
    const PER_CLIENT = 20;
    await Promise.all(
      clients.map(async (cl, i) => {
        for (let k = 0; k < PER_CLIENT; k++) {
          cl.text.insert(cl.text.length, `<n${i}-${k}>`);
          await acknowledged(cl.provider, 30_000);
        }
      }),
    );
    await Promise.all(clients.map((cl) => acknowledged(cl.provider, 30_000)));
    await waitFor(() => clients.every((cl) => cl.text.toString() === clients[0]!.text.toString()), 15_000, 'the three clients to converge');
    const text = clients[0]!.text.toString();
    for (let i = 0; i < nodes.length; i++) for (let k = 0; k < PER_CLIENT; k++) expect(occurrences(text, `<n${i}-${k}>`)).toBe(1);
    // Each edit is logged once, by the node its client sent it to; the nodes that received it over
    // Redis do not log it again (3 nodes would make it 180 rows; a few are the server's own updates).
    const pool = createPgPool(nodesDatabaseUrl, 1);
    try {
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM doc_updates WHERE name = $1', [name]);
      expect(rows[0]!.n).toBeGreaterThanOrEqual(nodes.length * PER_CLIENT);
      expect(rows[0]!.n).toBeLessThan(nodes.length * PER_CLIENT + 10);
    } finally {
      await pool.end();
    }

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

  it('SCALE4 Redis stopped for 10 s under load: no node crashes, readiness reports it, service resumes, no acknowledged edit lost', async () => {
    const nodes = await startNodes(3);
    const [a, b] = nodes as [HubProcess, HubProcess, HubProcess];
    const { roomId, hostToken } = await createRoom(a.url);
    const ask = async (node: HubProcess) => (await api(node.url, 'GET', `/api/rooms/${roomId}/node`, undefined, hostToken)).body;
    expect(await ask(b)).toMatchObject({ nodeId: 'node-1', self: true });

    // One document per node, two writers on it typing all along (SCALE1 covers writers of one
    // document on several nodes).
    const TYPING_INTERVAL_MS = 50;
    const names = nodes.map((_, i) => formatDocName({ roomId, kind: 'file', path: `load${i}.txt` }));
    for (let i = 0; i < nodes.length; i++) await createFile(a.url, roomId, `load${i}.txt`, hostToken);
    const WRITERS = 6;
    const home = (w: number) => w % nodes.length;
    const tokens = await Promise.all(Array.from({ length: WRITERS }, (_, w) => joinRoom(a.url, roomId, `writer${w}`)));
    const clients = await Promise.all(tokens.map((t, w) => open(nodes[home(w)]!, names[home(w)]!, t)));
    const sent = new Array<number>(WRITERS).fill(0);
    const acked = new Array<number>(WRITERS).fill(0);
    // Acknowledgements come in order, one per update: what is not unsynced is acknowledged, except
    // after a reconnect, when the provider counts its whole resync as one until it reaches 0.
    const resyncing = new Array<boolean>(WRITERS).fill(false);
    clients.forEach((cl, w) => {
      cl.provider.on('status', ({ status }: { status: string }) => {
        if (status !== 'connected') resyncing[w] = true;
      });
      cl.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
        if (number === 0) resyncing[w] = false;
        if (!resyncing[w]) acked[w] = Math.max(acked[w]!, sent[w]! - number);
      });
    });
    let typing = true;
    const typists = clients.map(async (cl, w) => {
      while (typing) {
        cl.text.insert(cl.text.length, `<w${w}-${sent[w]}>`);
        sent[w]! += 1;
        await new Promise((r) => setTimeout(r, TYPING_INTERVAL_MS));
      }
    });
    await waitFor(() => acked.every((n) => n >= 3), 30_000, 'every writer to have acknowledged edits');

    const OUTAGE_MS = 10_000;
    const stoppedAt = Date.now();
    await redis().stop();
    for (const node of nodes) {
      let r = await readyz(node);
      const deadline = Date.now() + OUTAGE_MS;
      while (r.status === 200 && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 100));
        r = await readyz(node);
      }
      expect(r.status).toBe(503);
      expect(r.body.reason).toMatch(/^redis: /);
      expect(r.body.redis).toMatchObject({ connected: false });
    }
    // The owner still answers for its room; another node cannot tell and says so.
    expect(await ask(b)).toMatchObject({ nodeId: 'node-1', self: true });
    const blind = await api(a.url, 'GET', `/api/rooms/${roomId}/node`, undefined, hostToken);
    expect(blind.status).toBe(503);
    expect(blind.body.error.code).toBe('UNAVAILABLE');
    // Every node keeps acknowledging its clients' edits (they are in PostgreSQL) while Redis is away.
    const duringOutage = [...acked];
    await waitFor(() => acked.every((n, w) => n > duringOutage[w]! + 3), OUTAGE_MS, 'edits to be acknowledged during the outage');
    await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + OUTAGE_MS - Date.now())));
    await redis().start();

    for (const node of nodes) {
      let r = await readyz(node);
      const deadline = Date.now() + 30_000;
      while (r.status !== 200 && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 100));
        r = await readyz(node);
      }
      expect(r.status).toBe(200);
      expect(r.body.redis).toMatchObject({ connected: true });
    }
    await new Promise((r) => setTimeout(r, 1000));
    typing = false;
    await Promise.all(typists);
    await Promise.all(clients.map((cl) => acknowledged(cl.provider, 30_000)));
    // Each document, opened on another node after the outage, has every edit; an edit made there
    // reaches its writers (documents cross nodes again).
    const checkToken = await joinRoom(a.url, roomId, 'checker');
    for (let i = 0; i < nodes.length; i++) {
      const writers = clients.filter((_, w) => home(w) === i);
      const checker = await open(nodes[(i + 1) % nodes.length]!, names[i]!, checkToken);
      checker.text.insert(0, `<check${i}>`);
      await acknowledged(checker.provider, 30_000);
      await waitFor(() => writers.every((cl) => cl.text.toString() === checker.text.toString()), 30_000, `document ${i} to converge across nodes`);
      const text = checker.text.toString();
      expect(occurrences(text, `<check${i}>`)).toBe(1);
      for (let w = 0; w < WRITERS; w++) {
        if (home(w) !== i) continue;
        expect(acked[w]).toBe(sent[w]);
        for (let k = 0; k < sent[w]!; k++) expect(occurrences(text, `<w${w}-${k}>`)).toBe(1);
      }
    }

    // Nothing crashed; each node logged the outage once and the recovery once; the owner took its lease again.
    for (const node of nodes) {
      expect(node.child.exitCode).toBeNull();
      expect(node.child.signalCode).toBeNull();
      expect(occurrences(node.output(), 'redis | unavailable')).toBe(1);
      expect(occurrences(node.output(), 'redis | connected: ready')).toBe(2);
    }
    expect(await ask(a)).toMatchObject({ nodeId: 'node-1', self: false });
  });

  it('SCALE5 PTY18 a viewer and a driver connected to another node use the owner\'s terminals through a relay; calls go to the owner (WRONG_NODE)', async () => {
    const nodes = await startNodes(2);
    const [a, b] = nodes as [HubProcess, HubProcess];
    const { roomId, hostToken } = await createRoom(a.url);
    const viewerToken = await joinRoom(a.url, roomId, 'viewer', 'viewer');
    const editorToken = await joinRoom(a.url, roomId, 'editor', 'editor');
    const ptyUrl = (httpUrl: string, room?: string) => `${httpUrl.replace(/^http/, 'ws')}/pty${room ? `?room=${room}` : ''}`;

    // The host opens the room's terminals on node A first: A claims the room.
    const host = await PtyClient.connect(ptyUrl(a.url), { origin: a.url });
    await host.hello(hostToken, roomId);
    const terminalId = await host.createTerminal();
    await host.run(terminalId, 'echo before-$((2*21))', 'early');

    // A viewer lands on node B (its own origin there): B relays it to A, where the shell runs. It
    // gets A's welcome (the terminal is listed), a snapshot with what ran before, then live output.
    const viewer = await PtyClient.connect(ptyUrl(b.url, roomId), { origin: b.url });
    const welcome = await viewer.hello(viewerToken, roomId);
    expect(welcome.terminals.map((t) => t.id)).toContain(terminalId);
    viewer.send({ type: 'open', terminalId });
    const snapshot = await viewer.next('snapshot', (m) => m.terminalId === terminalId);
    expect(JSON.stringify(snapshot)).toContain('before-42');
    await host.run(terminalId, 'echo live-$((6*7))', 'shown');
    await viewer.waitOutput(terminalId, 'live-42');
    // Roles stay on A: the viewer's input is refused there, and the refusal comes back through B.
    viewer.send({ type: 'input', terminalId, data: 'echo nope\r' });
    expect(await viewer.next('error', (m) => m.request === 'input')).toMatchObject({ code: 'FORBIDDEN', terminalId });

    // An editor on node B (no ?room=: the room is read from the hello) drives a terminal of its own;
    // it runs on A, and the host on A watches its input and output.
    const editor = await PtyClient.connect(ptyUrl(b.url), { origin: b.url });
    await editor.hello(editorToken, roomId);
    const editorTerminal = await editor.createTerminal();
    host.send({ type: 'open', terminalId: editorTerminal });
    await host.next('snapshot', (m) => m.terminalId === editorTerminal);
    await editor.run(editorTerminal, 'echo from-b-$((40+2))', 'relayed');
    await host.waitOutput(editorTerminal, 'from-b-42');
    expect(a.output()).toContain('terminal started');
    expect(b.output()).not.toContain('terminal started');

    // A's own refusals reach the client through B with their code: a hello for another room.
    const other = await createRoom(a.url);
    const wrongRoom = await PtyClient.connect(ptyUrl(b.url), { origin: b.url });
    wrongRoom.send({ type: 'hello', protocolVersion: PTY_PROTOCOL_VERSION, token: other.hostToken, roomId });
    expect(await wrongRoom.waitClosed()).toEqual({ code: ERRORS.FORBIDDEN.closeCode, reason: PTY_CLOSE_REASONS.WRONG_ROOM });
    // B still checks the Origin of the socket it accepts.
    await expect(PtyClient.connect(ptyUrl(b.url, roomId), { origin: 'http://evil.example' })).rejects.toMatchObject({ statusCode: 403 });

    // The call: /media stays redirect-only (its RTP goes to the owner's ports anyway).
    const hello = { protocolVersion: MEDIA_PROTOCOL_VERSION, token: viewerToken, roomId };
    const wrongCall = await MediaClient.connect(`${b.url.replace(/^http/, 'ws')}/media`, { origin: b.url });
    expect(await wrongCall.ask('hello', hello)).toMatchObject({ error: { code: 'WRONG_NODE' } });
    expect((await wrongCall.waitClosed()).code).toBe(ERRORS.WRONG_NODE.closeCode);
    const call = await MediaClient.connect(`${a.url.replace(/^http/, 'ws')}/media`, { origin: a.url });
    expect(await call.ask('hello', hello)).toMatchObject({ data: { protocolVersion: MEDIA_PROTOCOL_VERSION } });

    // Node A loses the lease (as after a long cut from Redis): it closes its terminal clients with
    // WRONG_NODE, and B closes the clients it relays with the same code and reason.
    execFileSync('redis-cli', ['-p', String(redis().port), 'SET', `coderoom:room:${roomId}`, 'node-9', 'PX', '60000']);
    const wrongNode = { code: ERRORS.WRONG_NODE.closeCode, reason: PTY_CLOSE_REASONS.WRONG_NODE };
    expect(await host.waitClosed()).toEqual(wrongNode);
    expect(await viewer.waitClosed()).toEqual(wrongNode);
    expect(await editor.waitClosed()).toEqual(wrongNode);
    expect((await api(a.url, 'GET', `/api/rooms/${roomId}/node`, undefined, viewerToken)).body).toMatchObject({ nodeId: 'node-9', url: null, self: false });
    // An owner with no reachable node: B refuses with WRONG_NODE rather than relaying.
    const orphan = await PtyClient.connect(ptyUrl(b.url), { origin: b.url });
    orphan.send({ type: 'hello', protocolVersion: PTY_PROTOCOL_VERSION, token: viewerToken, roomId });
    expect(await orphan.waitClosed()).toEqual(wrongNode);
  });

  it('SCALE6 SIGKILL the node owning a room while 20 clients type: they edit again through a live node, a live node takes the room within the lease, every edit is there', async () => {
    const nodes = await startNodes(3);
    const [a, b] = nodes as [HubProcess, HubProcess, HubProcess];
    const { roomId, hostToken } = await createRoom(b.url);
    await createFile(b.url, roomId, 'typing.txt', hostToken);
    const name = formatDocName({ roomId, kind: 'file', path: 'typing.txt' });
    const ask = async (node: HubProcess) => (await api(node.url, 'GET', `/api/rooms/${roomId}/node`, undefined, hostToken)).body;
    expect(await ask(a)).toMatchObject({ nodeId: 'node-0', self: true });

    // Twenty clients on the owner (as behind a load balancer that follows the directory), typing.
    const WRITERS = 20;
    const tokens = await Promise.all(Array.from({ length: WRITERS }, (_, w) => joinRoom(b.url, roomId, `writer${w}`)));
    const clients = await Promise.all(tokens.map((t) => open(a, name, t)));
    const sent = new Array<number>(WRITERS).fill(0);
    let typing = true;
    const typists = clients.map(async (cl, w) => {
      while (typing) {
        cl.text.insert(cl.text.length, `<w${w}-${sent[w]}>`);
        sent[w]! += 1;
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    await waitFor(() => sent.every((n) => n >= 5), 30_000, 'every writer to have typed');
    await Promise.all(clients.map((cl) => waitFor(() => cl.provider.unsyncedChanges < 3, 30_000, 'acknowledgements')));

    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    await a.exited;
    // Each client goes on through node B with the same local document (what it typed meanwhile included).
    const sentAtKill = [...sent];
    const moved = clients.map((cl, w) => {
      cl.provider.destroy();
      cl.socket.destroy();
      return connect(b.wsUrl, name, tokens[w]!, cl.doc);
    });
    const editingAgainMs = await Promise.all(
      moved.map(async (m, w) => {
        await m.synced;
        await waitFor(() => sent[w]! > sentAtKill[w]! + 1 && m.provider.unsyncedChanges === 0, 30_000, 'an edit acknowledged through node B');
        return Date.now() - killedAt;
      }),
    );
    // The room's terminals and calls: a live node takes the room once node A's lease has run out (asked
    // for up to three leases; the time taken is printed for docs/scaling.md, not asserted).
    let owner = await ask(b);
    while (owner.nodeId === 'node-0' && Date.now() - killedAt < 3 * LEASE_MS) {
      await new Promise((r) => setTimeout(r, 100));
      owner = await ask(b);
    }
    const takenOverMs = Date.now() - killedAt;
    expect(owner).toMatchObject({ nodeId: 'node-1', self: true });

    typing = false;
    await Promise.all(typists);
    await Promise.all(moved.map((m) => acknowledged(m.provider, 30_000)));
    await waitFor(() => moved.every((m) => m.text.toString() === moved[0]!.text.toString()), 30_000, 'every client to converge');
    const text = moved[0]!.text.toString();
    for (let w = 0; w < WRITERS; w++) for (let k = 0; k < sent[w]!; k++) expect(occurrences(text, `<w${w}-${k}>`)).toBe(1);
    // A client opening the document afresh on node C gets the same text (from PostgreSQL and Redis).
    const fresh = await open(nodes[2]!, name, tokens[0]!);
    await waitFor(() => fresh.text.toString() === text, 30_000, 'a fresh client on node C to have the document');
    process.stdout.write(`SCALE6 failover: every client editing again ${Math.max(...editingAgainMs)} ms after SIGKILL; room taken over after ${takenOverMs} ms (lease ${LEASE_MS} ms)\n`);
  });
});
