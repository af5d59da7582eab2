// Collaborative-editing benchmark: CodeRoom (the real hub) beside stock Hocuspocus and the
// reference y-websocket server, same workloads, same run. Each server runs in its own process;
// the load generator (loadgen.mjs) in another. Server CPU and RSS come from /proc/<pid>.
//   (a) many clients in one document, a fixed edit rate in total;
//   (b) many connections over many documents, 1 edit/s per document;
//   (c) opening a 5 MB document (warm: loaded in the server; cold: CodeRoom loading it from disk);
//   (d) idle connections: server RSS.
// Usage alone: node bench/collab/run.mjs [--full] [--targets coderoom,hocuspocus,ywebsocket] [--workloads a,b,c,d] [--profile DIR] [--out FILE]
// Multi-node mode (CodeRoom on PostgreSQL + Redis, multinode.mjs): node bench/collab/run.mjs --nodes 1,3 [--full] [--out FILE]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TARGETS } from './servers.mjs';
import { r2, sampleProcess } from '../lib/proc.mjs';
import { editFigures, startLoadgen } from './driver.mjs';
import { benchCollabNodes } from './multinode.mjs';

/** Workload sizes: --full uses the numbers; the quick pass scales counts and durations down. */
export const COLLAB_SCALES = {
  quick: { oneDoc: { clients: 200, observers: 10, editsPerSecond: 100, seconds: 6 }, manyDocs: { connections: 1000, documents: 200, seconds: 6 }, idle: { connections: 10_000, documents: 200 }, largeDocMB: 5 },
  full: { oneDoc: { clients: 500, observers: 10, editsPerSecond: 100, seconds: 60 }, manyDocs: { connections: 5000, documents: 1000, seconds: 60 }, idle: { connections: 10_000, documents: 1000 }, largeDocMB: 5 },
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function connect(lg, server, clients, localNet) {
  const r = await lg.ask({ cmd: 'connect', flavor: server.flavor, url: server.url, origin: server.origin, coderoom: server.coderoom, clients, localNet, concurrency: 64 });
  if (r.failed) console.error(`bench collab: ${server.name}: ${r.failed} of ${clients.length} connections failed (${r.firstError})`);
  return r;
}

/** Runs an edit workload and adds the server's CPU and RSS over it. */
async function editRun(lg, server, opts) {
  const sampler = sampleProcess(server.pid);
  const figures = await editFigures(lg, opts);
  const res = sampler.stop();
  return { ...figures, serverCpuPercent: r2(res.cpuPercent), serverRssMiB: r2(res.rssMiB) };
}

async function benchTarget(key, scale, localNet, profileDir, workloads) {
  const server = await TARGETS[key]({ profileDir });
  const lg = startLoadgen();
  const out = { name: server.name };
  try {
    const { oneDoc, manyDocs, idle } = scale;
    await server.ensureDocs(Math.max(manyDocs.documents, idle.documents) + 2);
    out.baselineRssMiB = r2(sampleProcess(server.pid).stop().rssMiB);

    // (a) one document, many clients.
    if (workloads.includes('a')) {
      const a = [];
      for (let i = 0; i < oneDoc.clients; i++) a.push({ doc: server.docName(0), role: i < oneDoc.observers ? 'observer' : 'sender' });
      const ca = await connect(lg, server, a, localNet);
      out.oneDoc = { connectMs: r2(ca.ms), failed: ca.failed, ...(await editRun(lg, server, { seconds: oneDoc.seconds, editsPerSecond: oneDoc.editsPerSecond, observersPerEdit: oneDoc.observers })) };
      await lg.ask({ cmd: 'closeAll' });
      await sleep(500);
    }

    // (b) many documents: per document one observer and the rest senders; 1 edit/s per document.
    if (workloads.includes('b')) {
      const b = [];
      const perDoc = manyDocs.connections / manyDocs.documents;
      for (let d = 0; d < manyDocs.documents; d++) for (let k = 0; k < perDoc; k++) b.push({ doc: server.docName(1 + d), role: k === 0 ? 'observer' : 'sender' });
      const cb = await connect(lg, server, b, localNet);
      out.manyDocs = { connectMs: r2(cb.ms), failed: cb.failed, ...(await editRun(lg, server, { seconds: manyDocs.seconds, editsPerSecond: manyDocs.documents, observersPerEdit: 1 })) };
      await lg.ask({ cmd: 'closeAll' });
      await sleep(500);
    }

    // (d) idle connections: RSS once they are all synced and the server has settled.
    if (workloads.includes('d')) {
      const d = [];
      for (let i = 0; i < idle.connections; i++) d.push({ doc: server.docName(1 + (i % idle.documents)), role: 'idle' });
      const cd = await connect(lg, server, d, localNet);
      await sleep(3000);
      out.idle = { connections: cd.connected, failed: cd.failed, connectMs: r2(cd.ms), serverRssMiB: r2(sampleProcess(server.pid).stop().rssMiB) };
      await lg.ask({ cmd: 'closeAll' });
      await sleep(500);
    }

    // (c) a 5 MB document: one writer fills it, then a new client opens it (warm), then, with
    // everyone gone, again (cold: only a server that stores documents still has it).
    if (workloads.includes('c')) {
      const bigDoc = server.docName(Math.max(manyDocs.documents, idle.documents) + 1);
      await connect(lg, server, [{ doc: bigDoc, role: 'sender' }], localNet);
      const filled = await lg.ask({ cmd: 'fill', bytes: scale.largeDocMB * 1024 * 1024, chunkBytes: 64 * 1024 });
      // Let the server finish what the fill started (CodeRoom: compaction, write-back to the workspace).
      await sleep(2500);
      const warm = await lg.ask({ cmd: 'open', doc: bigDoc });
      await lg.ask({ cmd: 'closeAll' });
      await sleep(3000);
      const cold = await lg.ask({ cmd: 'open', doc: bigDoc });
      await lg.ask({ cmd: 'closeAll' });
      out.largeDoc = {
        megabytes: scale.largeDocMB,
        fillMs: r2(filled.ms),
        warmOpenMs: r2(warm.ms),
        warmChars: warm.textLength ?? null,
        coldOpenMs: cold.textLength ? r2(cold.ms) : null,
        coldChars: cold.textLength ?? 0,
        serverRssMiB: r2(sampleProcess(server.pid).stop().rssMiB),
        error: warm.error ?? null,
      };
    }
  } finally {
    await lg.exit();
    await server.stop();
  }
  return out;
}

/** Runs every target in turn (one at a time, so they never compete for the cores). */
export async function benchCollab({ full = false, targets = Object.keys(TARGETS), workloads = ['a', 'b', 'c', 'd'], profileDir } = {}) {
  const scale = full ? COLLAB_SCALES.full : COLLAB_SCALES.quick;
  const results = {};
  let net = 1;
  for (const key of targets) {
    const t0 = performance.now();
    console.error(`bench collab: ${key}…`);
    results[key] = await benchTarget(key, scale, net++, key === 'coderoom' ? profileDir : undefined, workloads);
    console.error(`bench collab: ${key} done in ${Math.round((performance.now() - t0) / 1000)} s`);
  }
  return { scale: full ? 'full' : 'quick', sizes: scale, results };
}

/** `--nodes 1,3`: node counts, each a whole number from 1 to 8. */
function parseNodeCounts(arg) {
  const counts = String(arg ?? '').split(',').map(Number);
  if (!counts.every((n) => Number.isInteger(n) && n >= 1 && n <= 8)) throw new Error(`--nodes wants node counts from 1 to 8, separated by commas (e.g. 1,3), not "${arg ?? ''}"`);
  return counts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ni = process.argv.indexOf('--nodes');
  const i = process.argv.indexOf('--targets');
  const targets = i > 0 ? process.argv[i + 1].split(',') : undefined;
  const wi = process.argv.indexOf('--workloads');
  const workloads = wi > 0 ? process.argv[wi + 1].split(',') : undefined;
  const pi = process.argv.indexOf('--profile');
  const r =
    ni > 0
      ? await benchCollabNodes({ full: process.argv.includes('--full'), counts: parseNodeCounts(process.argv[ni + 1]) })
      : await benchCollab({ full: process.argv.includes('--full'), targets, workloads, profileDir: pi > 0 ? process.argv[pi + 1] : undefined });
  const oi = process.argv.indexOf('--out');
  if (oi > 0) writeFileSync(process.argv[oi + 1], JSON.stringify(r, null, 2) + '\n');
  else console.log(JSON.stringify(r, null, 2));
}
