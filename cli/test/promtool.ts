import { spawnSync } from 'node:child_process';

/** Runs `promtool` (Debian package `prometheus`) with `args` and optional stdin; returns its exit code and output. */
export function promtool(args: string[], input?: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`promtool could not run (install the Debian package prometheus): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
