import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { types } from 'mediasoup';
import { createLogger, type MediaServerMessage } from '@coderoom/shared';
import { loadMediaConfig, type MediaConfig } from '../src/config.js';
import { WorkerPool } from '../src/WorkerPool.js';
import { MediaRoom } from '../src/MediaRoom.js';
import type { Participant } from '../src/Participant.js';
import { ROUTER_MEDIA_CODECS } from '../src/codecs.js';
import { cameraRtpParameters, micRtpParameters, randomBasePort } from './harness.js';

const logger = createLogger('silent');
/** Payload type ffmpeg stamps on its VP8 packets. */
const FFMPEG_VP8_PT = 101;
/** SSRC ffmpeg sends with. */
const FFMPEG_SSRC = 22222222;
/** Frames the receiving ffmpeg must decode. */
const FRAMES_TO_DECODE = 20;

async function startPool(env: Record<string, string> = {}): Promise<{ pool: WorkerPool; config: MediaConfig }> {
  const config = loadMediaConfig({ HOME: process.env.HOME, MEDIA_WORKERS: '2', MEDIA_RTC_MIN_PORT: String(randomBasePort()), ...env });
  const pool = await WorkerPool.start(config, logger);
  onTestFinished(() => pool.close());
  return { pool, config };
}

function run(cmd: string, args: string[]): ChildProcess & { done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return Object.assign(child, { done });
}

/** A 30-byte SRTP master key and salt, base64. */
const srtpKey = (): string => randomBytes(30).toString('base64');

/** Starts ffmpeg sending a VP8 test pattern (keyframe every 10 frames) to a comedia PlainTransport. */
function sendTestPattern(transport: types.PlainTransport, srtp?: { suite: string; keyBase64: string }): void {
  const proto = srtp ? 'srtp' : 'rtp';
  const url = `${proto}://127.0.0.1:${transport.tuple.localPort}?rtcpport=${transport.rtcpTuple!.localPort}&pkt_size=1200`;
  run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15',
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '10',
    '-payload_type', String(FFMPEG_VP8_PT), '-ssrc', String(FFMPEG_SSRC),
    ...(srtp ? ['-srtp_out_suite', srtp.suite, '-srtp_out_params', srtp.keyBase64] : []),
    '-f', 'rtp', url,
  ]);
}

/** A producer on `router` fed by ffmpeg over a comedia PlainTransport (rtcpMux off: ffmpeg sends RTCP from another port). */
async function ffmpegProducer(router: types.Router, srtp: boolean): Promise<types.Producer> {
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: true, enableSrtp: srtp });
  const suite = 'AES_CM_128_HMAC_SHA1_80';
  const keyBase64 = srtpKey();
  if (srtp) await transport.connect({ srtpParameters: { cryptoSuite: suite, keyBase64 } });
  const producer = await transport.produce({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: FFMPEG_VP8_PT, clockRate: 90000 }], encodings: [{ ssrc: FFMPEG_SSRC }] },
  });
  sendTestPattern(transport, srtp ? { suite, keyBase64 } : undefined);
  return producer;
}

/**
 * Consumes `producerId` on `router` through a PlainTransport aimed at a second ffmpeg, which
 * must decode FRAMES_TO_DECODE frames (plain RTP, or SRTP with the server's own key).
 */
