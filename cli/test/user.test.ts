import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startServer, tempDir } from '../../collab-server/test/helpers.js';
import { CLI_BIN } from './hubProcess.js';

/** Runs the built CLI with `stdin` as its standard input. */
function coderoom(dataDir: string, stdin: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, DATA_DIR: dataDir } }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
    });
    child.stdin!.end(stdin);
  });
}

/** Signs in over the API; returns the status and the session cookie. */
async function signIn(url: string, email: string, password: string): Promise<{ status: number; cookie: string | null }> {
  const res = await fetch(`${url}/api/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const cookie = /^coderoom_session=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null;
  return { status: res.status, cookie };
}

describe('coderoom user', () => {
  it('ACC11 user create prints only the id (first is admin, --admin for more); list is tab-separated; the hub signs them in', async () => {
    const dataDir = tempDir();
    const first = await coderoom(dataDir, 'first password 1\n', 'user', 'create', '--email', 'Root@Example.com', '--name', 'Root');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^[A-Za-z0-9_-]{16}\n$/);
    const plain = await coderoom(dataDir, 'second password\r\n', 'user', 'create', '--email', 'ann@example.com', '--name', 'Ann Lee');
    const admin = await coderoom(dataDir, 'third password!', 'user', 'create', '--email', 'bo@example.com', '--name', 'Bo', '--admin');
    expect(plain.code).toBe(0);
    expect(admin.code).toBe(0);

    const list = await coderoom(dataDir, '', 'user', 'list');
    expect(list.code).toBe(0);
    const rows = list.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      [first.stdout.trim(), 'root@example.com', 'Root', 'admin'],
      [plain.stdout.trim(), 'ann@example.com', 'Ann Lee', 'user'],
      [admin.stdout.trim(), 'bo@example.com', 'Bo', 'admin'],
    ]);
    expect(rows.every((r) => r.length === 5 && !Number.isNaN(Date.parse(r[4]!)))).toBe(true);

    const { url } = await startServer({}, dataDir);
    expect((await signIn(url, 'ann@example.com', 'second password')).status).toBe(200);
    expect((await signIn(url, 'bo@example.com', 'third password!')).status).toBe(200);
  });

  it('ACC11 user reset-password sets the new password and revokes every session', async () => {
    const dataDir = tempDir();
    await coderoom(dataDir, 'first password 1\n', 'user', 'create', '--email', 'ann@example.com', '--name', 'Ann');
    const { url } = await startServer({}, dataDir);
    const { cookie } = await signIn(url, 'ann@example.com', 'first password 1');
    const me = () => fetch(`${url}/api/auth/me`, { headers: { cookie: `coderoom_session=${cookie}` } }).then((r) => r.status);
    expect(await me()).toBe(200);

    const reset = await coderoom(dataDir, 'reset password 2\n', 'user', 'reset-password', '--email', 'ANN@example.com');
    expect(reset).toMatchObject({ code: 0, stdout: '' });
    expect(await me()).toBe(401);
    expect((await signIn(url, 'ann@example.com', 'first password 1')).status).toBe(401);
    expect((await signIn(url, 'ann@example.com', 'reset password 2')).status).toBe(200);
  });

  it('ACC11 bad input exits 2 with a message on stderr and nothing on stdout', async () => {
    const dataDir = tempDir();
    await coderoom(dataDir, 'first password 1\n', 'user', 'create', '--email', 'ann@example.com', '--name', 'Ann');
    for (const [stdin, args] of [
      ['long enough pw', ['user', 'create', '--email', 'not-an-email', '--name', 'X']],
      ['short', ['user', 'create', '--email', 'x@example.com', '--name', 'X']],
      ['', ['user', 'create', '--email', 'x@example.com', '--name', 'X']],
      ['long enough pw', ['user', 'create', '--email', 'x@example.com', '--name', '  ']],
      ['long enough pw', ['user', 'create', '--email', 'ANN@example.com', '--name', 'Dup']],
      ['long enough pw', ['user', 'create', '--name', 'X']],
      ['long enough pw', ['user', 'reset-password', '--email', 'nobody@example.com']],
      ['short', ['user', 'reset-password', '--email', 'ann@example.com']],
      ['', ['user', 'reset-password']],
    ] as [string, string[]][]) {
      const r = await coderoom(dataDir, stdin, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).not.toBe('');
    }
    const list = await coderoom(dataDir, '', 'user', 'list');
    expect(list.stdout.trim().split('\n')).toHaveLength(1);
  });
});
