// The collaborative-editing servers under test, each started in its own process on 127.0.0.1:
// CodeRoom as the real hub (`coderoom start`), stock Hocuspocus, and the reference y-websocket server.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { freePort } from '../lib/proc.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(import.meta.url);

/** Resolves when `pattern` appears in the child's output; rejects if it exits first. */
function waitFor(child, pattern, timeoutMs = 30_000) {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), timeoutMs);
    const onData = (c) => {
      out += c.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
}

function stopper(child, cleanup = () => {}) {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    cleanup();
  };
}

/** POSTs JSON to the hub's REST API (same-origin, as the web client). */
export async function api(base, path, body, token) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * Workspace files CodeRoom opens for editing, raised from its 1 MiB default so that the 5 MB
 * document can be opened at all (with the default, opening it answers BAD_REQUEST).
 */
export const CODEROOM_WORKSPACE_MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Spawns `coderoom start` on a free port with `DATA_DIR` = dataDir and resolves once it serves;
 * `children`, if given, gets the child at once (so that it can be stopped while still starting).
 */
async function spawnHub(dataDir, extraEnv = {}, profileDir, children) {
  const env = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', MEDIA_WORKERS: '1', MEDIA_RTC_MIN_PORT: String(await freePort(true)), TOKEN_TTL_SECONDS: '3600', WORKSPACE_MAX_FILE_BYTES: String(CODEROOM_WORKSPACE_MAX_FILE_BYTES), ...extraEnv };
  const prof = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = spawn(process.execPath, [...prof, join(root, 'cli', 'bin', 'coderoom.js'), 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children?.push(child);
  const m = await waitFor(child, /"port":(\d+),"msg":"listen\(\) \| serving"/);
  // Keep draining the log so the hub never blocks on a full pipe.
  child.stdout.resume();
  child.stderr.resume();
  const port = Number(m[1]);
  return { child, port, base: `http://127.0.0.1:${port}`, url: `ws://127.0.0.1:${port}/collab` };
}

/** The bench room on a running hub, and its files made on demand through the REST API (as the web client does). */
async function benchRoom(base) {
  const created = await api(base, '/api/rooms', { name: 'bench', displayName: 'bench' });
  const roomId = created.room.id;
  let files = 0;
  return {
    roomId,
    hostToken: created.token,
    docName: (i) => `room:${roomId}:file:f${i}.txt`,
    /** Files exist before a client can open them; `concurrency` requests at a time. */
    async ensureDocs(n, concurrency = 1) {
      const worker = async () => {
        while (files < n) await api(base, `/api/rooms/${roomId}/files`, { path: `f${files++}.txt` }, created.token);
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    },
  };
}

/** CodeRoom: the real hub with its default configuration (auth, durable log, metrics, workspace mirror) but for the file-size limit above. */
export async function startCodeRoom({ profileDir } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-coderoom-'));
  const hub = await spawnHub(dataDir, {}, profileDir);
  const room = await benchRoom(hub.base);
  return {
    name: 'CodeRoom',
    flavor: 'hocuspocus',
    pid: hub.child.pid,
    url: hub.url,
    origin: hub.base,
    coderoom: { dataDir, roomId: room.roomId },
    /** The hub's HTTP origin and a host token of the bench room (for REST calls and browsers). */
    base: hub.base,
    hostToken: room.hostToken,
    docName: room.docName,
    ensureDocs: room.ensureDocs,
    stop: stopper(hub.child, () => rmSync(dataDir, { recursive: true, force: true })),
  };
}

/**
 * `count` CodeRoom hub nodes on one PostgreSQL database and one Redis (docs/scaling.md), sharing
 * the token signing key as nodes behind one load balancer must. The first node migrates the
 * database and holds the bench room; the others start side by side once it serves. `track(stop)`
 * is called at once and returns an untrack function (called when the nodes are stopped).
 */
export async function startCodeRoomNodes(count, { databaseUrl, redisUrl, track = () => () => {} }) {
  const dirs = Array.from({ length: count }, () => mkdtempSync(join(tmpdir(), 'bench-coderoom-node-')));
  const env = (i) => ({ DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NODE_ID: `bench-node-${i}` });
  const hubs = [];
  const children = [];
  const stopAll = async () => {
    await Promise.all(children.map((child) => stopper(child)()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  // The caller may stop the nodes from the start, e.g. on a signal while they are still starting.
  const untrack = track(stopAll);
  const stop = () => (untrack(), stopAll());
  try {
    hubs.push(await spawnHub(dirs[0], env(0), undefined, children));
    // The first node wrote the signing key at start; the others get a copy before theirs.
    for (const dir of dirs.slice(1)) cpSync(join(dirs[0], 'keys'), join(dir, 'keys'), { recursive: true });
    const rest = await Promise.allSettled(dirs.slice(1).map((dir, i) => spawnHub(dir, env(i + 1), undefined, children)));
    for (const r of rest) if (r.status === 'fulfilled') hubs.push(r.value);
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const room = await benchRoom(hubs[0].base);
    return {
      name: `CodeRoom, ${count} node${count > 1 ? 's' : ''}`,
      flavor: 'hocuspocus',
      nodes: hubs.map((h) => ({ pid: h.child.pid, url: h.url, origin: h.base })),
      coderoom: { dataDir: dirs[0], roomId: room.roomId },
      docName: room.docName,
      ensureDocs: room.ensureDocs,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Stock Hocuspocus 3.4.4, no extensions, default configuration. */
export async function startHocuspocus() {
  const child = spawn(process.execPath, [join(here, 'hocuspocus-server.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = Number((await waitFor(child, /\{"port":(\d+)\}/))[1]);
  child.stdout.resume();
  child.stderr.resume();
  return { name: 'Hocuspocus (stock)', flavor: 'hocuspocus', pid: child.pid, url: `ws://127.0.0.1:${port}`, origin: undefined, docName: (i) => `doc-${i}`, async ensureDocs() {}, stop: stopper(child) };
}

/** The reference y-websocket server (@y/websocket-server's own `y-websocket` binary, in memory). */
export async function startYWebsocket() {
  const port = await freePort();
  const bin = join(dirname(require.resolve('@y/websocket-server/package.json')), 'src', 'server.js');
  const child = spawn(process.execPath, [bin], { env: { ...process.env, HOST: '127.0.0.1', PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  await waitFor(child, /running at/);
  child.stdout.resume();
  child.stderr.resume();
  return { name: 'y-websocket', flavor: 'ywebsocket', pid: child.pid, url: `ws://127.0.0.1:${port}`, origin: undefined, docName: (i) => `doc-${i}`, async ensureDocs() {}, stop: stopper(child) };
}

export const TARGETS = { coderoom: startCodeRoom, hocuspocus: startHocuspocus, ywebsocket: startYWebsocket };
