// Shared-terminal benchmark: throughput of `cat` of a 50 MB file with 0/1/10/50 viewers and
// keystroke echo latency with 50 viewers, each beside raw node-pty (no gateway) in the same run.
// The gateway runs in a separate process (server.mjs); this process is the load generator.
// Needs the built dist: npx tsc -b shared pty-gateway.
// Usage: node bench/terminal/run.mjs [--mb 50] [--viewers 0,1,10,50] [--echo-viewers 50] [--samples 300]
// Throughput is measured at the slowest connection (driver + viewers) until the end marker after the file.
// Peer: WeTTY (node-pty over socket.io, running the local shell, no ssh) in its own process, one
// socket.io client as the viewer: same `cat` workload and keystroke echo.
// --out FILE: write the result JSON there (bench/run.mjs does, then writes bench/results/ and docs/).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import * as nodePty from 'node-pty';
import { WebSocket } from 'ws';
import { io } from 'socket.io-client';
import { freePort } from '../lib/proc.mjs';
import { TokenIssuer, PTY_PROTOCOL_VERSION } from '@coderoom/shared';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const FILE_MB = Number(arg('mb', '50'));
const VIEWER_COUNTS = arg('viewers', '0,1,10,50').split(',').map(Number);
const ECHO_VIEWERS = Number(arg('echo-viewers', '50'));
const ECHO_SAMPLES = Number(arg('samples', '300'));
const OUT = arg('out', null);
const ROOM = 'bench_room_0001';
const MARKER = 'BENCH-42-END';
const MARKER_BUF = Buffer.from(MARKER);
const SNAPSHOT_PREFIX = Buffer.from('{"type":"snapshot"');
const here = dirname(fileURLToPath(import.meta.url));

const dataDir = mkdtempSync(join(tmpdir(), 'pty-bench-'));
const file = join(dataDir, 'big.txt');
{
  const lines = [];
  let size = 0;
  while (size < FILE_MB * 1024 * 1024) {
    const l = randomBytes(59).toString('base64') + '\n';
    lines.push(l);
    size += l.length;
  }
  writeFileSync(file, lines.join(''));
}

// ---- raw node-pty -------------------------------------------------------------------------
function rawThroughput() {
  // An interactive shell that stays alive, as in the gateway (node-pty may drop the last output of an exiting process).
  return new Promise((resolve) => {
    const p = nodePty.spawn('/bin/bash', [], { cols: 80, rows: 24, cwd: dataDir, env: { PATH: process.env.PATH, TERM: 'xterm-256color', HOME: dataDir } });
    let tail = '';
    let t0 = 0;
    p.onData((d) => {
      if (!t0) return;
      const s = tail + d;
      if (s.includes(MARKER)) {
        const ms = performance.now() - t0;
        t0 = 0;
        p.kill();
        resolve(ms);
      }
      tail = s.slice(-MARKER.length);
    });
    setTimeout(() => {
      t0 = performance.now();
      p.write(`cat ${file}; echo BENCH-$((6*7))-END\r`);
    }, 300);
  });
}

function rawEcho(samples) {
  return new Promise((resolve) => {
    const p = nodePty.spawn('/bin/cat', [], { cols: 80, rows: 24, env: { PATH: process.env.PATH } });
    const lat = [];
    let i = 0;
    let t0 = 0;
    let want = '';
    const next = () => {
      if (i >= samples) {
        p.kill();
        return resolve(lat);
      }
      want = String.fromCharCode(97 + (i++ % 26));
      t0 = performance.now();
      p.write(want);
    };
    p.onData((d) => {
      if (want && d.includes(want)) {
        lat.push(performance.now() - t0);
        want = '';
        setTimeout(next, 5);
      }
    });
    setTimeout(next, 100);
  });
}

