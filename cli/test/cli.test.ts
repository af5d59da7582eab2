import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TokenVerifier, formatDocName } from '@coderoom/shared';
import { join } from 'node:path';
import * as Y from 'yjs';
import { openDatabase, SqliteDocumentStore } from '@coderoom/collab-server';
import { acknowledged, connect, createFile, createRoom, tempDir } from '../../collab-server/test/helpers.js';
import { CLI_BIN, startHubProcess } from './hubProcess.js';

const run = promisify(execFile);

async function coderoom(dataDir: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, DATA_DIR: dataDir } });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

/** GET /readyz of a hub. */
async function readyz(url: string): Promise<{ status: number; body: { status: string; reason?: string; media: { workers: { pid: number; alive: boolean }[] } } }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: await res.json() };
}

describe('coderoom CLI', () => {
  it('CLI1 room create prints only the id; token prints only a token that the hub accepts (no hub running)', async () => {
    const dataDir = tempDir();
    const created = await coderoom(dataDir, 'room', 'create', '--name', 'Review');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^[A-Za-z0-9_-]{16}\n$/);
    const roomId = created.stdout.trim();
    const tok = await coderoom(dataDir, 'token', '--room', roomId, '--name', 'Ann', '--role', 'viewer');
    expect(tok.code).toBe(0);
    expect(tok.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);

    const hub = await startHubProcess(dataDir);
    const jwks = await (await fetch(`${hub.url}/api/.well-known/jwks.json`)).json();
    const claims = await new TokenVerifier(jwks).verify(tok.stdout.trim());
    expect(claims).toMatchObject({ room: roomId, name: 'Ann', role: 'viewer' });
    const room = await (await fetch(`${hub.url}/api/rooms/${roomId}`)).json();
    expect(room.room.name).toBe('Review');
  });

  it('CLI2 works beside a running hub on the same DATA_DIR', async () => {
    const dataDir = tempDir();
    const hub = await startHubProcess(dataDir);
    const created = await coderoom(dataDir, 'room', 'create', '--name', 'Live');
    const roomId = created.stdout.trim();
    const tok = (await coderoom(dataDir, 'token', '--room', roomId, '--name', 'Bo', '--role', 'host')).stdout.trim();
    expect((await fetch(`${hub.url}/api/rooms/${roomId}`)).status).toBe(200);
    const res = await fetch(`${hub.url}/api/rooms/${roomId}/files`, { method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: JSON.stringify({ path: 'x.md' }) });
    expect(res.status).toBe(201);
    const c = connect(hub.wsUrl, formatDocName({ roomId, kind: 'file', path: 'x.md' }), tok);
    await c.synced;
  });

  it('CLI3 bad arguments exit 2 with a message on stderr and nothing on stdout', async () => {
    const dataDir = tempDir();
    const roomId = (await coderoom(dataDir, 'room', 'create', '--name', 'R')).stdout.trim();
    for (const args of [
      ['token', '--room', 'doesnotexist123', '--name', 'A', '--role', 'host'],
      ['token', '--room', roomId, '--name', 'A', '--role', 'admin'],
      ['token', '--room', roomId, '--name', '', '--role', 'host'],
      ['token', '--room', roomId, '--name', 'A', '--role', 'host', '--ttl', '-5'],
      ['room', 'create'],
      ['room', 'create', '--name', '   '],
    ]) {
      const r = await coderoom(dataDir, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr.length, args.join(' ')).toBeGreaterThan(0);
    }
  });

  it('HEALTH1 /healthz and /readyz answer; SIGTERM stores, closes and exits 0', async () => {
    const dataDir = tempDir();
    const hub = await startHubProcess(dataDir);
    const health = await fetch(`${hub.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; media: { workers: { pid: number; alive: boolean }[] } };
    expect(body.status).toBe('ready');
    expect(body.media.workers).toHaveLength(1); // test hubs run MEDIA_WORKERS=1
    expect(body.media.workers[0]!.alive).toBe(true);
    // An open editor with logged updates: SIGTERM compacts them into the snapshot.
    const { roomId, hostToken } = await createRoom(hub.url);
    await createFile(hub.url, roomId, 'a.md', hostToken);
    const name = formatDocName({ roomId, kind: 'file', path: 'a.md' });
    const c = connect(hub.wsUrl, name, hostToken);
    await c.synced;
    c.text.insert(0, 'before shutdown');
    await acknowledged(c.provider);
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toEqual({ code: 0, signal: null });
    expect(hub.output()).toContain('close() | done');
    const db = openDatabase(join(dataDir, 'coderoom.db'));
    try {
      expect(db.prepare('SELECT count(*) AS n FROM doc_updates WHERE name = ?').get(name)).toEqual({ n: 0 });
      const stored = await new SqliteDocumentStore(db).load(name);
      const doc = new Y.Doc();
      Y.applyUpdate(doc, stored.snapshot!);
      expect(doc.getText('content').toString()).toBe('before shutdown');
    } finally {
      db.close();
    }
  });

  it('HEALTH2 OPS a killed mediasoup worker makes /readyz fail with the reason, a new worker takes its place, and the metric counts it', async () => {
    const hub = await startHubProcess(tempDir());
    const before = await readyz(hub.url);
    expect(before.status).toBe(200);
    const pid = before.body.media.workers[0]!.pid;
    process.kill(pid, 'SIGKILL');
    await expect.poll(async () => (await readyz(hub.url)).status, { timeout: 5000, interval: 20 }).toBe(503);
    expect((await readyz(hub.url)).body.reason).toMatch(/^media: .*worker/);
    await expect.poll(async () => (await readyz(hub.url)).status, { timeout: 10_000 }).toBe(200);
    const after = await readyz(hub.url);
    expect(after.body.media.workers).toHaveLength(1);
    expect(after.body.media.workers[0]!.pid).not.toBe(pid);
    expect(after.body.media.workers[0]!.alive).toBe(true);
    // ...and the metric counts the death.
    const scrape = await (await fetch(`${hub.url}/metrics`)).text();
    expect(scrape).toMatch(/^coderoom_media_worker_deaths_total 1$/m);
  });
});
