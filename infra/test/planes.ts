import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { PTY_PROTOCOL_VERSION } from '@coderoom/shared/client';
import { freeRtcPort } from '../../cli/test/hubProcess.js';
import { INFRA_DIR, SIGNING_KEY_SCRIPT } from './kustomize.js';

/** Writes a signing key pair under `privateDir/keys` and its public half under `publicDir/keys` with the real script. */
export function writeSigningKey(privateDir: string, publicDir: string): void {
  const r = spawnSync(process.execPath, [SIGNING_KEY_SCRIPT, privateDir, publicDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`signing-key.mjs failed: ${r.stderr}`);
}

/**
 * Runs `<pkg>/dist/main.js` (what the image's `pty` and `media` commands run) on a free port
 * until the test ends; resolves with its base URL once /healthz answers.
 */
export async function startPlane(pkg: 'pty-gateway' | 'media-server', env: Record<string, string>): Promise<string> {
  const port = await freeRtcPort();
  const child = spawn(process.execPath, [join(INFRA_DIR, '..', pkg, 'dist', 'main.js')], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (!(await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${pkg} did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return url;
}

/** Opens `/pty?room=` at `base` (http URL) with `origin`, says hello with `token`; resolves with the type of the first answer. */
export async function ptyHello(base: string, origin: string, roomId: string, token: string): Promise<string> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/pty?room=${roomId}`, { headers: { origin } });
  onTestFinished(() => ws.terminate());
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const first = new Promise<string>((resolve) => ws.once('message', (data) => resolve((JSON.parse(String(data as Buffer)) as { type: string }).type)));
  ws.send(JSON.stringify({ type: 'hello', protocolVersion: PTY_PROTOCOL_VERSION, token, roomId }));
  return first;
}

/** Whether a WebSocket upgrade of `url` with `origin` is accepted. */
export async function upgrades(url: string, origin: string): Promise<boolean> {
  const ws = new WebSocket(url, { headers: { origin } });
  onTestFinished(() => ws.terminate());
  return new Promise<boolean>((resolve) => ws.once('open', () => resolve(true)).once('error', () => resolve(false)));
}