async function decodeWithFfmpeg(router: types.Router, producerId: string, srtp: boolean): Promise<types.Consumer> {
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: false, enableSrtp: srtp, srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_32' });
  const port = 20000 + 2 * Math.floor(Math.random() * 5000);
  const consumer = await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities });
  const pt = consumer.rtpParameters.codecs[0]!.payloadType;
  const dir = mkdtempSync(join(tmpdir(), 'media-sdp-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const sdp = [
    'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=consumer', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=video ${port} ${srtp ? 'RTP/SAVP' : 'RTP/AVP'} ${pt}`, `a=rtpmap:${pt} VP8/90000`,
    ...(srtp ? [`a=crypto:1 ${transport.srtpParameters!.cryptoSuite} inline:${transport.srtpParameters!.keyBase64}`] : []),
    '',
  ].join('\r\n');
  writeFileSync(join(dir, 'in.sdp'), sdp);
  const receiver = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'file,udp,rtp,srtp,crypto', '-i', join(dir, 'in.sdp'), '-frames:v', String(FRAMES_TO_DECODE), '-f', 'null', '-']);
  await new Promise((r) => setTimeout(r, 500)); // let ffmpeg bind before packets arrive
  await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1, ...(srtp ? { srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_32', keyBase64: srtpKey() } } : {}) });
  await consumer.requestKeyFrame();
  const timeout = setTimeout(() => receiver.kill('SIGKILL'), 30_000);
  const { code, stderr } = await receiver.done;
  clearTimeout(timeout);
  expect(code, `receiving ffmpeg failed: ${stderr}`).toBe(0);
  return consumer;
}

/** A participant link that records what the participant would be sent. */
function recorder(): { messages: MediaServerMessage[]; link: { send(m: MediaServerMessage): void; kick(): void } } {
  const messages: MediaServerMessage[] = [];
  return { messages, link: { send: (m) => messages.push(m), kick: () => undefined } };
}

async function until(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('RTP through real mediasoup workers', () => {
  it('MEDIA9 ffmpeg VP8 over plain RTP reaches a consumer and is decoded by a second ffmpeg', async () => {
    const { pool } = await startPool();
    const router = await pool.createRouter(pool.leastLoaded(), ROUTER_MEDIA_CODECS);
    const producer = await ffmpegProducer(router, false);
    const consumer = await decodeWithFfmpeg(router, producer.id, false);
    const stats = await consumer.getStats();
    expect(stats.find((s) => s.type === 'outbound-rtp')!.packetCount).toBeGreaterThan(0);
  });

  it('MEDIA9 SRTP in (AES_CM_128_HMAC_SHA1_80) and SRTP out (_32) through the patched libsrtp 2 port', async () => {
    const { pool } = await startPool();
    const router = await pool.createRouter(pool.leastLoaded(), ROUTER_MEDIA_CODECS);
    const producer = await ffmpegProducer(router, true);
    await decodeWithFfmpeg(router, producer.id, true);
    const stats = await producer.getStats();
    expect(stats[0]!.packetCount).toBeGreaterThan(0);
  });

  it('MEDIA5 MEDIA9 a producer piped to a router on the second worker is decoded there', async () => {
    const { pool } = await startPool();
    const [w0, w1] = pool.list();
    const r0 = await pool.createRouter(w0!, ROUTER_MEDIA_CODECS);
    const r1 = await pool.createRouter(w1!, ROUTER_MEDIA_CODECS);
    const producer = await ffmpegProducer(r0, false);
    await r0.pipeToRouter({ producerId: producer.id, router: r1 });
    await decodeWithFfmpeg(r1, producer.id, false);
  });

  it('MEDIA5 one router per room, closed when the room empties; a room past MEDIA_CONSUMERS_PER_WORKER spreads to another worker and pipes', async () => {
    const { pool, config } = await startPool({ MEDIA_CONSUMERS_PER_WORKER: '1', MEDIA_P2P: 'off' });
    const emptied: string[] = [];
    const room = new MediaRoom('room_rtp_00001', pool, config, logger, (r) => emptied.push(r.roomId));
    const other = new MediaRoom('room_rtp_00002', pool, config, logger, (r) => emptied.push(r.roomId));
    const a = recorder();
    const alice = await room.admit({ peerId: 'alice', sub: 'alice', name: 'Alice', role: 'editor' }, a.link);
    const dave = await other.admit({ peerId: 'dave', sub: 'dave', name: 'Dave', role: 'editor' }, recorder().link);
    expect(dave.router).not.toBe(alice.router);
    const send = await room.createTransport(alice, 'send');
    await room.produce(alice, send.id, 'audio', 'mic', micRtpParameters(1000) as unknown as types.RtpParameters);
    await room.produce(alice, send.id, 'video', 'camera', cameraRtpParameters(2000) as unknown as types.RtpParameters);

    // Bob would need two consumers: past the threshold of one, so he gets the other worker.
    const b = recorder();
    const bob = await room.admit({ peerId: 'bob', sub: 'bob', name: 'Bob', role: 'editor' }, b.link);
    expect(bob.slot).not.toBe(alice.slot);
    expect(room.routerList()).toHaveLength(2);
    await room.setRtpCapabilities(bob, bob.router.rtpCapabilities);
    await room.createTransport(bob, 'recv');
    const consumers = (): Extract<MediaServerMessage, { type: 'newConsumer' }>[] => b.messages.filter((m): m is Extract<MediaServerMessage, { type: 'newConsumer' }> => m.type === 'newConsumer');
    await until(() => consumers().length === 2, 'two piped consumers');
    expect(consumers().map((m) => m.consumer.source).sort()).toEqual(['camera', 'mic']);

    // Closing a producer closes the piped consumer.
    const micId = [...alice.producers.values()].find((p) => p.appData.source === 'mic')!.id;
    room.closeProducer(alice, micId);
    await until(() => b.messages.some((m) => m.type === 'consumerClosed'), 'consumerClosed');

    const routers = room.routerList();
    room.leave(bob);
    expect(a.messages.some((m) => m.type === 'peerLeft' && m.peerId === 'bob')).toBe(true);
    room.leave(alice as Participant);
    expect(emptied).toEqual(['room_rtp_00001']);
    expect(routers.every((r) => r.closed)).toBe(true);
    other.close();
  });
});