// ---- gateway ------------------------------------------------------------------------------
const server = spawn(process.execPath, [...(process.env.BENCH_SERVER_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_SERVER_PROF] : []), join(here, 'server.mjs'), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => createInterface({ input: server.stdout }).once('line', (l) => resolve(JSON.parse(l).port)));
const issuer = await TokenIssuer.open(dataDir);
const url = `ws://127.0.0.1:${port}/pty`;
const origin = `http://127.0.0.1:${port}`;

async function connect(sub, role) {
  const ws = new WebSocket(url, { headers: { origin }, perMessageDeflate: false });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const token = await issuer.sign({ sub, name: sub, room: ROOM, role });
  ws.send(JSON.stringify({ type: 'hello', protocolVersion: PTY_PROTOCOL_VERSION, token, roomId: ROOM }));
  await new Promise((r) => ws.once('message', r));
  return ws;
}

/** Waits for a message matching pred (parses JSON). */
function waitMsg(ws, pred) {
  return new Promise((resolve) => {
    const on = (data) => {
      const m = JSON.parse(data.toString());
      if (pred(m)) {
        ws.off('message', on);
        resolve(m);
      }
    };
    ws.on('message', on);
  });
}

async function gatewayThroughput(viewers) {
  const host = await connect('host', 'host');
  const created = waitMsg(host, (m) => m.type === 'snapshot');
  host.send(JSON.stringify({ type: 'create' }));
  const terminalId = (await created).terminalId;
  const conns = [host];
  for (let i = 0; i < viewers; i++) {
    const v = await connect(`viewer${i}`, 'viewer');
    const snap = waitMsg(v, (m) => m.type === 'snapshot');
    v.send(JSON.stringify({ type: 'open', terminalId }));
    await snap;
    conns.push(v);
  }
  await new Promise((r) => setTimeout(r, 300));
  let snapshots = 0;
  let received = 0;
  const t0 = performance.now();
  const done = conns.map(
    (ws) =>
      new Promise((resolve) => {
        // Scan raw frames (no JSON parse, no string conversion) so the load generator is not the bottleneck.
        let tail = Buffer.alloc(0);
        ws.on('message', (data) => {
          received += data.length;
          if (data.subarray(0, SNAPSHOT_PREFIX.length).equals(SNAPSHOT_PREFIX)) snapshots++;
          const seam = Buffer.concat([tail, data.subarray(0, MARKER.length)]);
          if (data.includes(MARKER_BUF) || seam.includes(MARKER_BUF)) resolve(performance.now() - t0);
          tail = Buffer.from(data.subarray(Math.max(0, data.length - MARKER.length)));
        });
      }),
  );
  host.send(JSON.stringify({ type: 'input', terminalId, data: `cat ${file}; echo BENCH-$((6*7))-END\r` }));
  const times = await Promise.all(done);
  const ms = Math.max(...times);
  host.send(JSON.stringify({ type: 'closeTerminal', terminalId }));
  await new Promise((r) => setTimeout(r, 200));
  for (const ws of conns) ws.terminate();
  return { ms, hostMs: times[0], snapshots, receivedMB: received / 1048576 };
}

async function gatewayEcho(viewers, samples) {
  const host = await connect('host', 'host');
  const created = waitMsg(host, (m) => m.type === 'snapshot');
  host.send(JSON.stringify({ type: 'create' }));
  const terminalId = (await created).terminalId;
  const conns = [];
  for (let i = 0; i < viewers; i++) {
    const v = await connect(`viewer${i}`, 'viewer');
    const snap = waitMsg(v, (m) => m.type === 'snapshot');
    v.send(JSON.stringify({ type: 'open', terminalId }));
    await snap;
    conns.push(v);
  }
  host.send(JSON.stringify({ type: 'input', terminalId, data: 'exec cat\r' }));
  await new Promise((r) => setTimeout(r, 500));
  const lat = [];
  let want = '';
  let t0 = 0;
  host.on('message', (data) => {
    if (!want) return;
    const m = JSON.parse(data.toString());
    if (m.type === 'output' && m.data.includes(want)) {
      lat.push(performance.now() - t0);
      want = '';
    }
  });
  for (let i = 0; i < samples; i++) {
    want = String.fromCharCode(97 + (i % 26));
    t0 = performance.now();
    host.send(JSON.stringify({ type: 'input', terminalId, data: want }));
    while (want) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 5));
  }
  for (const ws of [host, ...conns]) ws.terminate();
  return lat;
}

