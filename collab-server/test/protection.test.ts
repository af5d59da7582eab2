import { describe, expect, it } from 'vitest';
import { validate, compileErrors } from '@readme/openapi-parser';
import { CONTENT_SECURITY_POLICY, INVITE_ATTEMPTS_PER_IP, OPENAPI_VERSION, SIGNUPS_PER_IP } from '../src/index.js';
import { call, expectError, PASSWORD, signUp, startServer, tempDir } from './helpers.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const EVIL = 'https://evil.example';

/** A hub with an admin owner, a workspace, a room in it (host token), and a room made by link. */
async function world() {
  const web = tempDir();
  mkdirSync(join(web, 'assets'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)');
  const t = await startServer({ WEB_DIST_DIR: web });
  const owner = await signUp(t.url, 'olga@example.com', 'Olga');
  const ws = (await call(t.url, 'POST', '/api/workspaces', { cookie: owner.cookie, body: { name: 'Team' } })).body.workspace.id as string;
  const room = (await call(t.url, 'POST', `/api/workspaces/${ws}/rooms`, { cookie: owner.cookie, body: { name: 'R', kind: 'review' } })).body;
  return { ...t, owner, ws, roomId: room.room.id as string, hostToken: room.token as string };
}

/** A route path with its parameters filled: real ids where they exist, stand-ins elsewhere. */
function fill(path: string, w: { ws: string; roomId: string }): string {
  return path
    .replace(':id', path.startsWith('/api/workspaces') ? w.ws : w.roomId)
    .replace(/:[A-Za-z]+/g, (m) => (m === ':sub' ? 'guest%3Aabcdefgh' : m === ':secret' || m === ':ticket' ? 'A'.repeat(43) : 'abcdefghijkl'));
}

async function auditCount(server: Awaited<ReturnType<typeof startServer>>['server']): Promise<number> {
  let n = 0;
  for await (const _ of server.audit.query({ scope: 'all', limit: 100_000 })) n++;
  return n;
}

describe('protection', () => {
  it('SEC9 every HTTP response carries the security headers and the CSP, API, static files and errors alike', async () => {
    const w = await world();
    for (const path of ['/', '/assets/app.js', '/api/auth/me', '/api/nope', '/healthz', '/api/openapi.json', '/room/abc']) {
      const res = await fetch(w.url + path);
      expect(res.headers.get('content-security-policy'), path).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('SEC10 CSRF: every state-changing route reached with the session cookie refuses a foreign Origin and a non-JSON body, and changes nothing', async () => {
    const w = await world();
    const routes = w.server.api.router.list().filter((r) => r.method === 'POST');
    expect(routes.length).toBeGreaterThan(20);
    const before = await auditCount(w.server);
    const workspacesBefore = (await call(w.url, 'GET', '/api/workspaces', { cookie: w.owner.cookie })).body.workspaces.length;
    for (const r of routes) {
      const path = fill(r.path, w);
      const foreign = await call(w.url, 'POST', path, { cookie: w.owner.cookie, origin: EVIL, body: {} });
      expect(foreign.status, `${r.path} ${JSON.stringify(foreign.body)}`).toBe(403);
      expect(foreign.body.error.code).toBe('FORBIDDEN');
      expectError(await call(w.url, 'POST', path, { cookie: w.owner.cookie, origin: 'null', body: {} }), 'FORBIDDEN');
      const form = await call(w.url, 'POST', path, { cookie: w.owner.cookie, contentType: 'application/x-www-form-urlencoded' });
      expect(form.status, r.path).toBe(400);
      // A bearer token beside the cookie does not exempt a route that reads only the cookie.
      if (r.doc?.auth === 'cookie') expectError(await call(w.url, 'POST', path, { cookie: w.owner.cookie, token: w.hostToken, origin: EVIL, body: {} }), 'FORBIDDEN');
    }
    expect(await auditCount(w.server)).toBe(before);
    expect((await call(w.url, 'GET', '/api/workspaces', { cookie: w.owner.cookie })).body.workspaces.length).toBe(workspacesBefore);
    // Same origin passes, and a bearer token (never sent by the browser on its own) is not subject to it.
    expect((await call(w.url, 'POST', '/api/workspaces', { cookie: w.owner.cookie, origin: w.url, body: { name: 'Second' } })).status).toBe(201);
    expect((await call(w.url, 'POST', `/api/rooms/${w.roomId}/token`, { cookie: w.owner.cookie, origin: EVIL, token: w.hostToken, contentType: null })).status).toBe(200);
  });

  it('SEC11 every route with a body or query refuses unknown fields with 400 JSON and changes nothing', async () => {
    const w = await world();
    const before = await auditCount(w.server);
    for (const r of w.server.api.router.list()) {
      if (!r.doc?.body && !r.doc?.query) continue;
      const path = fill(r.path, w);
      const res = r.doc.body
        ? await call(w.url, r.method, path, { cookie: w.owner.cookie, token: r.doc.auth === 'cookie' || r.doc.auth === 'none' ? undefined : w.hostToken, body: { unexpectedField: 1 } })
        : await call(w.url, r.method, `${path}?unexpectedField=1`, { cookie: w.owner.cookie, token: r.doc.auth === 'cookie' || r.doc.auth === 'none' ? undefined : w.hostToken });
      expect(res.status, `${r.method} ${r.path} ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
      if (!r.doc.body) continue;
      // A JSON content type with no JSON at all.
      const garbled = await call(w.url, r.method, path, { cookie: w.owner.cookie, headers: { 'content-type': 'application/json' }, contentType: null });
      expect(garbled.status, `${r.method} ${r.path}`).toBeGreaterThanOrEqual(400);
      expect(garbled.status).toBeLessThan(500);
    }
    // Only the audited refusals (rate-limited or failed sign-in) may have left rows; nothing else changed.
    let after = 0;
    for await (const e of w.server.audit.query({ scope: 'all', limit: 1000 })) if (e.action !== 'auth.signin_failed') after++;
    expect(after).toBe(before);
  });

  it('SEC14 every route that needs credentials answers 401 without them, and every host-only route 403 to a guest editor', async () => {
    const w = await world();
    const guarded = w.server.api.router.list().filter((r) => r.doc && r.doc.auth !== 'none');
    expect(guarded.length).toBeGreaterThan(25);
    for (const r of guarded) {
      const res = await call(w.url, r.method, fill(r.path, w), r.method === 'GET' ? {} : { body: {} });
      expect(res.status, `${r.method} ${r.path} ${JSON.stringify(res.body)}`).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
    const invite = (await call(w.url, 'POST', `/api/rooms/${w.roomId}/invites`, { token: w.hostToken, body: { expiresInSeconds: 600, maxUses: 5, allowGuests: true } })).body;
    const guest = (await call(w.url, 'POST', `/api/invites/${invite.secret}/accept`, { body: { displayName: 'Gus' } })).body;
    expect(guest.role).toBe('editor');
    const hostOnly = guarded.filter((r) => r.doc!.auth === 'cookie-or-bearer' && r.path.startsWith('/api/rooms/:id/') && !r.path.endsWith('/participants'));
    expect(hostOnly.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /api/rooms/:id/audit', 'GET /api/rooms/:id/invites', 'GET /api/rooms/:id/lobby',
      'POST /api/rooms/:id/invites', 'POST /api/rooms/:id/invites/:inviteId/revoke', 'POST /api/rooms/:id/lobby/:entryId/admit',
      'POST /api/rooms/:id/lobby/:entryId/refuse', 'POST /api/rooms/:id/participants/:sub/remove', 'POST /api/rooms/:id/participants/:sub/role',
    ]);
    const bodies: Record<string, unknown> = { 'POST /api/rooms/:id/invites': { expiresInSeconds: 600, maxUses: 1, allowGuests: true }, 'POST /api/rooms/:id/participants/:sub/role': { role: 'host' } };
    for (const r of hostOnly) {
      const res = await call(w.url, r.method, fill(r.path, w), { token: guest.token, ...(r.method === 'GET' ? {} : { body: bodies[`${r.method} ${r.path}`] ?? {} }) });
      expect(res.status, `${r.method} ${r.path} ${JSON.stringify(res.body)}`).toBe(403);
    }
  });

  it('ACC12 sign-ups are rate limited per IP; INV6 invite previews and uses are rate limited per IP', async () => {
    const { url } = await startServer();
    for (let i = 0; i < SIGNUPS_PER_IP; i++) {
      const r = await call(url, 'POST', '/api/auth/signup', { body: { email: `u${i}@example.com`, password: i % 2 ? PASSWORD : 'short', displayName: 'U' } });
      expect(r.status).not.toBe(429);
    }
    expectError(await call(url, 'POST', '/api/auth/signup', { body: { email: 'late@example.com', password: PASSWORD, displayName: 'Late' } }), 'RATE_LIMITED');

    const w = await world();
    const invite = (await call(w.url, 'POST', `/api/rooms/${w.roomId}/invites`, { token: w.hostToken, body: { expiresInSeconds: 600, maxUses: 1000, allowGuests: true } })).body;
    for (let i = 0; i < INVITE_ATTEMPTS_PER_IP; i++) {
      const r = i % 3 === 0
        ? await call(w.url, 'GET', `/api/invites/${'Z'.repeat(43)}`)
        : i % 3 === 1 ? await call(w.url, 'GET', `/api/invites/${invite.secret}`) : await call(w.url, 'POST', `/api/invites/${invite.secret}/accept`, { body: { displayName: `G${i}` } });
      expect(r.status, String(i)).not.toBe(429);
    }
    expectError(await call(w.url, 'GET', `/api/invites/${invite.secret}`), 'RATE_LIMITED');
    expectError(await call(w.url, 'POST', `/api/invites/${invite.secret}/accept`, { body: { displayName: 'Late' } }), 'RATE_LIMITED');
  });

  it('API2 /api/openapi.json is a valid OpenAPI document covering every route, generated from the zod schemas', async () => {
    const w = await world();
    const r = await call(w.url, 'GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe(OPENAPI_VERSION);
    const result = await validate(structuredClone(r.body));
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(r.body.paths as Record<string, Record<string, unknown>>)) for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path}`);
    for (const route of w.server.api.router.list()) {
      expect(documented).toContain(`${route.method} ${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
      expect(route.doc, `${route.method} ${route.path} has no doc`).toBeDefined();
    }
    const invite = r.body.paths['/api/rooms/{id}/invites'].post;
    expect(invite.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['expiresInSeconds', 'maxUses', 'allowGuests'],
      properties: { maxUses: { type: 'integer', minimum: 1, maximum: 1000 } },
    });
    expect(invite.security).toEqual([{ sessionCookie: [] }, { roomToken: [] }]);
    expect(Object.keys(r.body.paths['/api/invites/{secret}/accept'].post.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '410', '429']));
    // A broken document is caught by the validator (so the check above can fail).
    const broken = structuredClone(r.body);
    broken.paths['/api/workspaces'].post.parameters = [{ name: 'x' }];
    expect((await validate(broken)).valid).toBe(false);
  });
});
