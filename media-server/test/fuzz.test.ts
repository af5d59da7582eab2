import { describe, expect, it } from 'vitest';
import { MEDIA_MAX_MESSAGE_BYTES } from '@coderoom/shared/client';
import { parseClientMessage } from '../src/parseClientMessage.js';
import { micRtpParameters, startHub } from './harness.js';
import { prng } from '../../shared/test/prng.js';

/** Seed of the fuzz runs: change it to explore, keep it fixed to reproduce. */
const SEED = 0xc0de_4001;
/** Frames the parser is fed. */
const PARSER_CASES = 5000;
/** Frames sent over a live socket. */
const SOCKET_CASES = 400;


const VALID: Record<string, unknown>[] = [
  { type: 'hello', id: 1, protocolVersion: 1, token: 'x.y.z', roomId: 'room_fuzz_0001' },
  { type: 'setRtpCapabilities', id: 2, rtpCapabilities: { codecs: [], headerExtensions: [] } },
  { type: 'createTransport', id: 3, direction: 'send' },
  { type: 'connectTransport', id: 4, transportId: 'abc', dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] } },
  { type: 'produce', id: 5, transportId: 'abc', kind: 'audio', source: 'mic', rtpParameters: micRtpParameters(1) },
  { type: 'setConsumerLayers', id: 6, consumerId: 'c1', spatialLayer: 1 },
  { type: 'signal', id: 7, to: 'p1', data: { type: 'offer', sdp: 'v=0' } },
  { type: 'allowProduce', id: 8, peerId: 'p1', allowed: true },
  { type: 'restartIce', id: 9, transportId: 'abc' },
];

function randomValue(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 2 ? 6 : 9));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return [0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, 0.5, -0][Math.floor(r() * 6)];
    case 3: return ['', 'send', 'audio', 'mic', '__proto__', '\u0000', 'x'.repeat(Math.floor(r() * 300))][Math.floor(r() * 7)];
    case 4: return 'hello';
    case 5: return Math.floor(r() * 100);
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [['type', 'id', 'to', 'data', 'constructor', '__proto__', 'kind'][Math.floor(r() * 7)]!, randomValue(r, depth + 1)]));
  }
}

/** A frame: a valid request mutated (field dropped, replaced, added), or random bytes, or truncated JSON. */
function randomFrame(r: () => number): string {
  const roll = r();
  if (roll < 0.1) return Buffer.from(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256))).toString('latin1');
  const base = structuredClone(VALID[Math.floor(r() * VALID.length)]!);
  const keys = Object.keys(base);
  const mutations = 1 + Math.floor(r() * 3);
  for (let i = 0; i < mutations; i++) {
    const key = keys[Math.floor(r() * keys.length)]!;
    const m = r();
    if (m < 0.3) delete base[key];
    else if (m < 0.8) base[key] = randomValue(r);
    else base[`extra${i}`] = randomValue(r);
  }
  const json = JSON.stringify(base);
  return roll < 0.2 ? json.slice(0, Math.floor(r() * json.length)) : json;
}

describe('message parser fuzz', () => {
  it('MEDIA3 seeded fuzz: the parser never throws and answers every bad frame with BAD_REQUEST', () => {
    const r = prng(SEED);
    let accepted = 0;
    for (let i = 0; i < PARSER_CASES; i++) {
      const frame = randomFrame(r);
      const result = parseClientMessage(Buffer.from(frame), false, MEDIA_MAX_MESSAGE_BYTES);
      if (result.ok) accepted++;
      else expect(['BAD_REQUEST', 'PAYLOAD_TOO_LARGE'], frame).toContain(result.error.code);
    }
    // Some mutations stay valid; most do not.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(PARSER_CASES / 2);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('MEDIA3 seeded fuzz over a live socket: the server stays up and keeps answering', async () => {
    const hub = await startHub();
    const a = await hub.client('alice', 'editor');
    const r = prng(SEED + 1);
    for (let i = 0; i < SOCKET_CASES; i++) {
      const frame = randomFrame(r);
      a.sendRaw(frame);
    }
    // Exactly one answer per frame (MEDIA3), then a normal request still works.
    const answers = (): number => a.messages.filter((m) => m.type === 'result' || m.type === 'error').length - 1; // minus hello's
    await a.until(() => answers() >= SOCKET_CASES, 'an answer to every fuzz frame');
    expect(answers()).toBe(SOCKET_CASES);
    expect(await a.request('setConsumerLayers', { consumerId: 'nope', spatialLayer: 0 }).catch((e: { code: string }) => e.code)).toBe('NOT_FOUND');
    expect(a.closed).toBeNull();
    expect(hub.media.readiness()).toBeNull();
    const b = await hub.client('bob', 'editor');
    expect(b.welcome!.peers.map((p) => p.sub)).toContain('alice');
  });
});
