import { describe, expect, it } from 'vitest';
import { ERRORS, PTY_PROTOCOL_VERSION, type PtyClientMessage } from '@coderoom/shared/client';
import { TokenIssuer } from '@coderoom/shared';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClientMessage } from '../src/parseClientMessage.js';
import { Client, ROOM, startHub, type Hub } from './harness.js';
import { prng } from '../../shared/test/prng.js';

/** Connects without completing the hello. */
async function raw(hub: Hub): Promise<Client> {
  return Client.connect(hub.url, { origin: hub.origin });
}

/** Opens a socket and sends `first` as the first frame; returns how the server closed it. */
async function closeCodeFor(hub: Hub, first: string | Buffer): Promise<{ code: number; reason: string }> {
  const c = await raw(hub);
  c.ws.send(first);
  return c.waitClosed();
}

/** The rest of the room still works: a fresh client gets a welcome listing the terminal, and its shell still runs. */
async function stillServing(hub: Hub, terminalId: string): Promise<void> {
  const c = await hub.client(`check${Math.random()}`, 'host');
  expect(c.messages[0]).toMatchObject({ type: 'welcome' });
  c.send({ type: 'open', terminalId });
  await c.next('snapshot');
  await c.run(terminalId, 'echo alive', 'alive');
}


const VALID: PtyClientMessage[] = [
  { type: 'create', cols: 80, rows: 24 },
  { type: 'open', terminalId: 'tAAAAAAAA', lastSeq: 3 },
  { type: 'input', terminalId: 'tAAAAAAAA', data: 'ls\r' },
  { type: 'resize', terminalId: 'tAAAAAAAA', cols: 100, rows: 30 },
  { type: 'grant', terminalId: 'tAAAAAAAA', sub: 'u1' },
  { type: 'lowerHand', terminalId: 'tAAAAAAAA' },
  { type: 'recordStart', terminalId: 'tAAAAAAAA' },
  { type: 'hello', protocolVersion: 1, token: 'x', roomId: ROOM, resume: { terminalId: 'tAAAAAAAA', lastSeq: 0 } },
];

function mutate(rand: () => number, s: string): string {
  const ops = Math.floor(rand() * 4) + 1;
  let out = s;
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(rand() * (out.length + 1));
    const r = rand();
    if (r < 0.3) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rand() * 5));
    else if (r < 0.6) out = out.slice(0, at) + String.fromCharCode(Math.floor(rand() * 0x3000)) + out.slice(at);
    else if (r < 0.8) out = out.slice(0, at) + ['{', '}', '"', ':', ',', '[', ']', 'null', '1e999', '-1', '"type"', '"__proto__"'][Math.floor(rand() * 12)] + out.slice(at);
    else out = out.replace(/"[a-zA-Z]+"/, `"${Math.random() < 0.5 ? 'constructor' : 'data'}"`);
  }
  return out;
}

