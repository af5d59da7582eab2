// Driving the forked load generator (loadgen.mjs) from a runner: run.mjs (one server) and
// multinode.mjs (several hub nodes).
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, r2 } from '../lib/proc.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** A forked load generator with a request/response helper over IPC. */
export function startLoadgen() {
  const child = fork(join(here, 'loadgen.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  child.on('message', (m) => {
    const w = waiting.shift();
    if (!w) return;
    if (m.type === 'error') w.reject(new Error(m.error));
    else w.resolve(m);
  });
  return {
    ask(msg) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.send(msg);
      });
    },
    /** Asks the load generator to exit (kills it if its channel is gone); idempotent. */
    async exit() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      if (child.connected) child.send({ cmd: 'exit' });
      else child.kill();
      await exited;
    },
  };
}

/** Runs an edit workload and turns the observers' time stamps into figures. */
export async function editFigures(lg, { seconds, editsPerSecond, observersPerEdit }) {
  const r = await lg.ask({ cmd: 'run', durationMs: seconds * 1000, editsPerSecond, drainMs: 2000 });
  const applied = r.stamps.length / observersPerEdit;
  return {
    offeredEditsPerSecond: editsPerSecond,
    sentEditsPerSecond: r2(r.sentPerSecond),
    appliedEditsPerSecond: r2(applied / seconds),
    delivered: r2(r.sent ? applied / r.sent : 0),
    p50Ms: r2(percentile(r.stamps, 50)),
    p99Ms: r2(percentile(r.stamps, 99)),
    updatesReceivedPerSecond: r2(r.updatesIn / seconds),
  };
}
