// INF14: the split deployment's wiring with the real processes the image runs: the signing-key
// script's two halves, the control plane on the key pair, the terminal and media planes on the
// public half only, and the probe paths every manifest uses answering on each plane.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRoom, tempDir } from '../../collab-server/test/helpers.js';
import { freeRtcPort, startHubProcess } from '../../cli/test/hubProcess.js';
import { SIGNING_KEY_SCRIPT } from './kustomize.js';
import { ptyHello, startPlane } from './planes.js';

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
    expect(await ptyHello(pty, pty, roomId, hostToken)).toBe('welcome');
  });
});
