// Collaborative-editing load generator, forked by bench/collab/run.mjs (IPC), never inside a server.
// Messages from the parent:
//   {cmd:'connect', flavor, url, origin, clients:[{doc, role, url?, origin?}], coderoom?:{dataDir, roomId}, localNet, concurrency}
//     → {type:'connected', connected, failed, firstError, ms}
//   {cmd:'run', durationMs, editsPerSecond, drainMs} → {type:'result', sent, sentPerSecond, stamps:[ms...], updatesIn, bytesIn}
//   {cmd:'open', doc, role} (one more observer; time to synced) → {type:'opened', ms, textLength}
//   {cmd:'fill', bytes, chunkBytes} (first sender appends text) → {type:'filled', ms}
//   {cmd:'close'} → closes every socket and exits.
import { TokenIssuer } from '@coderoom/shared';
import { BenchClient, nowMs } from './client.mjs';

/** @type {BenchClient[]} */
let clients = [];
let target = null;
let stamps = null;
let tokens = [];

async function mintTokens(coderoom, n) {
  if (!coderoom) return [];
  const issuer = await TokenIssuer.open(coderoom.dataDir);
  const out = [];
  for (let i = 0; i < n; i++) out.push(await issuer.sign({ sub: `guest:bench${String(i).padStart(6, '0')}`, name: `bench ${i}`, room: coderoom.roomId, role: 'editor' }, 3600));
  return out;
}

function makeClient(spec, i) {
  return new BenchClient({
    flavor: target.flavor,
    // A client may name its own node (multi-node runs); otherwise the target's.
    url: spec.url ?? target.url,
    origin: spec.origin ?? target.origin,
    doc: spec.doc,
    role: spec.role,
    token: tokens.length ? tokens[i % tokens.length] : undefined,
    // Many source addresses: 10,000 sockets (and their TIME_WAITs) stay far from the ephemeral-port limit.
    localAddress: `127.${target.localNet}.${Math.floor(i / 250) % 250}.${1 + (i % 250)}`,
    onStamp: (ms) => stamps?.push(ms),
  });
}

async function connectAll(msg) {
  target = msg;
  tokens = await mintTokens(msg.coderoom, 64);
  const t0 = performance.now();
  let failed = 0;
  let firstError = null;
  let next = 0;
  const all = msg.clients.map((spec, i) => makeClient(spec, i));
  async function worker() {
    while (next < all.length) {
      const c = all[next++];
      try {
        await c.connect();
      } catch (e) {
        failed++;
        firstError ??= String(e.message ?? e);
        c.close();
      }
    }
  }
  await Promise.all(Array.from({ length: msg.concurrency ?? 50 }, worker));
  clients = clients.concat(all);
  process.send({ type: 'connected', connected: all.length - failed, failed, firstError, ms: performance.now() - t0 });
}

/** Sends `editsPerSecond` in total, round-robin over the senders, from a 5 ms ticker that catches up when late. */
async function run({ durationMs, editsPerSecond, drainMs }) {
  const senders = clients.filter((c) => c.o.role === 'sender' && c.ws.readyState === 1);
  const in0 = clients.reduce((s, c) => s + c.updatesIn, 0);
  const bytes0 = clients.reduce((s, c) => s + c.bytesIn, 0);
  stamps = [];
  let sent = 0;
  let rr = 0;
  const t0 = nowMs();
  await new Promise((resolve) => {
    const tick = setInterval(() => {
      const elapsed = nowMs() - t0;
      if (elapsed >= durationMs) {
        clearInterval(tick);
        return resolve();
      }
      const due = Math.floor((elapsed / 1000) * editsPerSecond);
      // Cap a catch-up burst so an overloaded generator does not send everything at once.
      for (let k = 0; sent < due && k < 200; k++, sent++) senders[rr++ % senders.length].sendEdit();
    }, 5);
  });
  const sendMs = nowMs() - t0;
  await new Promise((r) => setTimeout(r, drainMs));
  const out = stamps;
  stamps = null;
  process.send({
    type: 'result',
    sent,
    sentPerSecond: sent / (sendMs / 1000),
    stamps: out,
    updatesIn: clients.reduce((s, c) => s + c.updatesIn, 0) - in0,
    bytesIn: clients.reduce((s, c) => s + c.bytesIn, 0) - bytes0,
  });
}

async function fill({ bytes, chunkBytes }) {
  const writer = clients.find((c) => c.o.role === 'sender');
  const t0 = performance.now();
  const line = 'const value = "lorem ipsum dolor sit amet, consectetur adipiscing elit";\n';
  const chunk = line.repeat(Math.ceil(chunkBytes / line.length)).slice(0, chunkBytes);
  for (let n = 0; n < bytes; n += chunkBytes) {
    writer.sendText(chunk);
    // Let the socket drain between chunks, as an editor's paste or import would.
    while (writer.ws.bufferedAmount > 0) await new Promise((r) => setTimeout(r, 2));
  }
  process.send({ type: 'filled', ms: performance.now() - t0 });
}

async function open({ doc }) {
  const c = makeClient({ doc, role: 'observer' }, clients.length);
  const t0 = performance.now();
  try {
    await c.connect(120_000);
    process.send({ type: 'opened', ms: performance.now() - t0, textLength: c.text.length });
  } catch (e) {
    process.send({ type: 'opened', ms: null, error: String(e.message ?? e) });
  }
  clients.push(c);
}

process.on('message', (msg) => {
  const fail = (e) => process.send({ type: 'error', error: String(e?.stack ?? e) });
  if (msg.cmd === 'connect') connectAll(msg).catch(fail);
  else if (msg.cmd === 'run') run(msg).catch(fail);
  else if (msg.cmd === 'fill') fill(msg).catch(fail);
  else if (msg.cmd === 'open') open(msg).catch(fail);
  else if (msg.cmd === 'closeAll') {
    for (const c of clients) c.close();
    clients = [];
    process.send({ type: 'closed' });
  } else if (msg.cmd === 'exit') process.exit(0);
});
