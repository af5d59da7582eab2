import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { formatDocName, type AuditEntry } from '@coderoom/shared';
import { AUDIT_CSV_COLUMNS } from '../src/index.js';
import { call, connect, createFile, expectError, signIn, signUp, startServer, waitFor } from './helpers.js';

/** A hub with an admin owner, a workspace, a class room with approval, and a guest who went through the lobby. */
async function scenario() {
  const t = await startServer();
  const owner = await signUp(t.url, 'olga@example.com', 'Olga');
  await call(t.url, 'POST', '/api/auth/signin', { body: { email: 'olga@example.com', password: 'wrong password here' } });
  const ws = (await call(t.url, 'POST', '/api/workspaces', { cookie: owner.cookie, body: { name: 'Team' } })).body.workspace.id as string;
  const bo = await signUp(t.url, 'bo@example.com', 'Bo');
  await call(t.url, 'POST', `/api/workspaces/${ws}/members`, { cookie: owner.cookie, body: { email: 'bo@example.com', role: 'member' } });
  const room = (await call(t.url, 'POST', `/api/workspaces/${ws}/rooms`, { cookie: owner.cookie, body: { name: 'Class', kind: 'class', requireApproval: true } })).body;
  const invite = (await call(t.url, 'POST', `/api/rooms/${room.room.id}/invites`, { token: room.token, body: { expiresInSeconds: 600, maxUses: 5, allowGuests: true } })).body;
  const gus = (await call(t.url, 'POST', `/api/invites/${invite.secret}/accept`, { body: { displayName: 'Gus' } })).body;
  const rex = (await call(t.url, 'POST', `/api/invites/${invite.secret}/accept`, { body: { displayName: 'Rex' } })).body;
  await call(t.url, 'POST', `/api/rooms/${room.room.id}/lobby/${gus.lobby.id}/admit`, { token: room.token, body: {} });
  await call(t.url, 'POST', `/api/rooms/${room.room.id}/lobby/${rex.lobby.id}/refuse`, { token: room.token, body: {} });
  const admitted = (await call(t.url, 'GET', `/api/lobby/${gus.lobby.ticket}`)).body;
  await call(t.url, 'POST', `/api/rooms/${room.room.id}/participants/${encodeURIComponent(admitted.sub)}/role`, { token: room.token, body: { role: 'editor' } });
  return { ...t, owner, bo, ws, roomId: room.room.id as string, hostToken: room.token as string, invite, guest: admitted as { sub: string; token: string } };
}

