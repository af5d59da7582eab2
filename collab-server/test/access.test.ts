import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { DRIVE_ALL_TERMINALS_GRANT, formatDocName } from '@coderoom/shared';
import { openDatabase } from '../src/index.js';
import { acknowledged, call, connect, createFile, expectError, signUp, startServer, waitFor, type CallResult } from './helpers.js';


/** A hub with an owner (the instance admin), a workspace and a room of `kind` in it. */
async function setup(kind: 'review' | 'pairing' | 'class' = 'review', requireApproval = false) {
  const t = await startServer();
  const owner = await signUp(t.url, 'olga@example.com', 'Olga');
  const ws = await call(t.url, 'POST', '/api/workspaces', { cookie: owner.cookie, body: { name: 'Team' } });
  expect(ws.status).toBe(201);
  const room = await call(t.url, 'POST', `/api/workspaces/${ws.body.workspace.id}/rooms`, { cookie: owner.cookie, body: { name: 'Room', kind, requireApproval } });
  expect(room.status, JSON.stringify(room.body)).toBe(201);
  return { ...t, owner, workspaceId: ws.body.workspace.id as string, roomId: room.body.room.id as string, hostToken: room.body.token as string };
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function invite(s: Setup, body: Record<string, unknown> = {}): Promise<{ secret: string; id: string }> {
  const r = await call(s.url, 'POST', `/api/rooms/${s.roomId}/invites`, { token: s.hostToken, body: { expiresInSeconds: 3600, maxUses: 10, allowGuests: true, ...body } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { secret: r.body.secret, id: r.body.invite.id };
}

/** A review room with a file `main.ts` and a guest editor who came by invite. */
async function guestWithFile() {
  const s = await setup();
  await createFile(s.url, s.roomId, 'main.ts', s.hostToken);
  const { secret } = await invite(s);
  const gus = (await acceptAsGuest(s, secret, 'Gus')).body as { sub: string; token: string };
  return { s, secret, gus, name: formatDocName({ roomId: s.roomId, kind: 'file', path: 'main.ts' }) };
}

async function acceptAsGuest(s: Setup, secret: string, displayName = 'Gus'): Promise<CallResult> {
  return call(s.url, 'POST', `/api/invites/${secret}/accept`, { body: { displayName } });
}

describe('workspaces', () => {
  it('TEAM1 a signed-in account creates a workspace and owns it; unauthenticated and bad input are refused', async () => {
    const { url } = await startServer();
    expectError(await call(url, 'POST', '/api/workspaces', { body: { name: 'X' } }), 'UNAUTHORIZED');
    expectError(await call(url, 'GET', '/api/workspaces'), 'UNAUTHORIZED');
    const { cookie } = await signUp(url);
    for (const body of [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 'A', extra: 1 }]) expectError(await call(url, 'POST', '/api/workspaces', { cookie, body }), 'BAD_REQUEST');
    const r = await call(url, 'POST', '/api/workspaces', { cookie, body: { name: 'Platform team' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ workspace: { name: 'Platform team' }, role: 'owner' });
    const list = await call(url, 'GET', '/api/workspaces', { cookie });
    expect(list.body.workspaces).toEqual([{ ...r.body.workspace, role: 'owner' }]);
  });

  it('TEAM2 owners add, promote and remove members; members and strangers cannot; the last owner stays', async () => {
    const s = await setup();
    const bo = await signUp(s.url, 'bo@example.com', 'Bo');
    const cy = await signUp(s.url, 'cy@example.com', 'Cy');
    const members = `/api/workspaces/${s.workspaceId}/members`;
    expectError(await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}`, { cookie: bo.cookie }), 'FORBIDDEN');
    expectError(await call(s.url, 'GET', '/api/workspaces/nosuchworkspace1', { cookie: bo.cookie }), 'NOT_FOUND');
    expectError(await call(s.url, 'POST', members, { cookie: s.owner.cookie, body: { email: 'nobody@example.com', role: 'member' } }), 'NOT_FOUND');
    expectError(await call(s.url, 'POST', members, { cookie: s.owner.cookie, body: { email: 'bo@example.com', role: 'admin' } }), 'BAD_REQUEST');
    expectError(await call(s.url, 'POST', members, { body: { email: 'bo@example.com', role: 'member' } }), 'UNAUTHORIZED');
    const added = await call(s.url, 'POST', members, { cookie: s.owner.cookie, body: { email: 'BO@example.com', role: 'member' } });
    expect(added.body.member).toMatchObject({ userId: bo.user.id, email: 'bo@example.com', role: 'member' });
    // A member can read the workspace but not manage it.
    const detail = await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}`, { cookie: bo.cookie });
    expect(detail.body.role).toBe('member');
    expect(detail.body.members.map((m: { email: string }) => m.email)).toEqual(['olga@example.com', 'bo@example.com']);
    expect(detail.body.rooms).toEqual([expect.objectContaining({ id: s.roomId, access: { workspaceId: s.workspaceId, kind: 'review', requireApproval: false, joinByLink: false } })]);
    expectError(await call(s.url, 'POST', members, { cookie: bo.cookie, body: { email: 'cy@example.com', role: 'member' } }), 'FORBIDDEN');
    // The only owner cannot demote or remove themselves; with a second owner they can.
    expectError(await call(s.url, 'POST', members, { cookie: s.owner.cookie, body: { email: 'olga@example.com', role: 'member' } }), 'CONFLICT');
    expectError(await call(s.url, 'POST', `${members}/${s.owner.user.id}/remove`, { cookie: s.owner.cookie, body: {} }), 'CONFLICT');
    await call(s.url, 'POST', members, { cookie: s.owner.cookie, body: { email: 'bo@example.com', role: 'owner' } });
    expect((await call(s.url, 'POST', `${members}/${s.owner.user.id}/remove`, { cookie: bo.cookie, body: {} })).status).toBe(200);
    expectError(await call(s.url, 'GET', `/api/workspaces/${s.workspaceId}`, { cookie: s.owner.cookie }), 'FORBIDDEN');
    expectError(await call(s.url, 'POST', `${members}/${cy.user.id}/remove`, { cookie: bo.cookie, body: {} }), 'NOT_FOUND');
  });

  it('TEAM3 room kinds: owners host, members get the preset role (class: viewer), pairing editors drive every terminal; strangers need an invite', async () => {
    for (const [kind, memberRole] of [['review', 'editor'], ['pairing', 'editor'], ['class', 'viewer']] as const) {
      const s = await setup(kind);
      const bo = await signUp(s.url, 'bo@example.com', 'Bo');
      const stranger = await signUp(s.url, 'st@example.com', 'St');
      await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/members`, { cookie: s.owner.cookie, body: { email: 'bo@example.com', role: 'member' } });
      const enter = await call(s.url, 'POST', `/api/rooms/${s.roomId}/enter`, { cookie: bo.cookie, body: {} });
      expect(enter.status).toBe(200);
      expect(enter.body.role).toBe(memberRole);
      expect(enter.body.sub).toBe(`user:${bo.user.id}`);
      const claims = decodeJwt(enter.body.token);
      expect(claims.sub).toBe(`user:${bo.user.id}`);
      expect(claims.grants).toEqual(kind === 'pairing' ? [DRIVE_ALL_TERMINALS_GRANT] : []);
      expect(decodeJwt(s.hostToken)).toMatchObject({ sub: `user:${s.owner.user.id}`, role: 'host', grants: [] });
      expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/enter`, { cookie: stranger.cookie, body: {} }), 'FORBIDDEN');
      expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/enter`, { body: {} }), 'UNAUTHORIZED');
      // Rooms of a workspace are not open by link.
      expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/join`, { body: { displayName: 'Mallory', role: 'editor' } }), 'FORBIDDEN');
      expect((await call(s.url, 'GET', `/api/rooms/${s.roomId}`)).body.access).toEqual({ workspaceId: s.workspaceId, kind, requireApproval: false, joinByLink: false });
    }
    const s = await setup();
    expectError(await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/rooms`, { cookie: s.owner.cookie, body: { name: 'R', kind: 'party' } }), 'BAD_REQUEST');
    const other = await signUp(s.url, 'x@example.com', 'X');
    expectError(await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/rooms`, { cookie: other.cookie, body: { name: 'R', kind: 'review' } }), 'FORBIDDEN');
  });

  it('TEAM4 a member removed from the workspace is removed from its rooms: the token stops refreshing and entering is refused', async () => {
    const s = await setup();
    const bo = await signUp(s.url, 'bo@example.com', 'Bo');
    await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/members`, { cookie: s.owner.cookie, body: { email: 'bo@example.com', role: 'member' } });
    const token = (await call(s.url, 'POST', `/api/rooms/${s.roomId}/enter`, { cookie: bo.cookie, body: {} })).body.token;
    expect((await call(s.url, 'POST', `/api/rooms/${s.roomId}/token`, { token })).status).toBe(200);
    expect((await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/members/${bo.user.id}/remove`, { cookie: s.owner.cookie, body: {} })).status).toBe(200);
    expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/token`, { token }), 'FORBIDDEN');
    expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/enter`, { cookie: bo.cookie, body: {} }), 'FORBIDDEN');
    const participants = (await call(s.url, 'GET', `/api/rooms/${s.roomId}/participants`, { token: s.hostToken })).body.participants;
    expect(participants.find((p: { sub: string }) => p.sub === `user:${bo.user.id}`).removedAt).toEqual(expect.any(Number));
  });

  it('TEAM5 owners host every room of the workspace by ownership alone: made a member, they stop hosting at their next request; hosts cannot demote them', async () => {
    const s = await setup();
    const bo = await signUp(s.url, 'bo@example.com', 'Bo');
    const members = `/api/workspaces/${s.workspaceId}/members`;
    await call(s.url, 'POST', members, { cookie: s.owner.cookie, body: { email: 'bo@example.com', role: 'owner' } });
    const cy = await signUp(s.url, 'cy@example.com', 'Cy');
    await call(s.url, 'POST', members, { cookie: s.owner.cookie, body: { email: 'cy@example.com', role: 'member' } });
    const cyRoom = (await call(s.url, 'POST', `/api/workspaces/${s.workspaceId}/rooms`, { cookie: cy.cookie, body: { name: 'Cy room', kind: 'review' } })).body;
    const boIn = (await call(s.url, 'POST', `/api/rooms/${cyRoom.room.id}/enter`, { cookie: bo.cookie, body: {} })).body;
    expect(boIn.role).toBe('host');
    expectError(await call(s.url, 'POST', `/api/rooms/${cyRoom.room.id}/participants/${encodeURIComponent(boIn.sub)}/role`, { token: cyRoom.token, body: { role: 'viewer' } }), 'CONFLICT');
    const inviteBody = { expiresInSeconds: 600, maxUses: 1, allowGuests: true };
    expect((await call(s.url, 'POST', `/api/rooms/${cyRoom.room.id}/invites`, { token: boIn.token, body: inviteBody })).status).toBe(201);
    await call(s.url, 'POST', members, { cookie: s.owner.cookie, body: { email: 'bo@example.com', role: 'member' } });
    expectError(await call(s.url, 'POST', `/api/rooms/${cyRoom.room.id}/invites`, { token: boIn.token, body: inviteBody }), 'FORBIDDEN');
    expect(decodeJwt((await call(s.url, 'POST', `/api/rooms/${cyRoom.room.id}/token`, { token: boIn.token })).body.token).role).toBe('editor');
    expect((await call(s.url, 'POST', `/api/rooms/${cyRoom.room.id}/enter`, { cookie: bo.cookie, body: {} })).body.role).toBe('editor');
  });

  it('API1 rooms made by link keep working, and a signed-in creator is their account', async () => {
    const { url } = await startServer();
    const anon = await call(url, 'POST', '/api/rooms', { body: { name: 'R', displayName: 'Ann' } });
    expect(anon.body.sub).toMatch(/^guest:/);
    const joined = await call(url, 'POST', `/api/rooms/${anon.body.room.id}/join`, { body: { displayName: 'Bo', role: 'viewer' } });
    expect(joined.body.role).toBe('viewer');
    expect((await call(url, 'GET', `/api/rooms/${anon.body.room.id}`)).body.access.joinByLink).toBe(true);
    const { cookie, user } = await signUp(url);
    const mine = await call(url, 'POST', '/api/rooms', { cookie, body: { name: 'R', displayName: 'Ann' } });
    expect(mine.body.sub).toBe(`user:${user.id}`);
  });
});

