import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOM, startHub } from './harness.js';

describe('control', () => {
  it('PTY9/PTY11: non-driver input is refused and never reaches the shell; grant and revoke work; every input is audited with its author', async () => {
    const hub = await startHub();
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    const ws = join(hub.dataDir, 'workspaces', ROOM);
    const student = await hub.client('stu1', 'viewer');
    student.send({ type: 'open', terminalId: id });
    await student.next('snapshot');

    student.send({ type: 'input', terminalId: id, data: 'touch refused-marker\r' });
    const refused = await student.next('error', (m) => m.request === 'input');
    expect(refused).toMatchObject({ code: 'FORBIDDEN', terminalId: id });
    await host.run(id, 'ls', 'sync1');
    expect(existsSync(join(ws, 'refused-marker'))).toBe(false);

    student.send({ type: 'raiseHand', terminalId: id });
    const raised = await host.next('terminal', (m) => m.terminal.hands.some((h) => h.sub === 'stu1'));
    expect(raised.terminal.hands).toEqual([{ sub: 'stu1', name: 'name-stu1' }]);

    student.send({ type: 'grant', terminalId: id, sub: 'stu1' });
    expect((await student.next('error', (m) => m.request === 'grant')).code).toBe('FORBIDDEN');
    host.send({ type: 'grant', terminalId: id, sub: 'stu1' });
    const granted = await student.next('terminal', (m) => m.terminal.drivers.some((d) => d.sub === 'stu1'));
    expect(granted.terminal.hands).toEqual([]);
    await student.run(id, 'touch granted-marker', 'sync2');
    expect(existsSync(join(ws, 'granted-marker'))).toBe(true);

    host.send({ type: 'revoke', terminalId: id, sub: 'stu1' });
    await student.next('terminal', (m) => !m.terminal.drivers.some((d) => d.sub === 'stu1'));
    const before = student.messages.length;
    student.send({ type: 'input', terminalId: id, data: 'touch revoked-marker\r' });
    expect((await student.next('error', (m) => m.request === 'input', before)).code).toBe('FORBIDDEN');
    await host.run(id, 'ls', 'sync3');
    expect(existsSync(join(ws, 'revoked-marker'))).toBe(false);

    const inputs = hub.audit.filter((e) => e.action === 'terminal.input');
    expect(inputs.map((e) => [e.actor, e.actorName, e.target])).toEqual([
      ['host1', 'name-host1', id],
      ['stu1', 'name-stu1', id],
      ['host1', 'name-host1', id],
    ]);
    expect(inputs[1]!.detail).toMatchObject({ text: expect.stringContaining('touch granted-marker'), bytes: expect.any(Number) });
    expect(inputs.some((e) => String(e.detail?.text).includes('refused-marker') || String(e.detail?.text).includes('revoked-marker'))).toBe(false);
    expect(hub.audit.map((e) => e.action)).toEqual(expect.arrayContaining(['terminal.create', 'terminal.grant', 'terminal.revoke']));
  });

  it('PTY10: only drivers resize; watchers are told the size in the stream', async () => {
    const hub = await startHub();
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    const v = await hub.client('v1', 'viewer');
    v.send({ type: 'open', terminalId: id });
    await v.next('snapshot');
    v.send({ type: 'resize', terminalId: id, cols: 50, rows: 10 });
    expect((await v.next('error', (m) => m.request === 'resize')).code).toBe('FORBIDDEN');
    host.send({ type: 'resize', terminalId: id, cols: 120, rows: 40 });
    const r = await v.next('resize');
    expect(r).toMatchObject({ cols: 120, rows: 40 });
    await host.run(id, 'stty size', 'size');
    expect(host.output(id)).toContain('40 120');
  });

  it('PTY4: viewers cannot create terminals; the room cap answers RATE_LIMITED; editors drive what they create', async () => {
    const hub = await startHub({ PTY_MAX_TERMINALS_PER_ROOM: '2' });
    const viewer = await hub.client('v1', 'viewer');
    viewer.send({ type: 'create' });
    expect((await viewer.next('error', (m) => m.request === 'create')).code).toBe('FORBIDDEN');
    const editor = await hub.client('ed1', 'editor');
    const id = await editor.createTerminal();
    await editor.run(id, 'pwd', 'pwd');
    expect(editor.output(id)).toContain(join(hub.dataDir, 'workspaces', ROOM));
    await editor.createTerminal();
    editor.send({ type: 'create' });
    const err = await editor.next('error', (m) => m.request === 'create');
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.message).toContain('PTY_MAX_TERMINALS_PER_ROOM');
  });

  it('PTY15: input over PTY_INPUT_BYTES_PER_SECOND is refused with RATE_LIMITED and dropped', async () => {
    const hub = await startHub({ PTY_INPUT_BYTES_PER_SECOND: '2000' });
    const host = await hub.client('host1', 'host');
    const id = await host.createTerminal();
    host.send({ type: 'input', terminalId: id, data: `# ${'x'.repeat(1500)}` });
    host.send({ type: 'input', terminalId: id, data: `\x15touch over-limit-marker # ${'y'.repeat(600)}\r` });
    const err = await host.next('error', (m) => m.request === 'input');
    expect(err.code).toBe('RATE_LIMITED');
    await new Promise((r) => setTimeout(r, 1100));
    host.send({ type: 'input', terminalId: id, data: '\x03' });
    await host.run(id, 'ls', 'ok');
    expect(existsSync(join(hub.dataDir, 'workspaces', ROOM, 'over-limit-marker'))).toBe(false);
  });
});
