// Media benchmark: one mediasoup worker (its own process) forwarding a synthetic VP8 stream, sent
// by ffmpeg (its own process) into a PlainTransport, to N consumers on PlainTransports that all
// send to one UDP sink (its own process). For each N: the worker's CPU (% of one core, from
// /proc/<pid>/stat) and packets/s forwarded (counted at the sink).
// Usage alone: node bench/media/run.mjs [--full] [--out FILE]
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { loadMediaConfig } from '@coderoom/media-server';
import { r2, sampleProcess } from '../lib/proc.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const FULL = process.argv.includes('--full');
const outIdx = process.argv.indexOf('--out');
const OUT = outIdx > 0 ? process.argv[outIdx + 1] : null;
/** Consumer counts tried, and seconds measured at each. */
const STEPS = FULL ? [100, 200, 300, 400, 500, 600, 800, 1000] : [50, 150, 300, 500];
const MEASURE_SECONDS = FULL ? 10 : 3;
/** The goal: worker CPU at most this % of one core. */
const CPU_GOAL_PERCENT = 70;
/** Payload type and SSRC of the ffmpeg stream. */
const PT = 101;
const SSRC = 22222222;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const config = loadMediaConfig({ HOME: process.env.HOME, MEDIA_WORKERS: '1' });
if (config.workerBin) process.env.MEDIASOUP_WORKER_BIN = config.workerBin;
const mediasoup = await import('mediasoup');

// A 10 s VP8 clip encoded once, then streamed in a loop with -c copy, so ffmpeg costs almost no CPU.
const dir = mkdtempSync(join(tmpdir(), 'bench-media-'));
const clip = join(dir, 'clip.webm');
execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30', '-t', '10', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1500k', '-minrate', '1500k', '-maxrate', '1500k', '-g', '30', clip]);

const worker = await mediasoup.createWorker({ logLevel: 'error', disableLiburing: true });
const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
const ingest = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
const producer = await ingest.produce({ kind: 'video', rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000 }], encodings: [{ ssrc: SSRC }] } });
const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-c:v', 'copy', '-payload_type', String(PT), '-ssrc', String(SSRC), '-f', 'rtp', `rtp://127.0.0.1:${ingest.tuple.localPort}?rtcpport=${ingest.rtcpTuple.localPort}&pkt_size=1200`], { stdio: ['ignore', 'ignore', 'inherit'] });

const sink = fork(join(here, 'sink.mjs'), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
const sinkPort = await new Promise((resolve) => createInterface({ input: sink.stdout }).once('line', (l) => resolve(JSON.parse(l).port)));
const sinkCount = () => new Promise((resolve) => (sink.once('message', (m) => resolve(m.packets)), sink.send({ cmd: 'count' })));

/** Packets the worker has sent on all consumers so far (its own count, independent of losses at the sink). */
async function consumerPackets() {
  const all = await Promise.all(consumers.map((c) => c.getStats()));
  return all.flat().reduce((n, x) => n + (x.type === 'outbound-rtp' ? (x.packetCount ?? 0) : 0), 0);
}

async function producerPackets() {
  const s = await producer.getStats();
  return s.reduce((n, x) => n + (x.packetCount ?? 0), 0);
}

const consumers = [];
async function addConsumers(n) {
  while (consumers.length < n) {
    const t = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
    await t.connect({ ip: '127.0.0.1', port: sinkPort });
    consumers.push(await t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities }));
  }
}

await sleep(1500);
const steps = [];
for (const n of STEPS) {
  await addConsumers(n);
  await sleep(1000);
  const in0 = await producerPackets();
  const out0 = await sinkCount();
  const sent0 = await consumerPackets();
  const s = sampleProcess(worker.pid);
  await sleep(MEASURE_SECONDS * 1000);
  const { cpuPercent, rssMiB, seconds } = s.stop();
  const inPps = ((await producerPackets()) - in0) / seconds;
  const outPps = ((await sinkCount()) - out0) / seconds;
  const sentPps = ((await consumerPackets()) - sent0) / seconds;
  steps.push({ consumers: n, workerCpuPercent: r2(cpuPercent), workerRssMiB: r2(rssMiB), packetsInPerSecond: r2(inPps), packetsForwardedPerSecond: r2(sentPps), packetsAtSinkPerSecond: r2(outPps) });
  console.error(`bench media: ${n} consumers: worker ${cpuPercent.toFixed(1)} % CPU, ${Math.round(sentPps)} packets/s out, ${Math.round(outPps)} at the sink (${Math.round(inPps)} in)`);
  if (cpuPercent > 95) break;
}

// Consumers at the goal: the largest measured step within it, and a linear estimate from CPU per consumer.
const within = steps.filter((s) => s.workerCpuPercent <= CPU_GOAL_PERCENT);
const last = steps.at(-1);
const base = steps[0];
const slope = last.consumers > base.consumers ? (last.workerCpuPercent - base.workerCpuPercent) / (last.consumers - base.consumers) : null;
const estimate = slope && slope > 0 ? Math.floor(base.consumers + (CPU_GOAL_PERCENT - base.workerCpuPercent) / slope) : null;
const result = {
  stream: 'VP8 640x360 30 fps 1.5 Mbit/s (CBR), 1200-byte packets (ffmpeg -c copy of a pre-encoded clip)',
  measureSeconds: MEASURE_SECONDS,
  cpuGoalPercent: CPU_GOAL_PERCENT,
  steps,
  maxMeasuredConsumersWithinGoal: within.length ? within.at(-1).consumers : 0,
  estimatedConsumersAtGoal: estimate,
  referenceConsumersPerWorker: 500,
};

ffmpeg.kill('SIGTERM');
sink.send({ cmd: 'exit' });
worker.close();
rmSync(dir, { recursive: true, force: true });
if (OUT) writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
else console.log(JSON.stringify(result, null, 2));
process.exit(0);
