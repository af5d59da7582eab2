import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TokenIssuer, formatDocName, ERRORS } from '@coderoom/shared';
import { MAX_DOCUMENTS_PER_SOCKET, MAX_UNAUTHENTICATED_BYTES } from '../src/index.js';
import { acknowledged, api, connect, createFile, createRoom, joinRoom, startServer, tempDir, waitFor } from './helpers.js';
import { authFrame, isAuthenticated, prng, rawSocket, updateFrame } from './rawSocket.js';

/** The server still serves: health answers and a real client can edit and be acknowledged. */
async function stillServes(url: string, wsUrl: string, doc: string, token: string): Promise<string> {
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  const c = connect(wsUrl, doc, token);
  await c.synced;
  c.text.insert(0, 'ok ');
  await acknowledged(c.provider);
  const text = c.text.toString();
  c.provider.destroy();
  c.socket.destroy();
  return text;
}

async function setup(env: Record<string, string> = {}) {
  const s = await startServer(env);
  const { roomId, hostToken } = await createRoom(s.url);
  await createFile(s.url, roomId, 'f.ts', hostToken);
  const doc = formatDocName({ roomId, kind: 'file', path: 'f.ts' });
  return { ...s, roomId, hostToken, doc };
}

describe('bad input on /collab', () => {
  it('SEC1 missing, malformed, oversized, tampered, forged, expired and other-room tokens are refused', async () => {
    const { url, wsUrl, roomId, hostToken, doc, server } = await setup();
    const forged = await (await TokenIssuer.open(tempDir())).sign({ sub: 'x', name: 'Mallory', room: roomId, role: 'host' });
    const expired = await server.issuer.sign({ sub: 'x', name: 'Old', room: roomId, role: 'host' }, -10);
    const other = await createRoom(url);
    const cases: [string, RegExp][] = [
      ['', /^UNAUTHORIZED: missing token/],
      ['not.a.jwt', /^UNAUTHORIZED: invalid token/],
      ['x'.repeat(5000), /^UNAUTHORIZED: token too long/],
      [forged, /^UNAUTHORIZED: invalid token/],
      [hostToken.slice(0, -6) + 'AAAAAA', /^UNAUTHORIZED: invalid token/],
      [expired, /^UNAUTHORIZED: token expired/],
      [other.hostToken, /^FORBIDDEN: token is for another room/],
    ];
    for (const [token, reason] of cases) {
      const c = connect(wsUrl, doc, token);
      expect(await c.authFailed, token.slice(0, 20)).toMatch(reason);
    }
    expect(await stillServes(url, wsUrl, doc, hostToken)).toBe('ok ');
  });

  it('SEC2 undecodable frames and text frames close with 4400; nothing changes', async () => {
    const { url, wsUrl, hostToken, doc } = await setup();
    const garbage = await rawSocket(wsUrl);
    garbage.ws.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect((await garbage.closed).code).toBe(ERRORS.BAD_REQUEST.closeCode);
    const text = await rawSocket(wsUrl);
    text.ws.send('hello');
    expect((await text.closed).code).toBe(ERRORS.BAD_REQUEST.closeCode);
    expect(await stillServes(url, wsUrl, doc, hostToken)).toBe('ok ');
  });

  it('SEC3 an oversized frame closes with 1009; pre-auth floods and document floods are cut off', async () => {
    const { url, wsUrl, hostToken, doc } = await setup({ COLLAB_MAX_MESSAGE_BYTES: String(64 * 1024) });
    const big = await rawSocket(wsUrl);
    big.ws.send(updateFrame(doc, new Uint8Array(100 * 1024)));
    expect((await big.closed).code).toBe(1009);

    const flood = await rawSocket(wsUrl);
    const chunk = updateFrame(doc, new Uint8Array(60 * 1024));
    for (let sent = 0; sent <= MAX_UNAUTHENTICATED_BYTES; sent += chunk.byteLength) flood.ws.send(chunk);
    expect((await flood.closed).code).toBe(ERRORS.PAYLOAD_TOO_LARGE.closeCode);

    const many = await rawSocket(wsUrl);
    for (let i = 0; i <= MAX_DOCUMENTS_PER_SOCKET; i++) many.ws.send(updateFrame(`${doc}${i}`, new Uint8Array(1)));
    expect((await many.closed).code).toBe(ERRORS.RATE_LIMITED.closeCode);
    expect(await stillServes(url, wsUrl, doc, hostToken)).toBe('ok ');
  });

  it('SEC4 a socket that never authenticates is closed with 4401', async () => {
    const { wsUrl } = await setup({ COLLAB_AUTH_TIMEOUT_MS: '300' });
    const idle = await rawSocket(wsUrl);
    const closed = await idle.closed;
    expect(closed.code).toBe(ERRORS.UNAUTHORIZED.closeCode);
  });

  it('SEC5 a foreign Origin cannot open /collab; unknown upgrade paths get 404', async () => {
    const { wsUrl, url } = await setup();
    await expect(rawSocket(wsUrl, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    await expect(rawSocket(url.replace('http', 'ws') + '/nope')).rejects.toThrow(/404/);
    const same = await rawSocket(wsUrl, { origin: url });
    same.ws.close();
  });

  it('SEC6 seeded fuzz: random and mutated frames after authentication never crash the server or corrupt what it stores', async () => {
    const { url, wsUrl, hostToken, doc, server, dataDir } = await setup();
    expect(await stillServes(url, wsUrl, doc, hostToken)).toBe('ok ');
    const valid = new Y.Doc();
    valid.getText('content').insert(0, 'fuzz');
    const validUpdate = Y.encodeStateAsUpdate(valid);
    const rand = prng(0xc0de);
    let closes = 0;
    for (let round = 0; round < 40; round++) {
      const s = await rawSocket(wsUrl);
      s.ws.send(authFrame(doc, hostToken));
      await waitFor(() => s.frames.some((f) => isAuthenticated(f, doc)), 5000, 'auth');
      for (let i = 0; i < 5; i++) {
        const kind = rand();
        let payload: Uint8Array;
        if (kind < 0.4) {
          payload = new Uint8Array(Math.floor(rand() * 200) + 1).map(() => Math.floor(rand() * 256));
          payload = updateFrame(doc, payload);
        } else if (kind < 0.8) {
          // A valid update with a few bytes flipped.
          payload = validUpdate.slice();
          for (let k = 0; k < 3; k++) payload[Math.floor(rand() * payload.length)] = Math.floor(rand() * 256);
          payload = updateFrame(doc, payload);
        } else {
          // A frame truncated at a random point.
          const full = updateFrame(doc, validUpdate);
          payload = full.slice(0, Math.max(1, Math.floor(rand() * full.length)));
        }
        if (s.ws.readyState === s.ws.OPEN) s.ws.send(payload);
      }
      await new Promise((r) => setTimeout(r, 20));
      if (s.ws.readyState !== s.ws.OPEN) closes++;
      s.ws.terminate();
    }
    // Whatever the fuzz did (a mutated update may still be a valid edit), the server serves...
    const after = await stillServes(url, wsUrl, doc, hostToken);
    expect(after.match(/ok /g)?.length).toBeGreaterThanOrEqual(2);
    expect(closes).toBeGreaterThan(0);
    // ...and what it stored loads back to exactly what clients saw.
    await server.close();
    const restarted = await startServer({}, dataDir);
    const c = connect(restarted.wsUrl, doc, hostToken);
    await c.synced;
    expect(c.text.toString()).toBe(after);
  });
});

describe('bad input on the REST API', () => {
  it('SEC7 unknown routes, wrong methods, bad JSON, bad fields, big bodies, missing or wrong tokens get {error:{code,message}}', async () => {
    const { url, roomId, hostToken } = await setup({ API_MAX_BODY_BYTES: '1024' });
    const viewer = await joinRoom(url, roomId, 'Vi', 'viewer');
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const expectError = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      const body = await res.json();
      expect(body.error.code).toBe(code);
      expect(typeof body.error.message).toBe('string');
    };
    await expectError(await fetch(`${url}/api/nope`), 404, 'NOT_FOUND');
    await expectError(await fetch(`${url}/api/rooms`, { method: 'GET' }), 405, 'METHOD_NOT_ALLOWED');
    await expectError(await fetch(`${url}/api/rooms/xxxxxxxxxxxxxxxx`), 404, 'NOT_FOUND');
    await expectError(await fetch(`${url}/api/rooms/%E0%A4%A`), 400, 'BAD_REQUEST');
    await expectError(await post('/api/rooms', '{"name":'), 400, 'BAD_REQUEST');
    await expectError(await post('/api/rooms', '{"name":"x"}'), 400, 'BAD_REQUEST');
    await expectError(await post('/api/rooms', JSON.stringify({ name: 'x', displayName: 'y', extra: 1 })), 400, 'BAD_REQUEST');
    await expectError(await post('/api/rooms', JSON.stringify({ name: 'x', displayName: 'a\u0000b' })), 400, 'BAD_REQUEST');
    await expectError(await fetch(`${url}/api/rooms`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }), 400, 'BAD_REQUEST');
    await expectError(await post('/api/rooms', JSON.stringify({ name: 'x'.repeat(2000), displayName: 'y' })), 413, 'PAYLOAD_TOO_LARGE');
    const files = `/api/rooms/${roomId}/files`;
    await expectError(await post(files, JSON.stringify({ path: 'a.ts' })), 401, 'UNAUTHORIZED');
    await expectError(await post(files, JSON.stringify({ path: 'a.ts' }), { authorization: 'Bearer nope' }), 401, 'UNAUTHORIZED');
    await expectError(await post(files, JSON.stringify({ path: 'a.ts' }), { authorization: `Bearer ${viewer}` }), 403, 'FORBIDDEN');
    await expectError(await post(files, JSON.stringify({ path: '../etc/passwd' }), { authorization: `Bearer ${hostToken}` }), 400, 'BAD_REQUEST');
    await expectError(await post(files, JSON.stringify({ path: 'f.ts' }), { authorization: `Bearer ${hostToken}` }), 409, 'CONFLICT');
    await expectError(await post(`${files}/rename`, JSON.stringify({ from: 'zz.ts', to: 'y.ts' }), { authorization: `Bearer ${hostToken}` }), 404, 'NOT_FOUND');
    await expectError(await post(`${files}/delete`, JSON.stringify({ path: 'f.ts' }), { authorization: `Bearer ${viewer}` }), 403, 'FORBIDDEN');
    // Nothing changed: the one file is still the only one.
    const list = await api(url, 'GET', files, undefined, hostToken);
    expect(list.body.files.map((f: { path: string }) => f.path)).toEqual(['f.ts']);
    const other = await createRoom(url);
    await expectError(await post(files, JSON.stringify({ path: 'b.ts' }), { authorization: `Bearer ${other.hostToken}` }), 403, 'FORBIDDEN');
  });

  it('SEC8 a refreshed token keeps identity and role; the static server never leaves its directory', async () => {
    const dist = tempDir();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dist}/index.html`, '<!doctype html><title>app</title>');
    const { url, roomId } = await setup({ WEB_DIST_DIR: dist });
    const viewer = await api(url, 'POST', `/api/rooms/${roomId}/join`, { displayName: 'Vi', role: 'viewer' });
    const refreshed = await api(url, 'POST', `/api/rooms/${roomId}/token`, undefined, viewer.body.token);
    expect(refreshed.status).toBe(200);
    const [, payload] = refreshed.body.token.split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({ sub: viewer.body.sub, role: 'viewer', room: roomId });
    expect(await (await fetch(`${url}/r/${roomId}`)).text()).toContain('<title>app</title>');
    for (const p of ['/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../package.json', '/x.js']) {
      const res = await fetch(url + p);
      expect([404, 200]).toContain(res.status);
      expect(await res.text()).not.toMatch(/root:|"name":/);
    }
  });
});
