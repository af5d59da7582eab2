import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILE_INDEX_MAP, formatDocName, roomIndexDocName } from '@coderoom/shared';
import { acknowledged, api, connect, joinRoom, startServer, tempDir, waitFor } from './helpers.js';

const GIT_ENV = ['-c', 'user.email=test@example.invalid', '-c', 'user.name=Test', '-c', 'commit.gpgsign=false'];

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...GIT_ENV, ...args], { encoding: 'utf8' });
}

/** A local repository: a few text files, an ignored file, a binary file, a large file, and a second branch. */
function makeRepo(root: string): string {
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'src'), { recursive: true });
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', repo]);
  writeFileSync(join(repo, 'README.md'), '# Demo\n');
  writeFileSync(join(repo, 'src/main.ts'), 'export function greet(name: string): string {\n  return `hello ${name}`;\n}\n');
  writeFileSync(join(repo, '.gitignore'), 'secret.env\n');
  writeFileSync(join(repo, 'secret.env'), 'TOKEN=1\n');
  writeFileSync(join(repo, 'logo.bin'), Buffer.from([0x89, 0x50, 0x00, 0x01, 0x02]));
  writeFileSync(join(repo, 'big.txt'), 'x'.repeat(5000));
  git(repo, 'add', '-A');
  git(repo, 'commit', '--quiet', '-m', 'first');
  git(repo, 'checkout', '--quiet', '-b', 'feature');
  writeFileSync(join(repo, 'src/feature.ts'), 'export const feature = true;\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '--quiet', '-m', 'feature');
  git(repo, 'checkout', '--quiet', 'main');
  return repo;
}

/** A server whose rooms may be cloned from `root`, with a short write debounce and poll interval. */
async function setup() {
  const root = tempDir('coderoom-git-');
  const repo = makeRepo(root);
  const srv = await startServer({ WORKSPACE_GIT_LOCAL_ROOTS: root, WORKSPACE_WRITE_DEBOUNCE_MS: '50', WORKSPACE_POLL_MS: '50', WORKSPACE_MAX_FILE_BYTES: '4096' });
  return { ...srv, root, repo };
}

async function roomFromGit(url: string, source: string, ref?: string) {
  const r = await api(url, 'POST', '/api/rooms/from-git', { name: 'Review', displayName: 'Ada', source, ...(ref ? { ref } : {}) });
  return r;
}

