// Multi-node collaborative editing: the same edit workloads against 1 and against 3 CodeRoom hub
// nodes on one PostgreSQL and one Redis (docs/scaling.md), clients spread evenly over the nodes
// and every document's clients spread too, so that fan-out crosses nodes (through Redis).
//   (a) one document, clients on every node, a fixed edit rate in total;
//   (b) many documents, 1 observer + 2 senders each, each on another node, 1 edit/s per document.
// Reports edits/s applied, edit-to-remote-apply p50/p99, and CPU/RSS of every node and of Redis.
// Usage alone: node bench/collab/run.mjs --nodes 1,3 [--full] [--out FILE]
import { startPostgres, startRedis } from '../lib/backing.mjs';
import { r2, sampleProcess } from '../lib/proc.mjs';
import { editFigures, startLoadgen } from './driver.mjs';
import { startCodeRoomNodes } from './servers.mjs';

/**
 * Sizes. With Redis, creating a file through the API takes about 2 s and files are created one
 * after another (docs/benchmarks.md), so (b) keeps to few documents and runs only with --full;
 * the quick pass runs (a) alone, briefly, to stay within its 5 minutes.
 */
export const MULTINODE_SCALES = {
  quick: { oneDoc: { clients: 60, observers: 9, editsPerSecond: 50, seconds: 5 }, manyDocs: null },
  full: { oneDoc: { clients: 150, observers: 9, editsPerSecond: 100, seconds: 20 }, manyDocs: { documents: 20, seconds: 20 } },
};
/** Clients per document in (b): one observer and two senders, each on a different node when there are three. */
const MANY_DOCS_CLIENTS_PER_DOC = 3;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Stop functions of what this run has started (PostgreSQL, Redis, the nodes), newest last. */
const running = new Set();
/** Tracks a stop function until it has run; gives the function that forgets it. */
function track(stop) {
  running.add(stop);
  return () => running.delete(stop);
}
/** Tracks `service` until it is stopped. */
function tracked(service) {
  const untrack = track(service.stop);
  return { ...service, stop: () => (untrack(), service.stop()) };
}
/** Interrupted (Ctrl-C, or the harness stopping it): stop everything by PID, newest first, then exit. */
function stopOnSignal(signal) {
  process.once(signal, () => {
    console.error(`bench collab: ${signal}: stopping the nodes, Redis and PostgreSQL`);
    [...running]
      .reverse()
      .reduce((p, stop) => p.then(stop).catch(() => undefined), Promise.resolve())
      .finally(() => process.exit(130));
  });
}

/** Runs one edit workload, sampling every node and Redis over the window. */
async function measured(lg, cluster, redisPid, run) {
  const samplers = cluster.nodes.map((n) => sampleProcess(n.pid));
  const redisSampler = sampleProcess(redisPid);
  const figures = await run();
  const nodes = samplers.map((s) => s.stop());
  const redis = redisSampler.stop();
  return {
    ...figures,
    nodes: nodes.map((n) => ({ cpuPercent: r2(n.cpuPercent), rssMiB: r2(n.rssMiB) })),
    nodesCpuPercentTotal: r2(nodes.reduce((s, n) => s + n.cpuPercent, 0)),
    redisCpuPercent: r2(redis.cpuPercent),
  };
}

async function connect(lg, cluster, clients, localNet) {
  const r = await lg.ask({ cmd: 'connect', flavor: cluster.flavor, url: cluster.nodes[0].url, origin: cluster.nodes[0].origin, coderoom: cluster.coderoom, clients, localNet, concurrency: 32 });
  if (r.failed) console.error(`bench collab nodes: ${cluster.name}: ${r.failed} of ${clients.length} connections failed (${r.firstError})`);
  return r;
}

async function benchNodes(count, scale, databaseUrl, redis, localNet) {
  const cluster = await startCodeRoomNodes(count, { databaseUrl, redisUrl: redis.url, track });
  const lg = startLoadgen();
  const untrackLoadgen = track(() => lg.exit());
  const on = (i) => ({ url: cluster.nodes[i % count].url, origin: cluster.nodes[i % count].origin });
  const out = { nodes: count, name: cluster.name };
  try {
    const { oneDoc, manyDocs } = scale;
    const files = 1 + (manyDocs?.documents ?? 0);
    const t0 = performance.now();
    await cluster.ensureDocs(files, 4);
    out.createFiles = { files, ms: r2(performance.now() - t0) };
    console.error(`bench collab: ${count} node(s): ${files} files created in ${Math.round(out.createFiles.ms)} ms`);

    // (a) one document: client i on node i mod N, observers included, so an edit sent to one node
    // reaches observers on every node.
    const a = [];
    for (let i = 0; i < oneDoc.clients; i++) a.push({ doc: cluster.docName(0), role: i < oneDoc.observers ? 'observer' : 'sender', ...on(i) });
    const ca = await connect(lg, cluster, a, localNet);
    out.oneDoc = {
      connectMs: r2(ca.ms),
      failed: ca.failed,
      ...(await measured(lg, cluster, redis.pid, () => editFigures(lg, { seconds: oneDoc.seconds, editsPerSecond: oneDoc.editsPerSecond, observersPerEdit: oneDoc.observers }))),
    };
    await lg.ask({ cmd: 'closeAll' });
    await sleep(500);
    if (!manyDocs) return out;

    // (b) many documents: document d's observer on node d mod N, its senders on the next nodes.
    const b = [];
    for (let d = 0; d < manyDocs.documents; d++) {
      for (let k = 0; k < MANY_DOCS_CLIENTS_PER_DOC; k++) b.push({ doc: cluster.docName(1 + d), role: k === 0 ? 'observer' : 'sender', ...on(d + k) });
    }
    const cb = await connect(lg, cluster, b, localNet);
    out.manyDocs = {
      connectMs: r2(cb.ms),
      failed: cb.failed,
      ...(await measured(lg, cluster, redis.pid, () => editFigures(lg, { seconds: manyDocs.seconds, editsPerSecond: manyDocs.documents, observersPerEdit: 1 }))),
    };
    await lg.ask({ cmd: 'closeAll' });
  } finally {
    untrackLoadgen();
    await lg.exit();
    await cluster.stop();
  }
  return out;
}

/** For each node count in turn: a fresh database on the one PostgreSQL, the one Redis, N nodes. */
export async function benchCollabNodes({ full = false, counts = [1, 3] } = {}) {
  const scale = full ? MULTINODE_SCALES.full : MULTINODE_SCALES.quick;
  const started = [];
  const results = [];
  stopOnSignal('SIGINT');
  stopOnSignal('SIGTERM');
  try {
    const postgres = tracked(await startPostgres());
    started.push(postgres);
    const redis = tracked(await startRedis());
    started.push(redis);
    for (const [i, count] of counts.entries()) {
      const t0 = performance.now();
      console.error(`bench collab: ${count} node(s)…`);
      results.push(await benchNodes(count, scale, postgres.createDatabase(`bench_${i}_${count}_nodes`), redis, 20 + i));
      console.error(`bench collab: ${count} node(s) done in ${Math.round((performance.now() - t0) / 1000)} s`);
    }
  } finally {
    for (const s of started.reverse()) await s.stop();
  }
  return { scale: full ? 'full' : 'quick', sizes: { ...scale, manyDocsClientsPerDoc: MANY_DOCS_CLIENTS_PER_DOC }, results };
}
