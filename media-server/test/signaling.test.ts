import { describe, expect, it } from 'vitest';
import { ERRORS, MEDIA_PROTOCOL_VERSION } from '@coderoom/shared/client';
import { Client, ROOM, cameraRtpParameters, micRtpParameters, startHub } from './harness.js';

describe('media signaling', () => {
  it('MEDIA1 refuses an upgrade from a foreign Origin', async () => {
    const hub = await startHub();
    await expect(Client.connect(hub.url, { origin: 'http://evil.example' })).rejects.toMatchObject({ statusCode: 403 });
  });

  it('MEDIA2 hello: welcome with router capabilities; wrong version, bad token, wrong room and a non-hello first request close with typed codes', async () => {
    const hub = await startHub();
    const a = await hub.client('alice', 'host');
    expect(a.welcome!.you).toMatchObject({ sub: 'alice', role: 'host', canProduce: true });
    const codecs = (a.welcome!.routerRtpCapabilities.codecs as { mimeType: string }[]).map((c) => c.mimeType);
    expect(codecs).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8']));
    expect(hub.audit.map((e) => e.action)).toContain('call.join');

    const v = await Client.connect(hub.url, { origin: hub.origin });
    expect(await v.ask('hello', { protocolVersion: MEDIA_PROTOCOL_VERSION + 1, token: await hub.token('bob', 'editor'), roomId: ROOM })).toMatchObject({ error: { code: 'PROTOCOL_MISMATCH' } });
    expect((await v.waitClosed()).code).toBe(ERRORS.PROTOCOL_MISMATCH.closeCode);

    const t = await Client.connect(hub.url, { origin: hub.origin });
    expect(await t.ask('hello', { protocolVersion: MEDIA_PROTOCOL_VERSION, token: 'not-a-token', roomId: ROOM })).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect((await t.waitClosed()).code).toBe(ERRORS.UNAUTHORIZED.closeCode);

    const w = await Client.connect(hub.url, { origin: hub.origin });
    expect(await w.ask('hello', { protocolVersion: MEDIA_PROTOCOL_VERSION, token: await hub.token('bob', 'editor', 'room_other_0001'), roomId: ROOM })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await w.waitClosed()).code).toBe(ERRORS.FORBIDDEN.closeCode);

    const n = await Client.connect(hub.url, { origin: hub.origin });
    expect(await n.ask('createTransport', { direction: 'send' })).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect((await n.waitClosed()).code).toBe(ERRORS.UNAUTHORIZED.closeCode);
  });

  it('MEDIA2 a token that expires during the call closes the socket unless refreshed', async () => {
    const hub = await startHub();
    const c = await Client.connect(hub.url, { origin: hub.origin });
    await c.request('hello', { protocolVersion: MEDIA_PROTOCOL_VERSION, token: await hub.token('carol', 'editor', ROOM, 2), roomId: ROOM });
    expect(await c.waitClosed()).toMatchObject({ code: ERRORS.UNAUTHORIZED.closeCode, reason: 'token expired' });
  });

  it('MEDIA3 malformed requests get typed errors and the socket carries on', async () => {
    const hub = await startHub();
    const a = await hub.client('alice', 'editor');
    const errorsBefore = a.messages.filter((m) => m.type === 'error').length;
    a.sendRaw('{not json');
    a.sendRaw(JSON.stringify({ type: 'teleport', id: 5 }));
    a.sendRaw(JSON.stringify({ type: 'createTransport', id: 6, direction: 'sideways' }));
    a.sendRaw(JSON.stringify([1, 2, 3]));
    a.sendRaw(Buffer.from([0xff, 0x00]));
    a.sendRaw(JSON.stringify({ type: 'signal', id: 7, to: 'x', data: 'y'.repeat(70 * 1024) }));
    await a.until(() => a.messages.filter((m) => m.type === 'error').length >= errorsBefore + 6, 'six errors');
    const errors = a.messages.filter((m) => m.type === 'error').slice(errorsBefore);
    expect(errors.map((e) => e.code)).toEqual(['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST', 'PAYLOAD_TOO_LARGE']);
    expect(errors.map((e) => e.id)).toEqual([null, 5, 6, null, null, null]);
    // Still in the call, still answering.
    expect(await a.request('createTransport', { direction: 'recv' })).toHaveProperty('id');
    expect(a.closed).toBeNull();
  });

  it('MEDIA4 out-of-order requests get typed errors and change nothing', async () => {
    const hub = await startHub();
    const a = await hub.client('alice', 'editor');
    expect(await a.ask('hello', { protocolVersion: MEDIA_PROTOCOL_VERSION, token: await hub.token('alice', 'editor'), roomId: ROOM })).toMatchObject({ error: { code: 'CONFLICT' } });
    expect(await a.ask('connectTransport', { transportId: 'nope', dtlsParameters: { role: 'client', fingerprints: [] } })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await a.ask('produce', { transportId: 'nope', kind: 'audio', source: 'mic', rtpParameters: micRtpParameters(1) })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await a.ask('resumeConsumer', { consumerId: 'nope' })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const recv = await a.request('createTransport', { direction: 'recv' });
    expect(await a.ask('createTransport', { direction: 'recv' })).toMatchObject({ error: { code: 'CONFLICT' } });
    expect(await a.ask('produce', { transportId: recv.id, kind: 'audio', source: 'mic', rtpParameters: micRtpParameters(1) })).toMatchObject({ error: { code: 'CONFLICT' } });
    await a.request('setRtpCapabilities', { rtpCapabilities: a.welcome!.routerRtpCapabilities });
    expect(await a.ask('setRtpCapabilities', { rtpCapabilities: a.welcome!.routerRtpCapabilities })).toMatchObject({ error: { code: 'CONFLICT' } });
    const send = await a.request('createTransport', { direction: 'send' });
    expect(await a.ask('produce', { transportId: send.id, kind: 'audio', source: 'camera', rtpParameters: micRtpParameters(1) })).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(await a.ask('produce', { transportId: send.id, kind: 'audio', source: 'mic', rtpParameters: { codecs: 'garbage' } })).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(await a.request('produce', { transportId: send.id, kind: 'audio', source: 'mic', rtpParameters: micRtpParameters(1111) })).toHaveProperty('producerId');
    expect(await a.ask('signal', { to: 'someone', data: {} })).toMatchObject({ error: { code: 'CONFLICT' } });
  });

  it('MEDIA7 a viewer may consume but not produce until a host allows it', async () => {
    const hub = await startHub({ MEDIA_P2P: 'off' });
    const host = await hub.client('hana', 'host');
    const viewer = await hub.client('vic', 'viewer');
    expect(viewer.welcome!.you.canProduce).toBe(false);
    expect(await viewer.ask('createTransport', { direction: 'send' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const recv = await viewer.request('createTransport', { direction: 'recv' });
    expect(await viewer.ask('produce', { transportId: recv.id, kind: 'audio', source: 'mic', rtpParameters: micRtpParameters(5) })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    await viewer.request('setRtpCapabilities', { rtpCapabilities: viewer.welcome!.routerRtpCapabilities });
    // The host's camera reaches the viewer as a paused consumer (MEDIA8).
    const send = await host.request('createTransport', { direction: 'send' });
    await host.request('produce', { transportId: send.id, kind: 'video', source: 'camera', rtpParameters: cameraRtpParameters(2000) });
    const nc = await viewer.next('newConsumer');
    expect(nc.consumer).toMatchObject({ peerId: host.welcome!.you.peerId, kind: 'video', source: 'camera' });
    await viewer.request('resumeConsumer', { consumerId: nc.consumer.consumerId });
    await viewer.request('setConsumerLayers', { consumerId: nc.consumer.consumerId, spatialLayer: 0 });
    // An editor cannot grant; a host can.
    expect(await viewer.ask('allowProduce', { peerId: viewer.welcome!.you.peerId, allowed: true })).toMatchObject({ error: { code: 'FORBIDDEN' } });
    await host.request('allowProduce', { peerId: viewer.welcome!.you.peerId, allowed: true });
    await viewer.next('peerUpdated', (m) => m.peer.canProduce);
    const vsend = await viewer.request('createTransport', { direction: 'send' });
    await viewer.request('produce', { transportId: vsend.id, kind: 'audio', source: 'mic', rtpParameters: micRtpParameters(77) });
    expect(hub.audit.map((e) => e.action)).toContain('call.allowProduce');
    await host.request('allowProduce', { peerId: viewer.welcome!.you.peerId, allowed: false });
    await viewer.next('peerUpdated', (m) => !m.peer.canProduce);
    expect(await viewer.ask('createTransport', { direction: 'send' })).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('MEDIA10 two people go peer-to-peer, a third moves everyone to the SFU, and back at two', async () => {
    const hub = await startHub();
    const a = await hub.client('alice', 'editor');
    await a.next('mode', (m) => m.mode === 'sfu');
    const b = await hub.client('bob', 'editor');
    const ma = await a.next('mode', (m) => m.mode === 'p2p');
    const mb = await b.next('mode', (m) => m.mode === 'p2p');
    expect(ma.peerId).toBe(b.welcome!.you.peerId);
    expect(mb.peerId).toBe(a.welcome!.you.peerId);
    expect(ma.initiator).not.toBe(mb.initiator);
    await a.request('signal', { to: b.welcome!.you.peerId, data: { type: 'offer', sdp: 'v=0' } });
    expect((await b.next('signal')).data).toEqual({ type: 'offer', sdp: 'v=0' });

    const from = a.messages.length;
    const c = await hub.client('carol', 'editor');
    await a.next('mode', (m) => m.mode === 'sfu', from);
    await c.next('mode', (m) => m.mode === 'sfu');
    expect(await a.ask('signal', { to: b.welcome!.you.peerId, data: {} })).toMatchObject({ error: { code: 'CONFLICT' } });

    const from2 = a.messages.length;
    c.ws.close();
    await a.next('peerLeft', (m) => m.peerId === c.welcome!.you.peerId, from2);
    await a.next('mode', (m) => m.mode === 'p2p', from2);
  });

  it('MEDIA10 a viewer in a two-person call, or MEDIA_P2P=off, keeps the SFU', async () => {
    const hub = await startHub();
    await hub.client('hana', 'host');
    const v = await hub.client('vic', 'viewer');
    expect((await v.next('mode')).mode).toBe('sfu');
    const off = await startHub({ MEDIA_P2P: 'off' });
    await off.client('a1', 'editor');
    const b = await off.client('b1', 'editor');
    expect((await b.next('mode')).mode).toBe('sfu');
  });

  it('MEDIA11 restartIce returns fresh ICE credentials for the transport', async () => {
    const hub = await startHub();
    const a = await hub.client('alice', 'editor');
    const t = await a.request('createTransport', { direction: 'send' });
    expect(t.iceCandidates.length).toBeGreaterThanOrEqual(2); // UDP and TCP on the WebRtcServer (MEDIA6)
    const ports = new Set(t.iceCandidates.map((c) => c.port));
    expect(ports.size).toBe(1);
    expect([...ports][0]).toBeGreaterThanOrEqual(hub.config.rtcBasePort);
    const { iceParameters } = await a.request('restartIce', { transportId: t.id });
    expect(iceParameters.usernameFragment).not.toBe(t.iceParameters.usernameFragment);
  });

  it('MEDIA13 a dead worker is reported, replaced, and its participants told to reconnect', async () => {
    const hub = await startHub();
    expect(hub.media.readiness()).toBeNull();
    const before = hub.media.workers();
    expect(before).toHaveLength(2);
    const a = await hub.client('alice', 'editor');
    // Kill every worker so the one hosting alice's router is among them.
    for (const w of before) process.kill(w.pid, 'SIGKILL');
    expect((await a.waitClosed()).code).toBe(ERRORS.UNAVAILABLE.closeCode);
    expect(hub.media.readiness()).toMatch(/workers down/);
    const deadline = Date.now() + 15_000;
    while (hub.media.readiness() !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(hub.media.readiness()).toBeNull();
    const after = hub.media.workers();
    expect(after.every((w) => w.alive)).toBe(true);
    expect(after.map((w) => w.pid)).not.toEqual(before.map((w) => w.pid));
    // The call works again.
    const b = await hub.client('bob', 'editor');
    expect(await b.request('createTransport', { direction: 'recv' })).toHaveProperty('id');
  });

  it('MEDIA14 close() is idempotent and closes sockets with 4503', async () => {
    const hub = await startHub();
    const a = await hub.client('alice', 'editor');
    await Promise.all([hub.media.close(), hub.media.close()]);
    expect((await a.waitClosed()).code).toBe(ERRORS.UNAVAILABLE.closeCode);
    expect(hub.media.readiness()).not.toBeNull();
  });
});