// ---- WeTTY (peer) -----------------------------------------------------------------------
/** WeTTY's client acknowledges every this many bytes it has rendered (its FlowControlClient.ackBytes). */
const WETTY_ACK_BYTES = 262144;

async function startWetty() {
  const wport = await freePort();
  const bin = join(dirname(createRequire(import.meta.url).resolve('wetty')), 'main.js');
  // As root on a loopback host WeTTY runs the command locally (`env -S /bin/bash`), no ssh.
  const child = spawn(process.execPath, [bin, '--host', '127.0.0.1', '--port', String(wport), '--base', '/wetty', '--command', '/bin/bash', '--log-level', 'warn'], {
    cwd: dataDir,
    env: { PATH: process.env.PATH, HOME: dataDir, LANG: 'C.UTF-8', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  for (let i = 0; ; i++) {
    const up = await fetch(`http://127.0.0.1:${wport}/wetty/`).then(() => true, () => false);
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`WeTTY did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port: wport };
}

/** One WeTTY client (as its browser client behaves: acknowledges output for flow control); resolves after login. */
async function wettyClient(wport) {
  const sock = io(`http://127.0.0.1:${wport}`, { path: '/wetty/socket.io', transports: ['websocket'], reconnection: false });
  let unacked = 0;
  sock.on('data', (d) => {
    unacked += d.length;
    while (unacked >= WETTY_ACK_BYTES) {
      unacked -= WETTY_ACK_BYTES;
      sock.emit('commit', WETTY_ACK_BYTES);
    }
  });
  await new Promise((resolve, reject) => {
    sock.once('login', resolve);
    sock.once('connect_error', reject);
  });
  sock.emit('resize', { cols: 80, rows: 24 });
  await new Promise((r) => setTimeout(r, 300));
  return sock;
}

async function wettyThroughput(wport) {
  const sock = await wettyClient(wport);
  const t0 = performance.now();
  const ms = await new Promise((resolve) => {
    let tail = '';
    sock.on('data', (d) => {
      if ((tail + d).includes(MARKER)) resolve(performance.now() - t0);
      tail = d.slice(-MARKER.length);
    });
    sock.emit('input', `cat ${file}; echo BENCH-$((6*7))-END\r`);
  });
  sock.close();
  return ms;
}

async function wettyEcho(wport, samples) {
  const sock = await wettyClient(wport);
  sock.emit('input', 'exec cat\r');
  await new Promise((r) => setTimeout(r, 500));
  const lat = [];
  let want = '';
  let t0 = 0;
  sock.on('data', (d) => {
    if (want && d.includes(want)) {
      lat.push(performance.now() - t0);
      want = '';
    }
  });
  for (let i = 0; i < samples; i++) {
    want = String.fromCharCode(97 + (i % 26));
    t0 = performance.now();
    sock.emit('input', want);
    while (want) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 5));
  }
  sock.close();
  return lat;
}

/** WeTTY beside the gateway with one client each: throughput (median of 3) and echo; `error` says why if WeTTY failed. */
async function wettyVsGateway() {
  let wetty;
  try {
    wetty = await startWetty();
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(FILE_MB / ((await wettyThroughput(wetty.port)) / 1000));
    const echo = await wettyEcho(wetty.port, ECHO_SAMPLES);
    return { wettyMBps: r2(runs.sort((a, b) => a - b)[1]), wettyEcho: { p50: r2(pct(echo, 50)), p99: r2(pct(echo, 99)) }, error: null };
  } catch (e) {
    return { wettyMBps: null, wettyEcho: null, error: String(e.message ?? e) };
  } finally {
    if (wetty && wetty.child.exitCode === null) {
      wetty.child.kill('SIGTERM');
      await new Promise((r) => wetty.child.once('exit', r));
    }
  }
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const r2 = (x) => Math.round(x * 100) / 100;

const result = { node: process.version, cpus: cpus().length, fileMB: FILE_MB, throughput: [], echo: null };
/** Raw node-pty throughput: median of three runs (this figure is noisy on small machines). */
async function rawMBps() {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(FILE_MB / ((await rawThroughput()) / 1000));
  return runs.sort((a, b) => a - b)[1];
}
console.error(`bench: gateway on port ${port}, ${FILE_MB} MB file`);
for (const n of VIEWER_COUNTS) {
  const rawAgain = await rawMBps();
  const g = await gatewayThroughput(n);
  const mbps = FILE_MB / (g.ms / 1000);
  result.throughput.push({ viewers: n, connections: n + 1, rawMBps: r2(rawAgain), gatewayMBps: r2(mbps), ratio: r2(mbps / rawAgain), driverMBps: r2(FILE_MB / (g.hostMs / 1000)), snapshotsSent: g.snapshots, receivedMB: r2(g.receivedMB) });
  console.error(`throughput viewers=${n}: gateway ${mbps.toFixed(1)} MB/s, raw ${rawAgain.toFixed(1)} MB/s`);
}
const rawLat = await rawEcho(ECHO_SAMPLES);
const gwLat = await gatewayEcho(ECHO_VIEWERS, ECHO_SAMPLES);
const gw1 = [];
for (let i = 0; i < 3; i++) gw1.push(FILE_MB / ((await gatewayThroughput(0)).ms / 1000));
const gwLat1 = await gatewayEcho(0, ECHO_SAMPLES);
const peer = await wettyVsGateway();
result.wetty = {
  clients: 1,
  gatewayMBps: r2(gw1.sort((a, b) => a - b)[1]),
  wettyMBps: peer.wettyMBps,
  gatewayEcho: { p50: r2(pct(gwLat1, 50)), p99: r2(pct(gwLat1, 99)) },
  wettyEcho: peer.wettyEcho,
  error: peer.error,
};
console.error(`wetty: ${JSON.stringify(result.wetty)}`);
result.echo = { viewers: ECHO_VIEWERS, samples: ECHO_SAMPLES, raw: { p50: r2(pct(rawLat, 50)), p99: r2(pct(rawLat, 99)) }, gateway: { p50: r2(pct(gwLat, 50)), p99: r2(pct(gwLat, 99)) } };

server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(dataDir, { recursive: true, force: true });

if (OUT) {
  writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
  process.exit(0); // node-pty and socket handles may linger; the run is complete
}
console.log(JSON.stringify(result, null, 2));
console.log('\n| viewers | raw node-pty MB/s | gateway MB/s (slowest connection) | ratio | driver MB/s | snapshots (skip-aheads) |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const t of result.throughput) console.log(`| ${t.viewers} | ${t.rawMBps} | ${t.gatewayMBps} | ${Math.round(t.ratio * 100)}% | ${t.driverMBps} | ${t.snapshotsSent} |`);
console.log(`\n| echo (${ECHO_VIEWERS} viewers, ${ECHO_SAMPLES} keystrokes) | p50 ms | p99 ms |\n|---|---:|---:|`);
console.log(`| raw node-pty | ${result.echo.raw.p50} | ${result.echo.raw.p99} |`);
console.log(`| gateway | ${result.echo.gateway.p50} | ${result.echo.gateway.p99} |`);

// Alone, the run only prints its tables (above): docs/benchmarks.md is written by the harness
// (`npm run bench`), from one run of every section.
process.exit(0); // node-pty and socket handles may linger; the run is complete
