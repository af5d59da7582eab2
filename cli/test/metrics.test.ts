import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { PTY_PROTOCOL_VERSION } from '@coderoom/shared/client';
import { formatDocName } from '@coderoom/shared';
import { acknowledged, api, connect, createFile, createRoom, tempDir, waitFor } from '../../collab-server/test/helpers.js';
import { freeRtcPort, startHubProcess } from './hubProcess.js';
import { promtool } from './promtool.js';

/** Scrapes `/metrics`, checks the content type, and runs `promtool check metrics` on the body (from a file, as a scrape would be kept). */
async function scrapeAndCheck(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const body = await res.text();
  const file = join(tempDir(), 'scrape.prom');
  writeFileSync(file, body);
  const check = promtool(['check', 'metrics'], body);
  expect(check.output, `promtool check metrics ${file}`).toBe('');
  expect(check.status).toBe(0);
  return body;
}

/** The value of the sample `name{labels}` (labels as written, in order), or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const head = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(head));
  return line === undefined ? undefined : Number(line.slice(head.length));
}

/** Sum of every sample of `name` whose label set contains each of `labels`. */
function sum(text: string, name: string, ...labels: string[]): number {
  let total = 0;
  for (const l of text.split('\n')) {
    const m = /^([a-z_:]+)(\{[^}]*\})? (\S+)$/.exec(l);
    if (!m || m[1] !== name) continue;
    if (labels.every((x) => (m[2] ?? '').includes(x))) total += Number(m[3]);
  }
  return total;
}

/** Opens a terminal over /pty as `token`; resolves when its first snapshot arrived. */
async function openTerminal(port: number, roomId: string, token: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/pty?room=${roomId}`, { headers: { origin: `http://127.0.0.1:${port}` } });
  onTestFinished(() => ws.terminate());
  const types: string[] = [];
  ws.on('message', (data) => {
    const text = String(data as Buffer);
    if (text.startsWith('{')) types.push((JSON.parse(text) as { type: string }).type);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'hello', protocolVersion: PTY_PROTOCOL_VERSION, token, roomId }));
  await waitFor(() => types.includes('welcome'), 10_000, 'welcome');
  ws.send(JSON.stringify({ type: 'create' }));
  await waitFor(() => types.includes('snapshot'), 10_000, 'snapshot');
  return ws;
}

/** Starts a standalone service entry (`<pkg>/dist/main.js`) on a free port; killed when the test finishes. */
async function startStandalone(pkg: string, env: Record<string, string>): Promise<string> {
  const port = await freeRtcPort();
  const main = fileURLToPath(new URL(`../../${pkg}/dist/main.js`, import.meta.url));
  const child = spawn(process.execPath, [main], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (ok) return base;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${pkg} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('metrics', () => {
  it('OPS1 OPS2 OPS3 the hub serves /metrics that promtool accepts, with values from real work on every plane', async () => {
    const hub = await startHubProcess(tempDir());
    const { roomId, hostToken } = await createRoom(hub.url);
    await createFile(hub.url, roomId, 'a.txt', hostToken);
    expect((await api(hub.url, 'GET', '/api/nope')).status).toBe(404);
    const c = connect(hub.wsUrl, formatDocName({ roomId, kind: 'file', path: 'a.txt' }), hostToken);
    await c.synced;
    for (let i = 0; i < 5; i++) c.text.insert(c.text.length, `line ${i}\n`);
    await acknowledged(c.provider);
    await openTerminal(hub.port, roomId, hostToken);

    const text = await scrapeAndCheck(hub.url);
    // OPS2: connections by plane, documents, updates, latencies.
    expect(sample(text, 'coderoom_connections', 'plane="collab"')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'coderoom_connections', 'plane="pty"')).toBe(1);
    expect(sample(text, 'coderoom_collab_documents_loaded')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'coderoom_collab_updates_applied_total')).toBeGreaterThanOrEqual(5);
    expect(sample(text, 'coderoom_collab_durable_log_append_seconds_count')).toBeGreaterThanOrEqual(5);
    expect(sample(text, 'coderoom_collab_fanout_seconds_count')).toBeGreaterThanOrEqual(5);
    expect(sum(text, 'coderoom_http_request_duration_seconds_count', 'route="/api/rooms/:id/files"', 'method="POST"', 'status="201"')).toBe(1);
    expect(sum(text, 'coderoom_http_request_duration_seconds_count', 'route="unmatched"', 'status="404"')).toBe(1);
    expect(text).not.toContain(roomId);
    expect(sample(text, 'coderoom_errors_total', 'code="NOT_FOUND"')).toBe(1);
    expect(sample(text, 'coderoom_pty_terminal_sessions')).toBe(1);
    expect(sample(text, 'coderoom_pty_viewers')).toBe(1);
    expect(sample(text, 'coderoom_pty_bytes_out_total')).toBeGreaterThan(0);
    expect(sample(text, 'coderoom_pty_viewer_resyncs_total')).toBe(0);
    expect(sample(text, 'coderoom_media_workers', 'state="alive"')).toBe(1);
    expect(sample(text, 'coderoom_media_worker_deaths_total')).toBe(0);
    expect(sum(text, 'coderoom_media_worker_cpu_seconds_total', 'worker="0"')).toBeGreaterThanOrEqual(0);
    expect(text).toContain('coderoom_media_worker_cpu_seconds_total{worker="0",mode="user"}');
    expect(sample(text, 'coderoom_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('OPS1 the standalone pty gateway and media server serve /metrics that promtool accepts', async () => {
    const dataDir = tempDir();
    // The hub writes the signing key the standalone planes read; it need not keep running.
    const hub = await startHubProcess(dataDir);
    hub.child.kill('SIGTERM');
    await hub.exited;
    const pty = await startStandalone('pty-gateway', { DATA_DIR: dataDir });
    expect(await scrapeAndCheck(pty)).toContain('coderoom_pty_terminal_sessions 0');
    const media = await startStandalone('media-server', { DATA_DIR: dataDir, MEDIA_WORKERS: '1', MEDIA_RTC_MIN_PORT: String(await freeRtcPort()) });
    expect(await scrapeAndCheck(media)).toContain('coderoom_media_workers{state="alive"} 1');
  });
});
