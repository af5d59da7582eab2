import { describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { MEDIA_PROTOCOL_VERSION, PTY_PROTOCOL_VERSION } from '@coderoom/shared/client';
import { formatDocName } from '@coderoom/shared';
import { call, connect, createFile, signUp, tempDir, waitFor } from '../../collab-server/test/helpers.js';
import { startHubProcess } from './hubProcess.js';

/** A socket to a plane of the hub, with every JSON message it received. */
interface PlaneSocket {
  ws: WebSocket;
  messages: { type: string; [k: string]: unknown }[];
  closed: Promise<{ code: number; reason: string }>;
}

async function open(port: number, path: string, origin = `http://127.0.0.1:${port}`): Promise<PlaneSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { origin } });
  onTestFinished(() => ws.terminate());
  const messages: PlaneSocket['messages'] = [];
  ws.on('message', (data) => {
    const text = String(data as Buffer);
    if (text.startsWith('{')) messages.push(JSON.parse(text) as PlaneSocket['messages'][number]);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, closed };
}

/** Status of a refused upgrade, or 101 when it was accepted. */
function upgradeStatus(port: number, path: string, origin: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { origin } });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.terminate();
    });
    ws.once('error', () => undefined);
  });
}

async function hubWithRoom(kind: 'pairing' | 'class') {
  const hub = await startHubProcess(tempDir());
  const owner = await signUp(hub.url, 'olga@example.com', 'Olga');
  const ws = (await call(hub.url, 'POST', '/api/workspaces', { cookie: owner.cookie, body: { name: 'Team' } })).body.workspace.id as string;
  const room = (await call(hub.url, 'POST', `/api/workspaces/${ws}/rooms`, { cookie: owner.cookie, body: { name: 'R', kind } })).body;
  const invite = (await call(hub.url, 'POST', `/api/rooms/${room.room.id}/invites`, { token: room.token, body: { expiresInSeconds: 600, maxUses: 10, allowGuests: true } })).body;
  const guest = async (name: string) => (await call(hub.url, 'POST', `/api/invites/${invite.secret}/accept`, { body: { displayName: name } })).body as { sub: string; token: string; role: string };
  return { hub, roomId: room.room.id as string, hostToken: room.token as string, guest };
}

async function ptyJoin(port: number, roomId: string, token: string): Promise<PlaneSocket> {
  const s = await open(port, `/pty?room=${roomId}`);
  s.ws.send(JSON.stringify({ type: 'hello', protocolVersion: PTY_PROTOCOL_VERSION, token, roomId }));
  await waitFor(() => s.messages.some((m) => m.type === 'welcome'), 10_000, 'welcome');
  return s;
}

/** The host joins /pty and creates a terminal. */
async function hostTerminal(port: number, roomId: string, token: string): Promise<{ host: PlaneSocket; terminalId: string }> {
  const host = await ptyJoin(port, roomId, token);
  host.ws.send(JSON.stringify({ type: 'create' }));
  await waitFor(() => host.messages.some((m) => m.type === 'snapshot'), 10_000, 'snapshot');
  return { host, terminalId: host.messages.find((m) => m.type === 'snapshot')!.terminalId as string };
}

