import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReviewThreads, formatDocName, roomReviewDocName } from '@coderoom/shared';
import { acknowledged, api, connect, createFile, createRoom, joinRoom, startServer, tempDir, waitFor } from './helpers.js';

const GIT_ENV = ['-c', 'user.email=test@example.invalid', '-c', 'user.name=Test', '-c', 'commit.gpgsign=false'];

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...GIT_ENV, ...args], { encoding: 'utf8' });
}

const MAIN_V1 = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

/** A repository with two commits on main and a branch `old` at the first one. */
function makeRepo(root: string): string {
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'src'), { recursive: true });
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', repo]);
  writeFileSync(join(repo, 'src/main.ts'), MAIN_V1);
  writeFileSync(join(repo, 'README.md'), '# Demo\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '--quiet', '-m', 'first');
  git(repo, 'branch', 'old');
  writeFileSync(join(repo, 'src/main.ts'), MAIN_V1.replace('line 5\n', 'line five\n'));
  writeFileSync(join(repo, 'src/new.ts'), 'a\nb\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '--quiet', '-m', 'second: rename line 5');
  return repo;
}

async function setup() {
  const root = tempDir('coderoom-review-');
  const repo = makeRepo(root);
  const srv = await startServer({ WORKSPACE_GIT_LOCAL_ROOTS: root, WORKSPACE_WRITE_DEBOUNCE_MS: '5000', WORKSPACE_POLL_MS: '50' });
  const r = await api(srv.url, 'POST', '/api/rooms/from-git', { name: 'Review', displayName: 'Ann', source: repo });
  expect(r.status).toBe(201);
  return { ...srv, repo, roomId: r.body.room.id as string, hostToken: r.body.token as string };
}

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

describe('code review API', () => {
  it('REVIEW1 REVIEW2 refs list HEAD, branches and recent commits; a file reads as it was at a ref, or as absent', async () => {
    const { url, roomId, hostToken } = await setup();
    const viewer = await joinRoom(url, roomId, 'Vic', 'viewer');
    const refs = await api(url, 'GET', `/api/rooms/${roomId}/review/refs`, undefined, viewer);
    expect(refs.status).toBe(200);
    expect(refs.body.repository).toBe(true);
    expect(refs.body.head.branch).toBe('main');
    expect(refs.body.branches.map((b: { name: string }) => b.name).sort()).toEqual(['main', 'origin/main', 'origin/old']);
    expect(refs.body.commits.map((c: { subject: string }) => c.subject)).toEqual(['second: rename line 5', 'first']);
    expect(refs.body.commits[0].sha).toBe(refs.body.head.sha);

    const old = await api(url, 'GET', `/api/rooms/${roomId}/review/file?${q({ ref: 'origin/old', path: 'src/main.ts' })}`, undefined, viewer);
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({ ref: 'origin/old', exists: true, text: MAIN_V1 });
    const parent = await api(url, 'GET', `/api/rooms/${roomId}/review/file?${q({ ref: 'HEAD~1', path: 'src/new.ts' })}`, undefined, hostToken);
    expect(parent.body).toMatchObject({ exists: false, text: '' });
    const head = await api(url, 'GET', `/api/rooms/${roomId}/review/file?${q({ ref: refs.body.head.sha, path: 'src/new.ts' })}`, undefined, hostToken);
    expect(head.body).toMatchObject({ exists: true, text: 'a\nb\n' });
    // Paths are literal, never patterns.
    expect((await api(url, 'GET', `/api/rooms/${roomId}/review/file?${q({ ref: 'HEAD', path: 'src/*.ts' })}`, undefined, hostToken)).body).toMatchObject({ exists: false });
  });

  it('REVIEW2 REVIEW3 bad refs, path escapes and bad tokens answer 4xx JSON and run nothing', async () => {
    const { url, roomId, hostToken } = await setup();
    const file = (ref: string, path: string, token = hostToken) => api(url, 'GET', `/api/rooms/${roomId}/review/file?${q({ ref, path })}`, undefined, token);
    for (const ref of ['--output=/tmp/pwned', '-n', 'HEAD:src/main.ts', 'main..old', 'main@{1}', 'a b', '']) {
      const r = await file(ref, 'src/main.ts');
      expect(r.status, ref).toBe(400);
      expect(r.body.error.code, ref).toBe('BAD_REQUEST');
    }
    const unknown = await file('no-such-branch', 'src/main.ts');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('unknown git ref no-such-branch');
    for (const path of ['../../etc/passwd', '/etc/passwd', 'src/../../x', 'src//main.ts']) {
      expect((await file('HEAD', path)).status, path).toBe(400);
    }
    expect((await file('HEAD', 'src')).body.error.message).toMatch(/not a file/);
    expect((await api(url, 'GET', `/api/rooms/${roomId}/review/changes?${q({ base: '--cached' })}`, undefined, hostToken)).status).toBe(400);
    expect((await api(url, 'GET', `/api/rooms/${roomId}/review/changes?${q({ base: 'HEAD', extra: '1' })}`, undefined, hostToken)).status).toBe(400);
    expect((await api(url, 'GET', `/api/rooms/${roomId}/review/refs`)).status).toBe(401);
    const other = await createRoom(url);
    expect((await api(url, 'GET', `/api/rooms/${roomId}/review/refs`, undefined, other.hostToken)).status).toBe(403);
    // A room without git: refs say so, diffs are refused (git never looks above the workspace).
    expect((await api(url, 'GET', `/api/rooms/${other.roomId}/review/refs`, undefined, other.hostToken)).body).toEqual({ repository: false, head: null, branches: [], commits: [] });
    const noRepo = await api(url, 'GET', `/api/rooms/${other.roomId}/review/changes?${q({ base: 'HEAD' })}`, undefined, other.hostToken);
    expect(noRepo.body.error).toEqual({ code: 'BAD_REQUEST', message: 'the workspace is not a git repository' });
  });

  it('REVIEW3 the changed-files list counts lines against the base, includes edits not yet written back and new files', async () => {
    const { url, wsUrl, roomId, hostToken } = await setup();
    const base = await api(url, 'GET', `/api/rooms/${roomId}/review/changes?${q({ base: 'origin/old' })}`, undefined, hostToken);
    expect(base.body.files).toEqual([
      { path: 'src/main.ts', added: 1, removed: 1, status: 'modified' },
      { path: 'src/new.ts', added: 2, removed: 0, status: 'added' },
    ]);
    // An edit still inside the 5 s write-back debounce counts, and so does a file created in the room.
    const a = connect(wsUrl, formatDocName({ roomId, kind: 'file', path: 'README.md' }), hostToken);
    await a.synced;
    a.text.insert(a.text.length, 'one\ntwo\n');
    await acknowledged(a.provider);
    await createFile(url, roomId, 'docs/notes.md', hostToken);
    const b = connect(wsUrl, formatDocName({ roomId, kind: 'file', path: 'docs/notes.md' }), hostToken);
    await b.synced;
    b.text.insert(0, 'x\ny');
    await acknowledged(b.provider);
    const head = await api(url, 'GET', `/api/rooms/${roomId}/review/changes?${q({ base: 'HEAD' })}`, undefined, hostToken);
    expect(head.body.files).toEqual([
      { path: 'README.md', added: 2, removed: 0, status: 'modified' },
      { path: 'docs/notes.md', added: 2, removed: 0, status: 'added' },
    ]);
  });

  it('REVIEW4 REVIEW5 REVIEW6 AUTH5 a viewer reviews through the API; the review document is read-only on /collab; who may edit and resolve is enforced', async () => {
    const { url, wsUrl, roomId, hostToken } = await setup();
    const viewer = await joinRoom(url, roomId, 'Rita', 'viewer');
    const editor = await joinRoom(url, roomId, 'Ed', 'editor');
    const threadsUrl = `/api/rooms/${roomId}/review/threads`;
    const code = 'line five\nline 6';

    // Stale code (the client saw other text) is refused; so are bad lines and bodies.
    expect((await api(url, 'POST', threadsUrl, { path: 'src/main.ts', fromLine: 5, toLine: 6, body: 'x', code: 'line 5\nline 6' }, viewer)).status).toBe(409);
    expect((await api(url, 'POST', threadsUrl, { path: 'src/main.ts', fromLine: 50, toLine: 60, body: 'x', code: '' }, viewer)).status).toBe(400);
    expect((await api(url, 'POST', threadsUrl, { path: 'src/main.ts', fromLine: 5, toLine: 6, body: '  ', code }, viewer)).status).toBe(400);
    expect((await api(url, 'POST', threadsUrl, { path: 'nope.ts', fromLine: 1, toLine: 1, body: 'x', code: '' }, viewer)).status).toBe(404);

    const created = await api(url, 'POST', threadsUrl, { path: 'src/main.ts', fromLine: 5, toLine: 6, body: 'Why renamed?', code }, viewer);
    expect(created.status).toBe(201);
    const { threadId, commentId } = created.body;

    // Everyone sees it in the review document.
    const review = connect(wsUrl, roomReviewDocName(roomId), hostToken);
    const file = connect(wsUrl, formatDocName({ roomId, kind: 'file', path: 'src/main.ts' }), hostToken);
    await Promise.all([review.synced, file.synced]);
    const threads = new ReviewThreads(review.doc);
    await waitFor(() => threads.get(threadId) !== undefined);
    expect(threads.get(threadId)!.createdBy.name).toBe('Rita');

    // The author inserts lines above: the thread follows its code.
    file.text.insert(0, 'new 1\nnew 2\n');
    await acknowledged(file.provider);
    expect(threads.locate(threads.get(threadId)!, file.text)).toEqual({ startLine: 7, endLine: 8, code, outdated: false });

    // Writing the review document directly is refused, even for the host.
    review.doc.getMap('threads').delete(threadId);
    await new Promise((r) => setTimeout(r, 300));
    expect(review.provider.unsyncedChanges).toBeGreaterThan(0);
    const fresh = connect(wsUrl, roomReviewDocName(roomId), editor);
    await fresh.synced;
    expect(new ReviewThreads(fresh.doc).get(threadId)).toBeDefined();

    // Replies from anyone; edits by the author only.
    expect((await api(url, 'POST', `${threadsUrl}/${threadId}/replies`, { body: 'To match the docs.' }, editor)).status).toBe(201);
    expect((await api(url, 'POST', `${threadsUrl}/${threadId}/comments/${commentId}`, { body: 'hijack' }, editor)).status).toBe(403);
    expect((await api(url, 'POST', `${threadsUrl}/${threadId}/comments/${commentId}`, { body: 'Why renamed line 5?' }, viewer)).status).toBe(200);
    expect((await api(url, 'POST', `${threadsUrl}/AAAAAAAAAAAAAAAA/replies`, { body: 'x' }, editor)).status).toBe(404);
    expect((await api(url, 'POST', `${threadsUrl}/${threadId}/status`, { status: 'closed' }, editor)).status).toBe(400);

    // A viewer resolves only threads they opened; editors and hosts resolve any.
    const hostThread = await api(url, 'POST', threadsUrl, { path: 'src/main.ts', fromLine: 1, toLine: 1, body: 'Header?', code: 'new 1' }, hostToken);
    expect(hostThread.status).toBe(201);
    const denied = await api(url, 'POST', `${threadsUrl}/${hostThread.body.threadId}/status`, { status: 'resolved' }, viewer);
    expect(denied.status).toBe(403);
    expect((await api(url, 'POST', `${threadsUrl}/${hostThread.body.threadId}/status`, { status: 'resolved' }, editor)).status).toBe(200);
    expect((await api(url, 'POST', `${threadsUrl}/${threadId}/status`, { status: 'resolved' }, viewer)).status).toBe(200);
    const fresh2 = connect(wsUrl, roomReviewDocName(roomId), editor);
    await fresh2.synced;
    const t = new ReviewThreads(fresh2.doc).get(threadId)!;
    expect(t.status).toBe('resolved');
    expect(t.comments.map((c) => [c.author.name, c.body, c.editedAt !== null])).toEqual([
      ['Rita', 'Why renamed line 5?', true],
      ['Ed', 'To match the docs.', false],
    ]);
  });

  it('REVIEW4 REV3 threads written by the server persist with the room across a restart', async () => {
    const { url, server, dataDir, roomId, hostToken } = await setup();
    const r = await api(url, 'POST', `/api/rooms/${roomId}/review/threads`, { path: 'README.md', fromLine: 1, toLine: 1, body: 'Keep?', code: '# Demo' }, hostToken);
    expect(r.status).toBe(201);
    await server.close();
    const again = await startServer({}, dataDir);
    const review = connect(again.wsUrl, roomReviewDocName(roomId), hostToken);
    await review.synced;
    expect(new ReviewThreads(review.doc).get(r.body.threadId)?.comments[0]?.body).toBe('Keep?');
  });

  it('REVIEW7 the review exports as Markdown and as GitHub review JSON against the files as they are now', async () => {
    const { url, roomId, hostToken } = await setup();
    const threadsUrl = `/api/rooms/${roomId}/review/threads`;
    expect((await api(url, 'POST', threadsUrl, { path: 'src/main.ts', fromLine: 5, toLine: 5, body: 'Renamed?', code: 'line five' }, hostToken)).status).toBe(201);
    expect((await api(url, 'POST', threadsUrl, { path: 'README.md', fromLine: 1, toLine: 1, body: 'Title', code: '# Demo' }, hostToken)).status).toBe(201);
    const res = await fetch(`${url}/api/rooms/${roomId}/review/export?format=markdown`, { headers: { authorization: `Bearer ${hostToken}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/markdown/);
    const md = await res.text();
    expect(md).toContain('## `README.md`');
    expect(md).toContain('### Line 5 · open\n\n```ts\nline five\n```');
    const json = await api(url, 'GET', `/api/rooms/${roomId}/review/export?format=json`, undefined, hostToken);
    expect(json.body.comments.map((c: { path: string; line: number }) => [c.path, c.line])).toEqual([
      ['README.md', 1],
      ['src/main.ts', 5],
    ]);
    expect((await api(url, 'GET', `/api/rooms/${roomId}/review/export?format=pdf`, undefined, hostToken)).status).toBe(400);
  });
});
