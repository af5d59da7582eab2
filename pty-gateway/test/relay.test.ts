import { describe, expect, it } from 'vitest';
import { ERRORS, PTY_CLOSE_REASONS, PTY_PROTOCOL_VERSION } from '@coderoom/shared/client';
import { RELAY_HEADER } from '../src/PtyRelay.js';
import { Client, ROOM, startHub, type Hub } from './harness.js';

/** Node A runs the room's terminals; node B (same signing key) relays the room's sockets to A. */
async function twoNodes(env: Record<string, string> = {}): Promise<{ a: Hub; b: Hub }> {
  const a = await startHub(env);
  const b = await startHub(env, {}, { sharesKeyWith: a, admitRoom: async () => a.origin });
  return { a, b };
}

/** Connects to `hub` and completes the hello with a token for `sub`. */
async function clientOf(hub: Hub, signer: Hub, sub: string, role: 'host' | 'viewer'): Promise<Client> {
  const c = await Client.connect(`${hub.url}?room=${ROOM}`, { origin: hub.origin });
  await c.hello(await signer.token(sub, role));
  return c;
}

describe('PTY18: relaying a room another node serves', () => {
  it('PTY18: a viewer through the relay that stops reading gets a snapshot when it resumes (backpressure reaches the owner)', async () => {
    const { a, b } = await twoNodes({ PTY_RING_BYTES: '262144', PTY_VIEWER_QUEUE_BYTES: '65536' });
    const host = await clientOf(a, a, 'host1', 'host');
    const id = await host.createTerminal();
    const slow = await clientOf(b, a, 'slow', 'viewer');
    slow.send({ type: 'open', terminalId: id });
    await slow.next('snapshot');
    const paused = slow.ws as unknown as { _socket: { pause(): void; resume(): void } };
    paused._socket.pause();

    // ~16 MB of output while `slow` reads nothing: B stops reading A, so A's queue rules apply.
    await host.run(id, 'seq 1 2000000', 'bulk', 120_000);
    const before = slow.messages.length;
    paused._socket.resume();
    await slow.until(() => slow.messages.slice(before).some((m) => m.type === 'snapshot'), 'a fresh snapshot', 60_000);
    await host.run(id, 'echo after', 'after');
    await slow.waitOutput(id, 'after-42');
    expect(a.audit.some((e) => e.action === 'terminal.join' && e.actor === 'slow')).toBe(true);
    expect(b.audit).toEqual([]);
  }, 180_000);

  it('PTY18: a hop from another node is never relayed again (4421), and closing the client closes the hop', async () => {
    const { a, b } = await twoNodes();
    const hop = await Client.connect(b.url, { origin: b.origin, [RELAY_HEADER]: '1' });
    hop.send({ type: 'hello', protocolVersion: PTY_PROTOCOL_VERSION, token: await a.token('v', 'viewer'), roomId: ROOM });
    expect(await hop.waitClosed()).toEqual({ code: ERRORS.WRONG_NODE.closeCode, reason: PTY_CLOSE_REASONS.WRONG_NODE });

    // A viewer through B raises a hand on A; when it closes its socket to B, B closes the hop and A lowers the hand.
    const host = await clientOf(a, a, 'host1', 'host');
    const id = await host.createTerminal();
    const viewer = await clientOf(b, a, 'v', 'viewer');
    viewer.send({ type: 'raiseHand', terminalId: id });
    const hands = (): string[][] => host.messages.flatMap((m) => (m.type === 'terminal' && m.terminal.id === id ? [m.terminal.hands.map((h) => h.sub)] : []));
    await host.until(() => hands().at(-1)?.includes('v') === true, 'the hand raised through B');
    viewer.ws.close(1000, 'bye');
    await host.until(() => hands().at(-1)?.length === 0, 'the hand lowered once B closed its hop');
  });
});
