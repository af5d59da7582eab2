import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatDocName } from '@coderoom/shared';
import { PG_SCHEMA_VERSION, SCHEMA_VERSION } from '@coderoom/collab-server';
import { acknowledged, call, connect, createFile, expectError, signUp, tempDir } from '../../collab-server/test/helpers.js';
import { usePostgres } from '../../shared/test/postgres.js';
import { CLI_BIN, startHubProcess } from './hubProcess.js';

const database = usePostgres();

/** Runs the CLI with `env` (and a password on stdin when given). */
function coderoom(env: Record<string, string>, args: string[], stdin?: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 }),
    );
    child.stdin!.end(stdin ?? '');
  });
}

describe('coderoom on PostgreSQL (DATABASE_URL)', () => {
  it('MIG4 coderoom migrate brings a PostgreSQL schema up step by step; SQLite is migrated too; bad --to exits 2', async () => {
    const env = { DATABASE_URL: await database(), DATA_DIR: tempDir() };
    expect(await coderoom(env, ['migrate', '--to', '1'])).toMatchObject({ code: 0, stdout: 'postgres: schema version 0 -> 1\n' });
    expect(await coderoom(env, ['migrate'])).toMatchObject({ code: 0, stdout: `postgres: schema version 1 -> ${PG_SCHEMA_VERSION}\n` });
    expect(await coderoom(env, ['migrate'])).toMatchObject({ code: 0, stdout: `postgres: schema version ${PG_SCHEMA_VERSION}, up to date\n` });
    const bad = await coderoom(env, ['migrate', '--to', '99']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/--to/);
    expect(await coderoom({ DATA_DIR: tempDir() }, ['migrate'])).toMatchObject({ code: 0, stdout: `sqlite: schema version ${SCHEMA_VERSION}\n` });
    const notPg = await coderoom({ DATABASE_URL: 'mysql://x', DATA_DIR: tempDir() }, ['migrate']);
    expect(notPg.code).not.toBe(0);
    expect(notPg.stderr).toMatch(/DATABASE_URL/);
  });

  it('TEAM1 TEAM3 INV1-3 PART1 AUDIT2 on PostgreSQL: a workspace, its room, an invite used once, participants and the workspace audit', async () => {
    const env = { DATABASE_URL: await database(), DATA_DIR: tempDir() };
    const hub = await startHubProcess(env.DATA_DIR, env);
    const owner = await signUp(hub.url, 'olga@example.com', 'Olga');
    const ws = await call(hub.url, 'POST', '/api/workspaces', { cookie: owner.cookie, body: { name: 'Team' } });
    expect(ws.status).toBe(201);
    const workspaceId = ws.body.workspace.id as string;
    const room = await call(hub.url, 'POST', `/api/workspaces/${workspaceId}/rooms`, { cookie: owner.cookie, body: { name: 'Room', kind: 'review', requireApproval: false } });
    expect(room.status, JSON.stringify(room.body)).toBe(201);
    const roomId = room.body.room.id as string;
    const hostToken = room.body.token as string;
    const inv = await call(hub.url, 'POST', `/api/rooms/${roomId}/invites`, { token: hostToken, body: { expiresInSeconds: 600, maxUses: 1, allowGuests: true } });
    expect(inv.status, JSON.stringify(inv.body)).toBe(201);
    const used = await call(hub.url, 'POST', `/api/invites/${inv.body.secret}/accept`, { body: { displayName: 'Gus' } });
    expect(used.status, JSON.stringify(used.body)).toBe(200);
    expectError(await call(hub.url, 'POST', `/api/invites/${inv.body.secret}/accept`, { body: { displayName: 'Gia' } }), 'INVITE_EXHAUSTED');
    const participants = await call(hub.url, 'GET', `/api/rooms/${roomId}/participants`, { token: hostToken });
    expect((participants.body.participants as { name: string }[]).map((p) => p.name).sort()).toEqual(['Gus', 'Olga']);
    // PostgreSQL's audit rows are written in the background, right after the acts.
    let actions: string[] = [];
    for (let i = 0; i < 50 && !actions.includes('invite.use'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const audit = await call(hub.url, 'GET', `/api/workspaces/${workspaceId}/audit`, { cookie: owner.cookie });
      expect(audit.status).toBe(200);
      actions = (audit.body.entries as { action: string; workspaceId: string }[]).map((e) => (e.workspaceId === workspaceId ? e.action : `elsewhere:${e.action}`));
    }
    expect(actions).toEqual(expect.arrayContaining(['workspace.create', 'room.create', 'invite.create', 'invite.use']));
    expect(actions.filter((a) => a.startsWith('elsewhere:'))).toEqual([]);
  });

  it('CLI1 ACC11 HEALTH1 admin commands and the hub share one PostgreSQL: rooms, tokens, accounts and documents; /readyz reports a lost database', async () => {
    const env = { DATABASE_URL: await database(), DATA_DIR: tempDir() };
    const roomId = (await coderoom(env, ['room', 'create', '--name', 'On PG'])).stdout.trim();
    expect(roomId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const token = (await coderoom(env, ['token', '--room', roomId, '--name', 'Ann', '--role', 'host'])).stdout.trim();
    const userId = await coderoom(env, ['user', 'create', '--email', 'ann@example.com', '--name', 'Ann'], 'a long password\n');
    expect(userId).toMatchObject({ code: 0 });
    expect((await coderoom(env, ['user', 'list'])).stdout).toMatch(new RegExp(`^${userId.stdout.trim()}\\tann@example.com\\tAnn\\tadmin\\t`));

    const hub = await startHubProcess(env.DATA_DIR, env);
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(200);
    const signin = await fetch(`${hub.url}/api/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ann@example.com', password: 'a long password' }) });
    expect(signin.status).toBe(200);
    await createFile(hub.url, roomId, 'pg.txt', token);
    const c = connect(hub.wsUrl, formatDocName({ roomId, kind: 'file', path: 'pg.txt' }), token);
    await c.synced;
    c.text.insert(0, 'stored in PostgreSQL');
    await acknowledged(c.provider);

    // The database goes away: the hub stays up and says it is not ready.
    await database.server().stop('fast');
    const lost = await fetch(`${hub.url}/readyz`);
    expect(lost.status).toBe(503);
    expect(((await lost.json()) as { reason: string }).reason).toMatch(/^storage: /);
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
  });
});