describe('audit log', () => {
  it('AUDIT1 every listed act leaves a row: sign-in and failure, workspace admin acts, room creation, invite creation and use, lobby, admission and refusal, joins, enter and leave, role changes, removals, exports', async () => {
    const s = await scenario();
    await createFile(s.url, s.roomId, 'a.md', s.hostToken);
    const doc = connect(s.wsUrl, formatDocName({ roomId: s.roomId, kind: 'file', path: 'a.md' }), s.guest.token);
    await doc.synced;
    doc.provider.destroy();
    doc.socket.destroy();
    await call(s.url, 'POST', `/api/rooms/${s.roomId}/participants/${encodeURIComponent(s.guest.sub)}/remove`, { token: s.hostToken, body: {} });
    await call(s.url, 'GET', `/api/rooms/${s.roomId}/audit?format=jsonl`, { token: s.hostToken });
    await waitFor(() => s.server.hocuspocus.getConnectionsCount() === 0);

    const rows: AuditEntry[] = [];
    for await (const e of s.server.audit.query({ scope: 'all', limit: 1000 })) rows.push(e);
    const actions = rows.map((r) => r.action).reverse();
    for (const a of [
      'auth.signup', 'auth.signin_failed', 'workspace.create', 'workspace.member_set', 'room.create', 'invite.create', 'invite.use', 'lobby.wait',
      'lobby.admit', 'lobby.refuse', 'room.join', 'participant.role', 'file.create', 'room.enter', 'room.leave', 'participant.remove', 'audit.export',
    ]) expect(actions, a).toContain(a);
    const by = (action: string) => rows.find((r) => r.action === action)!;
    expect(by('participant.role')).toMatchObject({ roomId: s.roomId, workspaceId: s.ws, actor: `user:${s.owner.user.id}`, target: s.guest.sub, detail: { from: 'viewer', to: 'editor' } });
    expect(by('lobby.admit')).toMatchObject({ actor: `user:${s.owner.user.id}`, target: s.guest.sub });
    expect(by('room.leave')).toMatchObject({ actor: s.guest.sub, roomId: s.roomId });
    expect(by('invite.use')).toMatchObject({ target: s.invite.invite.id, workspaceId: s.ws });
    expect(by('workspace.member_set')).toMatchObject({ workspaceId: s.ws, target: `user:${s.bo.user.id}`, detail: { role: 'member' } });
    expect(JSON.stringify(rows)).not.toContain(s.invite.secret);
  });

  it('AUDIT2 hosts read their room, owners their workspace, the admin everything; others are refused; filters by time, person and kind', async () => {
    const s = await scenario();
    const roomLog = `/api/rooms/${s.roomId}/audit`;
    const host = await call(s.url, 'GET', roomLog, { token: s.hostToken });
    expect(host.status).toBe(200);
    expect(host.body.entries.every((e: { roomId: string }) => e.roomId === s.roomId)).toBe(true);
    expect(host.body.entries.length).toBeGreaterThan(5);
    expect((await call(s.url, 'GET', roomLog, { cookie: s.owner.cookie })).status).toBe(200);
    expectError(await call(s.url, 'GET', roomLog, { token: s.guest.token }), 'FORBIDDEN');
    expectError(await call(s.url, 'GET', roomLog), 'UNAUTHORIZED');
    expectError(await call(s.url, 'GET', `${roomLog}?limit=0`, { token: s.hostToken }), 'BAD_REQUEST');
    expectError(await call(s.url, 'GET', `${roomLog}?format=xml`, { token: s.hostToken }), 'BAD_REQUEST');
    expectError(await call(s.url, 'GET', `${roomLog}?action=DROP TABLE`, { token: s.hostToken }), 'BAD_REQUEST');
    expectError(await call(s.url, 'GET', `${roomLog}?colour=red`, { token: s.hostToken }), 'BAD_REQUEST');

    const wsLog = await call(s.url, 'GET', `/api/workspaces/${s.ws}/audit`, { cookie: s.owner.cookie });
    expect(wsLog.body.entries.every((e: { workspaceId: string }) => e.workspaceId === s.ws)).toBe(true);
    expect(wsLog.body.entries.map((e: { action: string }) => e.action)).toContain('workspace.member_set');
    expectError(await call(s.url, 'GET', `/api/workspaces/${s.ws}/audit`, { cookie: s.bo.cookie }), 'FORBIDDEN');
    const everything = await call(s.url, 'GET', '/api/audit', { cookie: s.owner.cookie });
    expect(everything.body.entries.map((e: { action: string }) => e.action)).toContain('auth.signin_failed');
    expectError(await call(s.url, 'GET', '/api/audit', { cookie: s.bo.cookie }), 'FORBIDDEN');
    expectError(await call(s.url, 'GET', '/api/audit'), 'UNAUTHORIZED');

    const byPerson = await call(s.url, 'GET', `${roomLog}?actor=${encodeURIComponent(s.guest.sub)}`, { token: s.hostToken });
    expect(new Set(byPerson.body.entries.map((e: { actor: string }) => e.actor))).toEqual(new Set([s.guest.sub]));
    const byKind = await call(s.url, 'GET', `${roomLog}?action=lobby.*`, { token: s.hostToken });
    expect(byKind.body.entries.map((e: { action: string }) => e.action).sort()).toEqual(['lobby.admit', 'lobby.refuse', 'lobby.wait', 'lobby.wait']);
    const all = host.body.entries as { at: number }[];
    const middle = all[Math.floor(all.length / 2)]!.at;
    const byTime = await call(s.url, 'GET', `${roomLog}?from=${middle}&to=${middle}`, { token: s.hostToken });
    expect(byTime.body.entries.length).toBeGreaterThan(0);
    expect(byTime.body.entries.every((e: { at: number }) => e.at === middle)).toBe(true);
    expect((await call(s.url, 'GET', `${roomLog}?limit=2`, { token: s.hostToken })).body.entries).toHaveLength(2);
  });

  it('AUDIT3 CSV and JSON Lines exports stream every matching row as an attachment, defuse spreadsheet formulas, and are themselves audited', async () => {
    const s = await scenario();
    // A display name that a spreadsheet would run as a formula.
    await call(s.url, 'POST', `/api/invites/${s.invite.secret}/accept`, { body: { displayName: '=HYPERLINK("x")' } });
    const json = (await call(s.url, 'GET', `/api/rooms/${s.roomId}/audit`, { token: s.hostToken })).body.entries as { id: number; action: string; actorName: string; detail: unknown }[];

    const jsonl = await call(s.url, 'GET', `/api/rooms/${s.roomId}/audit?format=jsonl`, { token: s.hostToken });
    expect(jsonl.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(jsonl.headers.get('content-disposition')).toMatch(/^attachment; filename="coderoom-audit-.*\.jsonl"$/);
    const lines = (jsonl.body as string).trimEnd().split('\n').map((l) => JSON.parse(l));
    // The export's own row was written before it streamed, so it is first, then exactly the JSON view's rows.
    expect(lines[0].action).toBe('audit.export');
    expect(lines.slice(1)).toEqual(json);

    const csv = await call(s.url, 'GET', `/api/rooms/${s.roomId}/audit?format=csv&action=lobby.*`, { token: s.hostToken });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const records = parse(csv.body as string, { columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(records.map((r) => r.action).sort()).toEqual(['lobby.admit', 'lobby.refuse', 'lobby.wait', 'lobby.wait', 'lobby.wait']);
    const formula = records.find((r) => r.actorName?.includes('HYPERLINK'))!;
    expect(formula.actorName).toBe(`'=HYPERLINK("x")`);
    const admit = records.find((r) => r.action === 'lobby.admit')!;
    expect(JSON.parse(admit.detail!)).toMatchObject({ role: 'viewer' });
    expect(new Date(admit.time!).getTime()).toBe(Number(admit.at));

    const exports = (await call(s.url, 'GET', `/api/rooms/${s.roomId}/audit?action=audit.export`, { token: s.hostToken })).body.entries;
    expect(exports.map((e: { detail: { format: string } }) => e.detail.format)).toEqual(['csv', 'jsonl']);
    expect(await signIn(s.url, 'bo@example.com')).toBeTruthy();
  });
});
