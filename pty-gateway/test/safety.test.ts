import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHub } from './harness.js';

/** Why bubblewrap cannot run here, or null when it can. */
function bwrapUnavailable(): string | null {
  const r = spawnSync('bwrap', ['--unshare-all', '--ro-bind', '/', '/', 'true'], { encoding: 'utf8' });
  if (r.error) return `bwrap is not installed (${r.error.message}); apt-get install -y bubblewrap`;
  if (r.status !== 0) return `bwrap cannot create namespaces on this machine: ${r.stderr.trim()}`;
  return null;
}
const noBwrap = bwrapUnavailable();

describe('safety', () => {
  it('PTY12: the shell environment is built from an allow-list; no variable of the hub leaks', async () => {
    const hub = await startHub({ CODEROOM_SECRET_TEST: 'hunter2-secret', DATABASE_URL: 'postgres://u:p@db/x', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' });
    // The gateway reads only the env it is given; also set them in this process for good measure.
    process.env.CODEROOM_SECRET_TEST = 'hunter2-secret';
    process.env.DATABASE_URL = 'postgres://u:p@db/x';
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    await host.run(id, 'env | sort', 'env');
    const out = host.output(id);
    expect(out).not.toContain('hunter2-secret');
    expect(out).not.toContain('DATABASE_URL');
    expect(out).not.toContain('CODEROOM_SECRET_TEST');
    expect(out).toContain('TERM=xterm-256color');
    expect(out).toContain('LC_ALL=C.UTF-8');
    expect(out).toContain(`HOME=${hub.config.dataDir}/workspaces/`);
    delete process.env.CODEROOM_SECRET_TEST;
    delete process.env.DATABASE_URL;
  });

  it.skipIf(noBwrap !== null)(`PTY13: PTY_SANDBOX=bwrap confines the shell to its workspace${noBwrap ? ` (skipped: ${noBwrap})` : ''}`, async () => {
    const hub = await startHub({ PTY_SANDBOX: 'bwrap' });
    const outside = join(hub.dataDir, 'outside-secret.txt');
    writeFileSync(outside, 'TOP-SECRET-OUTSIDE');
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    await host.run(id, `cat ${outside}; echo "rc=$?"; cat /etc/shadow; echo "shadow=$?"; echo inside > mine.txt && cat mine.txt; ls /`, 'box');
    const out = host.output(id);
    expect(out).not.toContain('TOP-SECRET-OUTSIDE');
    expect(out).toContain('No such file or directory');
    expect(out).toContain('rc=1');
    expect(out).toContain('shadow=1');
    expect(out).toContain('inside');
    expect(out).not.toMatch(/\bwork\b|\broot\b\s/);
  });

  it('PTY14: PTY_USER runs the shell as that user with no supplementary groups', async () => {
    if (process.getuid?.() !== 0) return;
    const hub = await startHub({ PTY_USER: 'nobody' });
    chmodSync(hub.dataDir, 0o755);
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    await host.run(id, 'echo "uid=$(id -u) groups=$(id -G)"; touch w.txt && echo wrote', 'user');
    expect(host.output(id)).toContain('uid=65534 groups=65534');
    expect(host.output(id)).toContain('wrote');
  });
});
