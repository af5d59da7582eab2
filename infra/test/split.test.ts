// INF14: the split deployment's wiring with the real processes the image runs: the signing-key
// script's two halves, the control plane on the key pair, the terminal and media planes on the
// public half only, and the probe paths every manifest uses answering on each plane.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { PTY_PROTOCOL_VERSION } from '@coderoom/shared/client';
import { createRoom, tempDir, waitFor } from '../../collab-server/test/helpers.js';
import { freeRtcPort, startHubProcess } from '../../cli/test/hubProcess.js';
import { INFRA_DIR, SIGNING_KEY_SCRIPT } from './kustomize.js';

/** Runs `<pkg>/dist/main.js` (what the image's `pty` and `media` commands run) until the test ends; resolves with its base URL once /healthz answers. */
async function startPlane(pkg: 'pty-gateway' | 'media-server', env: Record<string, string>): Promise<string> {
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

describe('split deployment', () => {
  it('INF14 planes on the public key verify the control plane tokens, and /healthz and /readyz answer on each', async () => {
    const dir = tempDir();
    const [privateDir, publicDir] = [join(dir, 'control'), join(dir, 'public')];
    const keys = spawnSync(process.execPath, [SIGNING_KEY_SCRIPT, privateDir, publicDir], { encoding: 'utf8' });
    expect(keys.status, keys.stderr).toBe(0);
    const pair = JSON.parse(readFileSync(join(privateDir, 'keys', 'signing.jwk.json'), 'utf8'));
    const pub = JSON.parse(readFileSync(join(publicDir, 'keys', 'signing.jwk.json'), 'utf8'));
    expect(Object.keys(pub)).toEqual(['publicJwk']);
    expect(pub.publicJwk).toEqual(pair.publicJwk);
    expect(JSON.stringify(pub)).not.toContain(pair.privateJwk.d);
    // Run again: the existing key is kept.
    spawnSync(process.execPath, [SIGNING_KEY_SCRIPT, privateDir, publicDir]);
    expect(JSON.parse(readFileSync(join(privateDir, 'keys', 'signing.jwk.json'), 'utf8'))).toEqual(pair);

    const hub = await startHubProcess(privateDir);
    const pty = await startPlane('pty-gateway', { DATA_DIR: publicDir });
    const media = await startPlane('media-server', { DATA_DIR: publicDir, MEDIA_WORKERS: '1', MEDIA_RTC_MIN_PORT: String(await freeRtcPort()) });
    for (const base of [hub.url, pty, media]) {
      for (const path of ['/healthz', '/readyz']) expect((await fetch(base + path)).status, base + path).toBe(200);
    }
    expect(await (await fetch(`${pty}/readyz`)).json()).toEqual({ status: 'ready' });
    // The JWKS the control plane serves is the key the script wrote.
    const jwks = await (await fetch(`${hub.url}/api/.well-known/jwks.json`)).json();
    expect(jwks.keys[0].kid).toBe(pair.kid);

    // A host token from the control plane opens a terminal on the standalone terminal plane.
    const { roomId, hostToken } = await createRoom(hub.url);
    const ws = new WebSocket(`${pty.replace('http', 'ws')}/pty?room=${roomId}`, { headers: { origin: pty } });
    onTestFinished(() => ws.terminate());
    const types: string[] = [];
    ws.on('message', (data) => {
      const text = String(data as Buffer);
      if (text.startsWith('{')) types.push((JSON.parse(text) as { type: string }).type);
    });
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
    ws.send(JSON.stringify({ type: 'hello', protocolVersion: PTY_PROTOCOL_VERSION, token: hostToken, roomId }));
    await waitFor(() => types.includes('welcome') || types.includes('error'), 10_000, 'welcome');
    expect(types[0]).toBe('welcome');
  });
});