describe('access across the planes (hub)', () => {
  it('SEC12 every WebSocket plane (/collab, /pty, /media) refuses a foreign Origin with 403 and accepts its own', async () => {
    const hub = await startHubProcess(tempDir());
    for (const path of ['/collab', '/pty', '/media']) {
      expect(await upgradeStatus(hub.port, path, 'https://evil.example'), path).toBe(403);
      expect(await upgradeStatus(hub.port, path, 'null'), path).toBe(403);
      expect(await upgradeStatus(hub.port, path, `http://127.0.0.1:${hub.port}`), path).toBe(101);
    }
  });

  it('PART6 pairing editors drive the host terminal; a removed participant loses documents, terminals and the call at once', async () => {
    const { hub, roomId, hostToken, guest } = await hubWithRoom('pairing');
    const gus = await guest('Gus');
    expect(gus.role).toBe('editor');
    const { host, terminalId } = await hostTerminal(hub.port, roomId, hostToken);

    const term = await ptyJoin(hub.port, roomId, gus.token);
    term.ws.send(JSON.stringify({ type: 'open', terminalId }));
    await waitFor(() => term.messages.some((m) => m.type === 'snapshot'), 10_000, 'guest snapshot');
    term.ws.send(JSON.stringify({ type: 'input', terminalId, data: 'echo pair$((6*7))\r' }));
    await waitFor(() => host.messages.some((m) => m.type === 'output' && String(m.data).includes('pair42')), 10_000, 'the editor input to run');
    expect(term.messages.filter((m) => m.type === 'error')).toEqual([]);

    const call_ = await open(hub.port, '/media');
    call_.ws.send(JSON.stringify({ type: 'hello', id: 1, protocolVersion: MEDIA_PROTOCOL_VERSION, token: gus.token, roomId }));
    await waitFor(() => call_.messages.some((m) => m.type === 'result' && m.id === 1), 10_000, 'media hello result');

    await createFile(hub.url, roomId, 'a.md', hostToken);
    const doc = connect(hub.wsUrl, formatDocName({ roomId, kind: 'file', path: 'a.md' }), gus.token);
    await doc.synced;
    const docClosed = new Promise<number>((resolve) => doc.socket.on('close', ({ event }: { event: { code: number } }) => resolve(event.code)));

    const removed = await call(hub.url, 'POST', `/api/rooms/${roomId}/participants/${encodeURIComponent(gus.sub)}/remove`, { token: hostToken, body: {} });
    expect(removed.status).toBe(200);
    expect(await term.closed).toEqual({ code: 4403, reason: 'FORBIDDEN: removed from the room' });
    expect(await call_.closed).toEqual({ code: 4403, reason: 'FORBIDDEN: removed from the room' });
    expect(await docClosed).toBe(4403);
    // The host's own sockets stay.
    expect(host.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('PART7 a role change closes the person\'s terminal socket with 4401; reconnecting with the refreshed token takes up the new role', async () => {
    const { hub, roomId, hostToken, guest } = await hubWithRoom('class');
    const vera = await guest('Vera');
    const { terminalId } = await hostTerminal(hub.port, roomId, hostToken);
    const before = await ptyJoin(hub.port, roomId, vera.token);
    expect(before.messages.find((m) => m.type === 'welcome')).toMatchObject({ you: { role: 'viewer' } });
    await call(hub.url, 'POST', `/api/rooms/${roomId}/participants/${encodeURIComponent(vera.sub)}/role`, { token: hostToken, body: { role: 'host' } });
    expect(await before.closed).toEqual({ code: 4401, reason: 'role changed, refresh the token' });
    const refreshed = (await call(hub.url, 'POST', `/api/rooms/${roomId}/token`, { token: vera.token })).body.token as string;
    const after = await ptyJoin(hub.port, roomId, refreshed);
    expect(after.messages.find((m) => m.type === 'welcome')).toMatchObject({ you: { role: 'host' } });
    after.ws.send(JSON.stringify({ type: 'open', terminalId }));
    after.ws.send(JSON.stringify({ type: 'input', terminalId, data: 'echo host$((2*21))\r' }));
    await waitFor(() => after.messages.some((m) => m.type === 'output' && String(m.data).includes('host42')), 10_000, 'the new host to type');
  });

  it('AUDIT4 terminal control grants are audited with the room and workspace; class viewers cannot type until granted', async () => {
    const { hub, roomId, hostToken, guest } = await hubWithRoom('class');
    const vera = await guest('Vera');
    expect(vera.role).toBe('viewer');
    const { host, terminalId } = await hostTerminal(hub.port, roomId, hostToken);
    const v = await ptyJoin(hub.port, roomId, vera.token);
    v.ws.send(JSON.stringify({ type: 'input', terminalId, data: 'echo no\r' }));
    await waitFor(() => v.messages.some((m) => m.type === 'error' && m.code === 'FORBIDDEN'), 10_000, 'viewer input refused');
    host.ws.send(JSON.stringify({ type: 'grant', terminalId, sub: vera.sub }));
    await waitFor(() => host.messages.some((m) => m.type === 'terminal' && JSON.stringify(m).includes(vera.sub)), 10_000, 'grant applied');
    const rows = (await call(hub.url, 'GET', `/api/rooms/${roomId}/audit?action=terminal.grant`, { token: hostToken })).body.entries;
    expect(rows).toEqual([expect.objectContaining({ action: 'terminal.grant', roomId, target: terminalId, detail: { to: vera.sub } })]);
    expect(rows[0].workspaceId).toEqual(expect.any(String));
  });
});