describe('invites', () => {
  it('INV1 hosts make invites (bearer or cookie); the secret is 256-bit, shown once and stored only hashed; others are refused', async () => {
    const s = await setup();
    const r = await call(s.url, 'POST', `/api/rooms/${s.roomId}/invites`, { token: s.hostToken, body: { role: 'viewer', expiresInSeconds: 600, maxUses: 3, allowGuests: true } });
    expect(r.status).toBe(201);
    expect(r.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.body.path).toBe(`/invite/${r.body.secret}`);
    expect(r.body.invite).toMatchObject({ role: 'viewer', maxUses: 3, uses: 0, allowGuests: true, revokedAt: null });
    expect(r.body.invite).not.toHaveProperty('secretHash');
    const viaCookie = await call(s.url, 'POST', `/api/rooms/${s.roomId}/invites`, { cookie: s.owner.cookie, body: { expiresInSeconds: 600, maxUses: 1, allowGuests: false } });
    expect(viaCookie.body.invite.role).toBe('editor'); // the review preset's invite role
    const list = await call(s.url, 'GET', `/api/rooms/${s.roomId}/invites`, { token: s.hostToken });
    expect(list.body.invites).toHaveLength(2);
    expect(JSON.stringify(list.body)).not.toContain(r.body.secret);
    const db = readFileSync(join(s.dataDir, 'coderoom.db')).toString('latin1') + readFileSync(join(s.dataDir, 'coderoom.db-wal')).toString('latin1');
    expect(db).not.toContain(r.body.secret);

    const guest = await acceptAsGuest(s, r.body.secret);
    expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/invites`, { token: guest.body.token, body: { expiresInSeconds: 600, maxUses: 1, allowGuests: true } }), 'FORBIDDEN');
    expectError(await call(s.url, 'GET', `/api/rooms/${s.roomId}/invites`, { token: guest.body.token }), 'FORBIDDEN');
    expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/invites`, { body: { expiresInSeconds: 600, maxUses: 1, allowGuests: true } }), 'UNAUTHORIZED');
    for (const body of [{ expiresInSeconds: 1, maxUses: 1, allowGuests: true }, { expiresInSeconds: 600, maxUses: 0, allowGuests: true }, { expiresInSeconds: 600, maxUses: 1 }, { expiresInSeconds: 600, maxUses: 1, allowGuests: true, secret: 'mine' }]) {
      expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/invites`, { token: s.hostToken, body }), 'BAD_REQUEST');
    }
    expect((await call(s.url, 'GET', `/api/rooms/${s.roomId}/invites`, { token: s.hostToken })).body.invites).toHaveLength(2);
  });

  it('INV2 a guest previews and uses an invite and gets its role; an account gets a token tied to it', async () => {
    const s = await setup('class');
    const { secret } = await invite(s);
    const preview = await call(s.url, 'GET', `/api/invites/${secret}`);
    expect(preview.body).toMatchObject({ room: { id: s.roomId, name: 'Room' }, kind: 'class', role: 'viewer', allowGuests: true, requireApproval: false });
    const guest = await acceptAsGuest(s, secret);
    expect(guest.status).toBe(200);
    expect(guest.body).toMatchObject({ status: 'joined', role: 'viewer', room: { id: s.roomId } });
    expect(guest.body.sub).toMatch(/^guest:/);
    expectError(await call(s.url, 'POST', `/api/invites/${secret}/accept`, { body: {} }), 'BAD_REQUEST'); // guests must name themselves
    const ann = await signUp(s.url, 'ann@example.com', 'Ann');
    const mine = await call(s.url, 'POST', `/api/invites/${secret}/accept`, { cookie: ann.cookie, body: {} });
    expect(mine.body).toMatchObject({ status: 'joined', sub: `user:${ann.user.id}`, role: 'viewer' });
    expect(decodeJwt(mine.body.token)).toMatchObject({ sub: `user:${ann.user.id}`, name: 'Ann', room: s.roomId });
    const invites = (await call(s.url, 'GET', `/api/rooms/${s.roomId}/invites`, { token: s.hostToken })).body.invites;
    expect(invites[0].uses).toBe(2);
    // An invite never lowers a role: promoted to editor, Gus using the viewer link again stays editor.
    await call(s.url, 'POST', `/api/rooms/${s.roomId}/participants/${encodeURIComponent(guest.body.sub)}/role`, { token: s.hostToken, body: { role: 'editor' } });
    const again = await call(s.url, 'POST', `/api/invites/${secret}/accept`, { body: { displayName: 'Gus', sub: guest.body.sub } });
    expect(again.body).toMatchObject({ status: 'joined', role: 'editor', sub: guest.body.sub });
  });

  it('INV3 expired, exhausted, revoked and unknown invites answer documented codes and are not counted; account-only invites refuse guests', async () => {
    const s = await setup();
    const once = await invite(s, { maxUses: 1 });
    expect((await acceptAsGuest(s, once.secret)).status).toBe(200);
    expectError(await acceptAsGuest(s, once.secret), 'INVITE_EXHAUSTED');
    expectError(await call(s.url, 'GET', `/api/invites/${once.secret}`), 'INVITE_EXHAUSTED');

    const revoked = await invite(s);
    expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/invites/${revoked.id}/revoke`, { body: {} }), 'UNAUTHORIZED');
    expect((await call(s.url, 'POST', `/api/rooms/${s.roomId}/invites/${revoked.id}/revoke`, { token: s.hostToken, body: {} })).status).toBe(200);
    expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/invites/${revoked.id}/revoke`, { token: s.hostToken, body: {} }), 'NOT_FOUND');
    expectError(await acceptAsGuest(s, revoked.secret), 'INVITE_REVOKED');

    const expiring = await invite(s, { expiresInSeconds: 60 });
    const db = openDatabase(join(s.dataDir, 'coderoom.db'));
    db.prepare('UPDATE invites SET expires_at = ? WHERE id = ?').run(Date.now() - 1, expiring.id);
    db.close();
    const expired = await acceptAsGuest(s, expiring.secret);
    expectError(expired, 'INVITE_EXPIRED');
    expect(expired.status).toBe(410);

    expectError(await acceptAsGuest(s, 'A'.repeat(43)), 'NOT_FOUND');
    expectError(await acceptAsGuest(s, 'short'), 'NOT_FOUND');

    const accountsOnly = await invite(s, { allowGuests: false });
    expectError(await acceptAsGuest(s, accountsOnly.secret), 'ACCOUNT_REQUIRED');
    const list = (await call(s.url, 'GET', `/api/rooms/${s.roomId}/invites`, { token: s.hostToken })).body.invites as { id: string; uses: number; revokedAt: number | null }[];
    expect(list.find((i) => i.id === revoked.id)).toMatchObject({ uses: 0 });
    expect(list.find((i) => i.id === revoked.id)!.revokedAt).toEqual(expect.any(Number));
    expect(list.find((i) => i.id === expiring.id)).toMatchObject({ uses: 0 });
    expect(list.find((i) => i.id === accountsOnly.id)).toMatchObject({ uses: 0 });
  });
});

describe('lobby', () => {
  it('LOBBY1 with approval a guest waits; the host admits (the long poll wakes with a token) or refuses; only hosts decide', async () => {
    const s = await setup('class', true);
    const { secret } = await invite(s);
    const waiting = await acceptAsGuest(s, secret, 'Gus');
    expect(waiting.status).toBe(202);
    expect(waiting.body).toMatchObject({ status: 'waiting', lobby: { path: `/api/lobby/${waiting.body.lobby.ticket}` } });
    expect(waiting.body).not.toHaveProperty('token');
    const poll = `/api/lobby/${waiting.body.lobby.ticket}`;
    expect((await call(s.url, 'GET', poll)).body).toEqual({ status: 'waiting' });

    const lobby = await call(s.url, 'GET', `/api/rooms/${s.roomId}/lobby`, { token: s.hostToken });
    expect(lobby.body.waiting).toEqual([expect.objectContaining({ id: waiting.body.lobby.id, name: 'Gus', role: 'viewer', status: 'waiting' })]);
    const refusedGuest = await acceptAsGuest(s, secret, 'Rex');
    const viewer = await call(s.url, 'POST', `/api/rooms/${s.roomId}/enter`, { cookie: s.owner.cookie, body: {} });
    expect(viewer.body.role).toBe('host');

    const longPoll = call(s.url, 'GET', `${poll}?waitSeconds=20`);
    await new Promise((r) => setTimeout(r, 100));
    expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/lobby/${waiting.body.lobby.id}/admit`, { body: {} }), 'UNAUTHORIZED');
    const admitted = await call(s.url, 'POST', `/api/rooms/${s.roomId}/lobby/${waiting.body.lobby.id}/admit`, { token: s.hostToken, body: {} });
    expect(admitted.body.waiting.map((e: { name: string }) => e.name)).toEqual(['Rex']);
    const woke = await longPoll;
    expect(woke.body).toMatchObject({ status: 'admitted', role: 'viewer', room: { id: s.roomId } });
    expect(decodeJwt(woke.body.token).sub).toBe(woke.body.sub);
    expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/lobby/${waiting.body.lobby.id}/refuse`, { token: s.hostToken, body: {} }), 'CONFLICT');
    // The admitted guest is a viewer: not a host.
    expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/lobby/${refusedGuest.body.lobby.id}/refuse`, { token: woke.body.token, body: {} }), 'FORBIDDEN');

    expect((await call(s.url, 'POST', `/api/rooms/${s.roomId}/lobby/${refusedGuest.body.lobby.id}/refuse`, { token: s.hostToken, body: {} })).status).toBe(200);
    expect((await call(s.url, 'GET', `/api/lobby/${refusedGuest.body.lobby.ticket}?waitSeconds=1`)).body).toEqual({ status: 'refused' });
    expectError(await call(s.url, 'GET', `/api/lobby/${refusedGuest.body.lobby.ticket}?waitSeconds=99`), 'BAD_REQUEST');
    expectError(await call(s.url, 'GET', `/api/lobby/${'B'.repeat(43)}`), 'NOT_FOUND');
    expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/lobby/nosuchentry1/admit`, { token: s.hostToken, body: {} }), 'NOT_FOUND');
    expect((await call(s.url, 'GET', `/api/rooms/${s.roomId}/lobby`, { token: s.hostToken })).body.waiting).toEqual([]);
  });
});

describe('participants', () => {
  it('PART1 participants are listed to anyone in the room; hosts change roles; others, bad input, unknown people and self-changes are refused', async () => {
    const s = await setup();
    const { secret } = await invite(s);
    const gus = (await acceptAsGuest(s, secret, 'Gus')).body;
    const list = await call(s.url, 'GET', `/api/rooms/${s.roomId}/participants`, { token: gus.token });
    expect(list.body.participants.map((p: { name: string; role: string }) => [p.name, p.role])).toEqual([['Olga', 'host'], ['Gus', 'editor']]);
    expectError(await call(s.url, 'GET', `/api/rooms/${s.roomId}/participants`), 'UNAUTHORIZED');
    const other = await call(s.url, 'POST', '/api/rooms', { body: { name: 'Other', displayName: 'Z' } });
    expectError(await call(s.url, 'GET', `/api/rooms/${s.roomId}/participants`, { token: other.body.token }), 'FORBIDDEN');

    const role = (sub: string) => `/api/rooms/${s.roomId}/participants/${encodeURIComponent(sub)}/role`;
    expectError(await call(s.url, 'POST', role(gus.sub), { token: gus.token, body: { role: 'host' } }), 'FORBIDDEN');
    expectError(await call(s.url, 'POST', role(gus.sub), { token: s.hostToken, body: { role: 'owner' } }), 'BAD_REQUEST');
    expectError(await call(s.url, 'POST', role('guest:nobodyhere'), { token: s.hostToken, body: { role: 'viewer' } }), 'NOT_FOUND');
    expectError(await call(s.url, 'POST', role(`user:${s.owner.user.id}`), { token: s.hostToken, body: { role: 'viewer' } }), 'CONFLICT');
    const changed = await call(s.url, 'POST', role(gus.sub), { token: s.hostToken, body: { role: 'viewer' } });
    expect(changed.body.participant).toMatchObject({ sub: gus.sub, role: 'viewer', removedAt: null });
    // The next refresh carries the new role (PART1, SEC8).
    const refreshed = await call(s.url, 'POST', `/api/rooms/${s.roomId}/token`, { token: gus.token });
    expect(decodeJwt(refreshed.body.token).role).toBe('viewer');
    // REST follows the current role at once, even with the old token.
    expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/files`, { token: gus.token, body: { path: 'x.md' } }), 'FORBIDDEN');
  });

  it('PART3 a demoted editor cannot edit on the open connection, without reconnecting; promoted again, the next keystroke lands', async () => {
    const { s, gus, name } = await guestWithFile();
    const host = connect(s.wsUrl, name, s.hostToken);
    const editor = connect(s.wsUrl, name, gus.token);
    await Promise.all([host.synced, editor.synced]);
    let reconnects = 0;
    editor.socket.on('open', () => reconnects++);
    const notices: unknown[] = [];
    editor.provider.on('stateless', ({ payload }: { payload: string }) => notices.push(JSON.parse(payload)));
    editor.text.insert(0, 'one ');
    await acknowledged(editor.provider);
    await waitFor(() => host.text.toString() === 'one ');

    await call(s.url, 'POST', `/api/rooms/${s.roomId}/participants/${encodeURIComponent(gus.sub)}/role`, { token: s.hostToken, body: { role: 'viewer' } });
    editor.text.insert(editor.text.length, 'two ');
    await new Promise((r) => setTimeout(r, 300));
    expect(editor.provider.unsyncedChanges).toBeGreaterThan(0);
    expect(s.server.hocuspocus.documents.get(name)!.getText('content').toString()).toBe('one ');
    expect(host.text.toString()).toBe('one ');
    await waitFor(() => notices.length === 1);
    expect(notices).toEqual([{ type: 'access.role', role: 'viewer' }]);

    await call(s.url, 'POST', `/api/rooms/${s.roomId}/participants/${encodeURIComponent(gus.sub)}/role`, { token: s.hostToken, body: { role: 'editor' } });
    editor.text.insert(editor.text.length, 'three');
    // The refused edit is fetched again once the connection may write, so nothing is lost.
    await waitFor(() => host.text.toString() === 'one two three');
    await acknowledged(editor.provider);
    expect(notices).toEqual([{ type: 'access.role', role: 'viewer' }, { type: 'access.role', role: 'editor' }]);
    expect(reconnects).toBe(0);
  });

  it('PART4 a removed participant loses the document at once, cannot reconnect, refresh, call REST or come back by invite', async () => {
    const { s, secret, gus, name } = await guestWithFile();
    const editor = connect(s.wsUrl, name, gus.token);
    await editor.synced;
    const closed = new Promise<{ code: number; reason: string }>((resolve) => editor.socket.on('close', ({ event }: { event: { code: number; reason: string } }) => resolve({ code: event.code, reason: event.reason })));
    const removeUrl = `/api/rooms/${s.roomId}/participants/${encodeURIComponent(gus.sub)}/remove`;
    expectError(await call(s.url, 'POST', removeUrl, { token: gus.token, body: {} }), 'FORBIDDEN');
    const removed = await call(s.url, 'POST', removeUrl, { token: s.hostToken, body: {} });
    expect(removed.body.participant.removedAt).toEqual(expect.any(Number));
    expect(await closed).toEqual({ code: 4403, reason: 'FORBIDDEN: removed from the room' });
    // The provider reconnects with the old token and is refused.
    const again = connect(s.wsUrl, name, gus.token);
    expect(await again.authFailed).toBe('FORBIDDEN: you were removed from this room');
    expectError(await call(s.url, 'POST', `/api/rooms/${s.roomId}/token`, { token: gus.token }), 'FORBIDDEN');
    expectError(await call(s.url, 'GET', `/api/rooms/${s.roomId}/files`, { token: gus.token }), 'FORBIDDEN');
    expectError(await call(s.url, 'POST', `/api/invites/${secret}/accept`, { body: { displayName: 'Gus', sub: gus.sub } }), 'FORBIDDEN');
    // Restoring by a role change lets them back in.
    await call(s.url, 'POST', `/api/rooms/${s.roomId}/participants/${encodeURIComponent(gus.sub)}/role`, { token: s.hostToken, body: { role: 'viewer' } });
    expect((await call(s.url, 'POST', `/api/rooms/${s.roomId}/token`, { token: gus.token })).status).toBe(200);
  });
});
