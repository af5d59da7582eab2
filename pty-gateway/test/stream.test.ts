import { describe, expect, it } from 'vitest';
import type { PtyServerMessage } from '@coderoom/shared/client';
import { startHub } from './harness.js';
import { render, streamUpTo } from './xterm.js';

type Snapshot = Extract<PtyServerMessage, { type: 'snapshot' }>;

describe('terminal stream', () => {
  it('PTY5: a late joiner’s snapshot renders the same screen as a watcher who saw everything (colours, top, vi, resize)', async () => {
    const hub = await startHub();
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal({ cols: 100, rows: 30 });
    const watcher = await hub.client('w1', 'viewer');
    watcher.send({ type: 'open', terminalId: id });
    await watcher.next('snapshot');

    await host.run(id, "printf '\\e[1;31mRED\\e[0m \\e[42mGREEN-BG\\e[0m \\e[38;5;208morange\\e[0m\\n'; top -b -n1 | head -80", 'top');
    host.send({ type: 'resize', terminalId: id, cols: 90, rows: 28 });
    await host.run(id, 'seq 1 50', 'seq');

    const compare = async (label: string): Promise<void> => {
      const late = await hub.client(`late-${label}`, 'viewer');
      late.send({ type: 'open', terminalId: id });
      const snap: Snapshot = await late.next('snapshot');
      await watcher.until(() => watcher.messages.some((m) => (m.type === 'output' || m.type === 'resize') && m.seq >= snap.seq), 'watcher catches up');
      const seen = streamUpTo(watcher.messages, id, snap.seq);
      const fromStart = await render(seen.cols, seen.rows, seen.steps);
      const fromSnapshot = await render(snap.cols, snap.rows, [{ data: snap.data }]);
      expect(snap.cols).toBe(90);
      expect(fromSnapshot).toBe(fromStart);
      expect(fromStart).toContain('RED');
    };
    await compare('shell');

    // A full-screen program on the alternate screen.
    host.send({ type: 'input', terminalId: id, data: 'vi -u NONE -N\r' });
    await host.waitOutput(id, '\x1b[?1049h');
    host.send({ type: 'input', terminalId: id, data: 'ihello from vi\x1b' });
    await host.waitOutput(id, 'hello from vi');
    await new Promise((r) => setTimeout(r, 300));
    await compare('vi');
    host.send({ type: 'input', terminalId: id, data: ':q!\r' });
  });

  it('PTY6: reconnecting with lastSeq resumes with no gap and no duplicate', async () => {
    const hub = await startHub();
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    const viewer = await hub.client('v1', 'viewer');
    viewer.send({ type: 'open', terminalId: id });
    const first = await viewer.next('snapshot');
    host.send({ type: 'input', terminalId: id, data: 'seq 1 20000; echo END-$((40+2))\r' });
    await viewer.waitOutput(id, '\n5000\r');
    viewer.ws.terminate();
    const got = viewer.messages.filter((m): m is Extract<PtyServerMessage, { type: 'output' }> => m.type === 'output');
    const lastSeq = got.at(-1)!.seq;

    const again = await hub.client('v1', 'viewer', { resume: { terminalId: id, lastSeq } });
    const resumed = await again.next('resumed');
    expect(resumed.fromSeq).toBe(lastSeq + 1);
    await again.waitOutput(id, 'END-42');
    expect(again.messages.some((m) => m.type === 'snapshot')).toBe(false);

    const rest = again.messages.filter((m): m is Extract<PtyServerMessage, { type: 'output' }> => m.type === 'output');
    const seqs = [...got, ...rest].map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => first.seq + 1 + i));
    const text = [...got, ...rest].map((m) => m.data).join('');
    const lines = text.replace(/\x1b\[[?0-9;]*[A-Za-z]/g, '').split('\n').map((l) => l.replace(/\r$/, '').split('\r').at(-1)!);
    const numbers = lines.filter((l) => /^\d+$/.test(l)).map(Number);
    expect(numbers).toEqual(Array.from({ length: 20000 }, (_, i) => i + 1));
  });

  it('PTY6: a resume from a sequence the ring no longer holds gets a snapshot instead', async () => {
    const hub = await startHub({ PTY_RING_BYTES: '8192' });
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    await host.run(id, 'seq 1 20000 >/dev/null; seq 1 3000', 'fill');
    const v = await hub.client('v1', 'viewer', { resume: { terminalId: id, lastSeq: 1 } });
    const snap = await v.next('snapshot');
    expect(v.messages.some((m) => m.type === 'resumed')).toBe(false);
    expect(snap.seq).toBeGreaterThan(1);
  });

  it('PTY7: a viewer that stops reading does not hold up the shell or other viewers, and gets a snapshot when it resumes', async () => {
    const hub = await startHub({ PTY_RING_BYTES: '262144', PTY_VIEWER_QUEUE_BYTES: '65536' });
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    const fast = await hub.client('fast', 'viewer');
    fast.send({ type: 'open', terminalId: id });
    await fast.next('snapshot');
    const slow = await hub.client('slow', 'viewer');
    slow.send({ type: 'open', terminalId: id });
    await slow.next('snapshot');
    const paused = slow.ws as unknown as { _socket: { pause(): void; resume(): void } };
    paused._socket.pause();

    // ~7 MB of output while `slow` reads nothing.
    await host.run(id, 'seq 1 1000000', 'bulk', 60_000);
    await fast.waitOutput(id, 'bulk-42', 60_000);
    const fastOut = fast.messages.filter((m): m is Extract<PtyServerMessage, { type: 'output' }> => m.type === 'output');
    const seqs = fastOut.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    expect(slow.output(id).includes('bulk-42')).toBe(false);

    const before = slow.messages.length;
    paused._socket.resume();
    await slow.next('snapshot', () => true, before);
    await host.run(id, 'echo after', 'after');
    await slow.waitOutput(id, 'after-42');
  });

  it('PTY8: viewers see the exit status and a driver restarts the shell', async () => {
    const hub = await startHub();
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    const v = await hub.client('v1', 'viewer');
    v.send({ type: 'open', terminalId: id });
    await v.next('snapshot');
    host.send({ type: 'input', terminalId: id, data: 'exit 7\r' });
    const exit = await v.next('exit');
    expect(exit).toMatchObject({ terminalId: id, code: 7, signal: null });
    await host.next('terminal', (m) => m.terminal.status.state === 'exited');
    host.send({ type: 'input', terminalId: id, data: 'echo nope\r' });
    expect((await host.next('error', (m) => m.request === 'input')).code).toBe('CONFLICT');
    v.send({ type: 'restart', terminalId: id });
    expect((await v.next('error', (m) => m.request === 'restart')).code).toBe('FORBIDDEN');
    host.send({ type: 'restart', terminalId: id });
    await host.next('terminal', (m) => m.terminal.status.state === 'running');
    await host.run(id, 'echo back', 'back');
    await v.waitOutput(id, 'back-42');
  });
});
