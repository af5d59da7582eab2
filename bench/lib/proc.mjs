// Process and machine facts for the benchmarks: CPU time and memory of a process from /proc,
// free ports, percentiles, machine description and load.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { cpus, loadavg, release, totalmem } from 'node:os';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ). */
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at state (field 3); utime is 14, stime 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
}

/** Resident set size and its peak (VmHWM) in MiB. */
export function memoryMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

/** Samples a process every `everyMs` until stop(): CPU % of one core over the window, max RSS. */
export function sampleProcess(pid, everyMs = 250) {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  let maxRssMiB = memoryMiB(pid).rssMiB;
  const timer = setInterval(() => {
    try {
      maxRssMiB = Math.max(maxRssMiB, memoryMiB(pid).rssMiB);
    } catch {
      clearInterval(timer);
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const seconds = (performance.now() - t0) / 1000;
      const { rssMiB } = memoryMiB(pid);
      return { cpuPercent: (100 * (cpuSeconds(pid) - cpu0)) / seconds, rssMiB: Math.max(maxRssMiB, rssMiB), seconds };
    },
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (and, with udp, free for UDP too). */
export async function freePort(udp = false) {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address();
        srv.close(() => resolve(p));
      });
    });
    if (!udp) return port;
    const ok = await new Promise((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

/** The p-th percentile (nearest rank) of xs, or null when empty. */
export function percentile(xs, p) {
  if (!xs.length) return null;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Rounds to 2 decimals (null stays null). */
export const r2 = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 100) / 100);

/** The machine, as the report states it. */
export function machineFacts() {
  let lscpu = '';
  try {
    lscpu = execFileSync('lscpu', { env: { ...process.env, LC_ALL: 'C' } }).toString();
  } catch {
    lscpu = '';
  }
  const field = (k) => new RegExp(`^${k}:\\s+(.+)$`, 'm').exec(lscpu)?.[1]?.trim() ?? null;
  return {
    cpuModel: field('Model name') ?? cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    threadsPerCore: field('Thread\\(s\\) per core'),
    architecture: field('Architecture'),
    memGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    openFilesLimit: Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim()),
  };
}

/** The 1/5/15-minute load averages, rounded. */
export const load = () => loadavg().map((x) => r2(x));