describe('workspace files', () => {
  it('WS9 a room from a local git repository at a ref: tracked text files become room files; ignored files never appear; large and binary files are listed but not opened (WS7)', async () => {
    const { url, wsUrl, dataDir, repo } = await setup();
    const r = await roomFromGit(url, repo, 'feature');
    expect(r.status).toBe(201);
    const roomId: string = r.body.room.id;
    const workspace = join(dataDir, 'workspaces', roomId);
    expect(readFileSync(join(workspace, 'src/feature.ts'), 'utf8')).toBe('export const feature = true;\n');
    expect(existsSync(join(workspace, 'secret.env'))).toBe(false);
    expect(r.body.files).toEqual([
      { path: '.gitignore', openable: true },
      { path: 'README.md', openable: true },
      { path: 'big.txt', openable: false, reason: 'large' },
      { path: 'logo.bin', openable: false, reason: 'binary' },
      { path: 'src/feature.ts', openable: true },
      { path: 'src/main.ts', openable: true },
    ]);
    const listed = await api(url, 'GET', `/api/rooms/${roomId}/files`, undefined, r.body.token);
    expect(listed.body.files.map((f: { path: string }) => f.path)).toEqual(['.gitignore', 'README.md', 'src/feature.ts', 'src/main.ts']);
    const index = connect(wsUrl, roomIndexDocName(roomId), r.body.token);
    await index.synced;
    expect([...index.doc.getMap(FILE_INDEX_MAP).keys()].sort()).toEqual(['.gitignore', 'README.md', 'src/feature.ts', 'src/main.ts']);
    // A file grown past the limit on disk is refused with a clear reason.
    writeFileSync(join(workspace, 'README.md'), 'y'.repeat(5000));
    const big = connect(wsUrl, formatDocName({ roomId, kind: 'file', path: 'README.md' }), r.body.token);
    expect(await big.authFailed).toMatch(/^BAD_REQUEST: README\.md: file is 5000 bytes/);
  });

  it('WS9 bad sources and refs are refused and create no room', async () => {
    const { url, root, dataDir } = await setup();
    expect((await roomFromGit(url, join(root, 'repo'), '--upload-pack=touch /tmp/x')).status).toBe(400);
    expect((await roomFromGit(url, join(root, 'repo'), 'no-such-branch')).body.error.message).toMatch(/git checkout failed/);
    expect((await roomFromGit(url, '/etc')).body.error.message).toMatch(/outside WORKSPACE_GIT_LOCAL_ROOTS/);
    expect((await roomFromGit(url, 'relative/path')).status).toBe(400);
    expect((await roomFromGit(url, join(root, 'nope'))).status).toBe(400);
    const left = existsSync(join(dataDir, 'workspaces')) ? execFileSync('ls', ['-A', join(dataDir, 'workspaces')], { encoding: 'utf8' }) : '';
    expect(left).toBe('');
  });

  it('WS1 WS4 a file opens seeded from disk; a client edit is written back to disk', async () => {
    const { url, wsUrl, dataDir, repo } = await setup();
    const r = await roomFromGit(url, repo);
    const roomId: string = r.body.room.id;
    const file = join(dataDir, 'workspaces', roomId, 'src/main.ts');
    const a = connect(wsUrl, formatDocName({ roomId, kind: 'file', path: 'src/main.ts' }), r.body.token);
    await a.synced;
    expect(a.text.toString()).toBe(readFileSync(file, 'utf8'));
    a.text.insert(0, '// reviewed\n');
    await acknowledged(a.provider);
    await waitFor(() => readFileSync(file, 'utf8').startsWith('// reviewed\nexport function greet'), 10_000, 'write-back');
    expect(readFileSync(file, 'utf8')).toBe(a.text.toString());
    // No temporary files are left behind.
    expect(execFileSync('ls', ['-A', join(dataDir, 'workspaces', roomId, 'src')], { encoding: 'utf8' }).trim().split('\n')).toEqual(['main.ts']);
  });

  it('WS3 a change on disk made by a shell command is merged into the open document while another client types; both edits survive and disk gets the merged text', async () => {
    const { url, wsUrl, dataDir, repo } = await setup();
    const r = await roomFromGit(url, repo);
    const roomId: string = r.body.room.id;
    const file = join(dataDir, 'workspaces', roomId, 'src/main.ts');
    const name = formatDocName({ roomId, kind: 'file', path: 'src/main.ts' });
    const author = connect(wsUrl, name, r.body.token);
    const reviewer = connect(wsUrl, name, await joinRoom(url, roomId, 'Bob'));
    await Promise.all([author.synced, reviewer.synced]);
    const original = author.text.toString();

    // The reviewer types at the end while a "formatter" rewrites line 2 on disk.
    const typing = (async () => {
      for (const ch of '// note\n') {
        reviewer.text.insert(reviewer.text.length, ch);
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    execFileSync('sh', ['-c', `sed -i 's/hello/Hello,/' "${file}"`]);
    await typing;
    await acknowledged(reviewer.provider);

    const want = original.replace('hello', 'Hello,') + '// note\n';
    await waitFor(() => author.text.toString() === want && reviewer.text.toString() === want, 10_000, 'merge into both clients');
    await waitFor(() => readFileSync(file, 'utf8') === want, 10_000, 'merged text on disk');

    // A later `git checkout` of the file in the workspace is merged the same way: both clients see it.
    execFileSync('sh', ['-c', `cd "${join(dataDir, 'workspaces', roomId)}" && git checkout --quiet -- src/main.ts`]);
    await waitFor(() => author.text.toString() === original, 10_000, 'checkout merged');
    expect(reviewer.text.toString()).toBe(original);
  });

  it('WS2 a stored document takes changes made on disk while it was closed as an edit', async () => {
    const { url, wsUrl, dataDir, repo, server } = await setup();
    const r = await roomFromGit(url, repo);
    const roomId: string = r.body.room.id;
    const file = join(dataDir, 'workspaces', roomId, 'README.md');
    const name = formatDocName({ roomId, kind: 'file', path: 'README.md' });
    const a = connect(wsUrl, name, r.body.token);
    await a.synced;
    a.text.insert(a.text.length, 'more\n');
    await acknowledged(a.provider);
    await waitFor(() => readFileSync(file, 'utf8') === '# Demo\nmore\n', 10_000, 'write-back');
    a.provider.destroy();
    a.socket.destroy();
    // Once the document is unloaded, change the file behind its back.
    await waitFor(() => !server.hocuspocus.documents.has(name), 10_000, 'unload');
    writeFileSync(file, '# Demo!\nmore\n');
    const b = connect(wsUrl, name, r.body.token);
    await b.synced;
    await waitFor(() => b.text.toString() === '# Demo!\nmore\n', 10_000, 'disk change on reopen');
  });

  it('WS5 deleting a room file deletes it in the workspace; renaming moves it', async () => {
    const { url, wsUrl, dataDir, repo } = await setup();
    const r = await roomFromGit(url, repo);
    const roomId: string = r.body.room.id;
    const ws = join(dataDir, 'workspaces', roomId);
    const a = connect(wsUrl, formatDocName({ roomId, kind: 'file', path: 'src/main.ts' }), r.body.token);
    await a.synced;
    a.text.insert(0, '// x\n');
    expect((await api(url, 'POST', `/api/rooms/${roomId}/files/rename`, { from: 'src/main.ts', to: 'lib/main.ts' }, r.body.token)).status).toBe(200);
    expect(existsSync(join(ws, 'src/main.ts'))).toBe(false);
    expect(readFileSync(join(ws, 'lib/main.ts'), 'utf8')).toMatch(/^\/\/ x\nexport function greet/);
    expect((await api(url, 'POST', `/api/rooms/${roomId}/files/rename`, { from: 'README.md', to: 'lib/main.ts' }, r.body.token)).status).toBe(409);
    expect((await api(url, 'POST', `/api/rooms/${roomId}/files/delete`, { path: 'README.md' }, r.body.token)).status).toBe(200);
    expect(existsSync(join(ws, 'README.md'))).toBe(false);
  });

  it('WS6 a file path that leaves the workspace through a symlink is refused', async () => {
    const { url, wsUrl, dataDir, repo, root } = await setup();
    const r = await roomFromGit(url, repo);
    const roomId: string = r.body.room.id;
    const ws = join(dataDir, 'workspaces', roomId);
    execFileSync('ln', ['-s', root, join(ws, 'escape')]);
    const created = await api(url, 'POST', `/api/rooms/${roomId}/files`, { path: 'escape/repo/README.md' }, r.body.token);
    expect(created.status).toBe(201);
    const c = connect(wsUrl, formatDocName({ roomId, kind: 'file', path: 'escape/repo/README.md' }), r.body.token);
    expect(await c.authFailed).toMatch(/^BAD_REQUEST: .*leaves the workspace/);
  });
});
