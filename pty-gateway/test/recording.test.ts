import { readFileSync } from 'node:fs';
import * as nodePty from 'node-pty';
import { describe, expect, it } from 'vitest';
import { ROOM, startHub } from './harness.js';

/**
 * `asciinema cat` insists on a /dev/tty, so it runs under a pty; resolves with what it printed.
 * The shell lingers after it so the pty is drained before exit (node-pty can drop an exiting process's last output).
 */
function asciinemaCat(path: string, home: string): Promise<string> {
  return new Promise((resolve) => {
    const p = nodePty.spawn('/bin/sh', ['-c', 'asciinema cat "$0"; rc=$?; sleep 0.3; exit $rc', path], { cols: 120, rows: 40, env: { PATH: process.env.PATH ?? '', HOME: home, LANG: 'C.UTF-8', TERM: 'xterm-256color' } });
    let out = '';
    p.onData((d) => (out += d));
    p.onExit(({ exitCode }) => setTimeout(() => resolve(`${out}\n[exit ${exitCode}]`), 50));
  });
}

describe('recording', () => {
  it('PTY16: a host records to asciicast v2 that `asciinema cat` plays, listed and looked up for the REST API', async () => {
    const hub = await startHub();
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    const viewer = await hub.client('v1', 'viewer');
    viewer.send({ type: 'recordStart', terminalId: id });
    expect((await viewer.next('error', (m) => m.request === 'recordStart')).code).toBe('FORBIDDEN');

    host.send({ type: 'recordStart', terminalId: id });
    const started = await host.next('terminal', (m) => m.terminal.recording !== null);
    expect(hub.gateway.listRecordings(ROOM)).toMatchObject([{ id: started.terminal.recording!.id, active: true }]);
    await host.run(id, 'echo hello-recording', 'rec');
    host.send({ type: 'resize', terminalId: id, cols: 100, rows: 30 });
    await host.run(id, 'echo after-resize', 'rec2');
    const beforeStop = host.messages.length;
    host.send({ type: 'recordStop', terminalId: id });
    await host.next('terminal', (m) => m.terminal.recording === null, beforeStop);

    const list = hub.gateway.listRecordings(ROOM);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: started.terminal.recording!.id, width: 80, height: 24, active: false });
    const path = hub.gateway.recordingPath(ROOM, list[0]!.id)!;
    expect(path).toBe(`${hub.dataDir}/recordings/${ROOM}/${list[0]!.id}.cast`);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ version: 2, width: 80, height: 24 });
    for (const l of lines.slice(1)) expect(JSON.parse(l)).toEqual([expect.any(Number), expect.stringMatching(/^[or]$/), expect.any(String)]);
    expect(lines.some((l) => l.includes('"r","100x30"'))).toBe(true);

    const stdout = await asciinemaCat(path, hub.dataDir);
    expect(stdout).toContain('[exit 0]');
    expect(stdout).toContain('hello-recording');
    expect(stdout).toContain('after-resize');

    expect(hub.gateway.recordingPath(ROOM, '../../keys/signing.jwk')).toBeNull();
    expect(hub.gateway.recordingPath('../etc', list[0]!.id)).toBeNull();
    expect(hub.gateway.recordingPath(ROOM, 'tnothere-123')).toBeNull();
  });

  it('PTY16: a stop sent right after a start still writes the screen the recording began with', async () => {
    const hub = await startHub();
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    await host.run(id, 'echo on-screen-before', 'pre');
    const before = host.messages.length;
    // Back to back: the stop reaches the gateway while the recording still waits for its first snapshot.
    host.send({ type: 'recordStart', terminalId: id });
    host.send({ type: 'recordStop', terminalId: id });
    await host.next('terminal', (m) => m.terminal.recording === null, before);

    const [rec] = hub.gateway.listRecordings(ROOM);
    expect(rec).toMatchObject({ active: false });
    const lines = readFileSync(hub.gateway.recordingPath(ROOM, rec!.id)!, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).some((l) => l.includes('on-screen-before'))).toBe(true);
  });
});
