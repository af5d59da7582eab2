// INF15: infra/compose/nginx.conf, run by a real nginx in front of a real hub and the standalone
// terminal and media planes: REST and the web app reach the control plane, each socket path its
// plane (WebSocket upgrade and Origin checks intact), /metrics is closed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createRoom, tempDir } from '../../collab-server/test/helpers.js';
import { freeRtcPort, startHubProcess } from '../../cli/test/hubProcess.js';
import { INFRA_DIR } from './kustomize.js';
import { ptyHello, startPlane, upgrades, writeSigningKey } from './planes.js';

/** Which plane answered: the value of `coderoom_connections{plane}` on one process's /metrics. */
async function connections(base: string, plane: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`coderoom_connections{plane="${plane}"} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Runs nginx (Debian's nginx-light) on `conf` in the foreground until the test ends. */
async function startNginx(prefix: string, conf: string, port: number): Promise<string> {
  const test = spawnSync('nginx', ['-t', '-p', prefix, '-c', conf], { encoding: 'utf8' });
  expect(test.error, 'nginx (Debian package nginx-light)').toBeUndefined();
  expect(test.stderr).toContain('test is successful');
  const child = spawn('nginx', ['-p', prefix, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  onTestFinished(async () => {
    child.kill('SIGTERM'); // the master stops its workers
    await exited;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await fetch(`${url}/healthz`).then(() => true, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return url;
}

describe('compose proxy', () => {
  it('INF15 nginx.conf routes REST to control and /collab, /pty, /media (with ?room=) to their planes, and closes /metrics', async () => {
    const dir = tempDir();
    writeSigningKey(join(dir, 'control'), join(dir, 'public'));
    const hub = await startHubProcess(join(dir, 'control'));
    const pty = await startPlane('pty-gateway', { DATA_DIR: join(dir, 'public') });
    const media = await startPlane('media-server', { DATA_DIR: join(dir, 'public'), MEDIA_WORKERS: '1', MEDIA_RTC_MIN_PORT: String(await freeRtcPort()) });

    // The compose file's config, with the service names replaced by where the processes listen.
    const port = await freeRtcPort();
    const site = readFileSync(join(INFRA_DIR, 'compose', 'nginx.conf'), 'utf8')
      .replaceAll('server control:8080;', `server 127.0.0.1:${hub.port};`)
      .replace('server pty:8082;', `server ${pty.slice('http://'.length)};`)
      .replace('server media:8083;', `server ${media.slice('http://'.length)};`)
      .replace('listen 8080;', `listen 127.0.0.1:${port};`);
    expect(site).not.toMatch(/server (control|pty|media):/);
    const prefix = join(dir, 'nginx');
    mkdirSync(join(prefix, 'tmp'), { recursive: true });
    writeFileSync(join(prefix, 'site.conf'), site);
    const conf = join(prefix, 'nginx.conf');
    writeFileSync(
      conf,
      [
        'daemon off;',
        // As root, nginx's workers would drop to nobody, who cannot enter the test's private temp dir.
        ...(process.getuid?.() === 0 ? ['user root;'] : []),
        'worker_processes 1;',
        `pid ${join(prefix, 'nginx.pid')};`,
        `error_log ${join(prefix, 'error.log')} warn;`,
        'events { worker_connections 64; }',
        'http {',
        '  access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(prefix, 'tmp', t)};`),
        `  include ${join(prefix, 'site.conf')};`,
        '}',
      ].join('\n'),
    );
    const proxy = await startNginx(prefix, conf, port);

    expect((await fetch(`${proxy}/healthz`)).status).toBe(200);
    expect((await fetch(`${proxy}/readyz`)).status).toBe(200);
    expect((await fetch(`${proxy}/metrics`)).status).toBe(404);
    const { roomId, hostToken } = await createRoom(proxy);

    // /pty reaches the standalone terminal plane, which verifies the control plane's token.
    expect(await ptyHello(proxy, proxy, roomId, hostToken)).toBe('welcome');
    expect(await connections(pty, 'pty')).toBe(1);
    expect(await connections(hub.url, 'pty')).toBe(0);
    // /media reaches the standalone media plane; /collab the control plane.
    expect(await upgrades(`${proxy.replace('http', 'ws')}/media?room=${roomId}`, proxy)).toBe(true);
    expect(await connections(media, 'media')).toBe(1);
    expect(await upgrades(`${proxy.replace('http', 'ws')}/collab?room=${roomId}`, proxy)).toBe(true);
    expect(await connections(hub.url, 'collab')).toBe(1);
    expect(await connections(hub.url, 'media')).toBe(0);
    // A foreign Origin is still refused by the plane behind the proxy.
    expect(await upgrades(`${proxy.replace('http', 'ws')}/media?room=${roomId}`, 'http://evil.example')).toBe(false);
  });
});