describe('bad input', () => {
  it('PTY1: wrong protocol version closes with PROTOCOL_MISMATCH; a bad hello with BAD_REQUEST; bad tokens with UNAUTHORIZED; another room’s token with FORBIDDEN', async () => {
    const hub = await startHub();
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    const token = await hub.token('u1', 'editor');
    const mismatch = await closeCodeFor(hub, JSON.stringify({ type: 'hello', protocolVersion: PTY_PROTOCOL_VERSION + 1, token, roomId: ROOM }));
    expect(mismatch.code).toBe(ERRORS.PROTOCOL_MISMATCH.closeCode);
    expect(mismatch.reason).toContain('protocol version mismatch');
    expect((await closeCodeFor(hub, '{not json')).code).toBe(ERRORS.BAD_REQUEST.closeCode);
    expect((await closeCodeFor(hub, JSON.stringify({ type: 'create' }))).code).toBe(ERRORS.BAD_REQUEST.closeCode);
    const hello = (t: string, roomId = ROOM) => JSON.stringify({ type: 'hello', protocolVersion: PTY_PROTOCOL_VERSION, token: t, roomId });
    expect((await closeCodeFor(hub, hello('garbage.token.here'))).code).toBe(ERRORS.UNAUTHORIZED.closeCode);
    const expired = await hub.token('u1', 'editor', ROOM, -60);
    expect((await closeCodeFor(hub, hello(expired))).code).toBe(ERRORS.UNAUTHORIZED.closeCode);
    const otherDir = mkdtempSync(join(tmpdir(), 'pty-forger-'));
    try {
      const forger = await TokenIssuer.open(otherDir);
      const forged = await forger.sign({ sub: 'evil', name: 'evil', room: ROOM, role: 'host' });
      expect((await closeCodeFor(hub, hello(forged))).code).toBe(ERRORS.UNAUTHORIZED.closeCode);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
    const otherRoom = await hub.token('u1', 'host', 'another_room_01');
    const wrongRoom = await closeCodeFor(hub, hello(otherRoom));
    expect(wrongRoom).toEqual({ code: ERRORS.FORBIDDEN.closeCode, reason: 'token is for another room' });
    const inOtherRoom = await raw(hub);
    expect((await inOtherRoom.hello(otherRoom, 'another_room_01')).terminals).toEqual([]);
    expect(hub.audit.filter((e) => e.actor !== 'host1')).toEqual([expect.objectContaining({ action: 'terminal.join', roomId: 'another_room_01' })]);
    await stillServing(hub, id);
  });

  it('PTY2: a missing or foreign Origin is refused with 403 before the upgrade; PTY_ALLOWED_ORIGINS admits listed ones', async () => {
    const hub = await startHub({ PTY_ALLOWED_ORIGINS: 'https://app.example.com' });
    await expect(Client.connect(hub.url)).rejects.toMatchObject({ statusCode: 403 });
    await expect(Client.connect(hub.url, { origin: 'https://evil.example.com' })).rejects.toMatchObject({ statusCode: 403 });
    await expect(Client.connect(hub.url, { origin: 'not a url' })).rejects.toMatchObject({ statusCode: 403 });
    const ok = await Client.connect(hub.url, { origin: 'https://app.example.com' });
    await ok.hello(await hub.token('u1', 'viewer'));
  });

  it('PTY3: malformed JSON, unknown types, invalid fields and oversized frames get an error and change nothing; huge frames close with 1009', async () => {
    const hub = await startHub({ PTY_MAX_MESSAGE_BYTES: '4096' });
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    const cases: [string | Buffer, string][] = [
      ['{oops', 'malformed JSON'],
      ['[1,2]', 'a message must be a JSON object'],
      [JSON.stringify({ type: 'explode' }), 'unknown message type'],
      [JSON.stringify({ type: 'input', terminalId: id }), 'invalid input message: data'],
      [JSON.stringify({ type: 'resize', terminalId: id, cols: 99999, rows: 5 }), 'invalid resize message: cols'],
      [JSON.stringify({ type: 'input', terminalId: id, data: 'x'.repeat(5000) }), 'PTY_MAX_MESSAGE_BYTES'],
      [Buffer.from([1, 2, 3]), 'binary frames'],
      [JSON.stringify({ type: 'open', terminalId: 'tNOSUCHTERM' }), 'no such terminal'],
      [JSON.stringify({ type: 'hello', protocolVersion: 1, token: 'x', roomId: ROOM }), 'already'],
    ];
    for (const [frame, message] of cases) {
      const from = host.messages.length;
      host.ws.send(frame, { binary: Buffer.isBuffer(frame) });
      const err = await host.next('error', () => true, from);
      expect(err.message).toContain(message);
    }
    expect(host.closed).toBeNull();
    const big = await hub.client('big', 'host');
    big.ws.send('x'.repeat(4096 * 5));
    expect((await big.waitClosed()).code).toBe(1009);
    await stillServing(hub, id);
    expect(hub.audit.filter((e) => e.action === 'terminal.input').every((e) => e.actor.startsWith('check'))).toBe(true);
  });

  it('PTY3: seeded fuzz of the message parser never throws and accepts only schema-valid messages', () => {
    const rand = prng(20240611);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const base = JSON.stringify(VALID[Math.floor(rand() * VALID.length)]);
      const frame = rand() < 0.1 ? Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256))) : mutate(rand, base);
      const r = parseClientMessage(frame, false, 4096);
      if (r.ok) {
        accepted++;
        expect(typeof r.msg.type).toBe('string');
      } else {
        expect(r.error.code === 'BAD_REQUEST' || r.error.code === 'PAYLOAD_TOO_LARGE').toBe(true);
      }
    }
    for (const v of VALID) expect(parseClientMessage(JSON.stringify(v), false, 4096).ok).toBe(true);
    expect(accepted).toBeGreaterThan(0);
  });

  it('PTY3: a burst of fuzzed frames over a live socket leaves the server serving and the shell untouched', async () => {
    const hub = await startHub();
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    const viewer = await hub.client('fuzzer', 'viewer');
    const rand = prng(7);
    for (let i = 0; i < 500; i++) {
      const base = JSON.stringify({ ...VALID[Math.floor(rand() * VALID.length)], terminalId: id });
      viewer.ws.send(mutate(rand, base));
    }
    await viewer.until(() => viewer.messages.filter((m) => m.type === 'error').length >= 400, 'errors');
    expect(viewer.closed).toBeNull();
    expect(hub.audit.some((e) => e.action === 'terminal.input' && e.actor === 'fuzzer')).toBe(false);
    await stillServing(hub, id);
  });

  it('PTY17: close() is idempotent, closes sockets with UNAVAILABLE and kills shells', async () => {
    const hub = await startHub();
    const host = await hub.client('host1', 'host');
    await host.createTerminal();
    await Promise.all([hub.gateway.close(), hub.gateway.close()]);
    expect((await host.waitClosed()).code).toBe(ERRORS.UNAVAILABLE.closeCode);
    await expect(Client.connect(hub.url, { origin: hub.origin })).rejects.toMatchObject({ statusCode: 503 });
    await hub.gateway.close();
  });
});

