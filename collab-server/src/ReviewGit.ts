import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BadRequestError, REVIEW_RECENT_COMMITS, type ChangedFile, type ReviewFileResponse, type ReviewRefsResponse } from '@coderoom/shared';
import { isBinary } from './Workspace.js';

const run = promisify(execFile);

/** Largest output of one git command we read. */
const GIT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/** Longest git error message passed back to the caller. */
const GIT_ERROR_CHARS = 300;

export interface ReviewGitOptions {
  /** Kill a git command after this many ms. */
  timeoutMs: number;
  /** Files at a ref larger than this are not sent (same limit as opening a file). */
  maxFileBytes: number;
}

/**
 * Reads a room workspace's git history for reviews (SPEC REVIEW1-3) with the system `git`:
 * execFile, no shell, `--git-dir`/`--work-tree` given explicitly so git never looks for a
 * repository above the workspace, and every client-named ref checked with
 * `rev-parse --verify --end-of-options <ref>^{commit}` before use; paths are literal (no globs).
 */
export class ReviewGit {
  constructor(private readonly options: ReviewGitOptions) {}

  /** Whether the workspace directory is itself a git repository (has its own `.git`). */
  async isRepository(dir: string): Promise<boolean> {
    const st = await stat(join(dir, '.git')).catch(() => null);
    return st?.isDirectory() ?? false;
  }

  /** HEAD, branches (local and the clone's remote-tracking ones), tags, and recent commits of HEAD. */
  async refs(dir: string): Promise<ReviewRefsResponse> {
    if (!(await this.isRepository(dir))) return { repository: false, head: null, branches: [], commits: [] };
    const sha = (await this.git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).toString('utf8').trim();
    const branch = (await this.git(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => Buffer.from(''))).toString('utf8').trim();
    const refs = (await this.git(dir, ['for-each-ref', '--format=%(refname)%00%(refname:short)%00%(objectname)', 'refs/heads', 'refs/remotes', 'refs/tags'])).toString('utf8');
    const branches = refs
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\0'))
      // A clone's `origin/HEAD` is only an alias of its default branch.
      .filter(([full = '']) => !full.endsWith('/HEAD'))
      .map(([, name = '', refSha = '']) => ({ name, sha: refSha }));
    const log = (await this.git(dir, ['log', `-n${REVIEW_RECENT_COMMITS}`, '--format=%H%x00%s%x00%an%x00%ct', 'HEAD', '--'])).toString('utf8');
    const commits = log
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [c = '', subject = '', author = '', time = '0'] = line.split('\0');
        return { sha: c, subject, author, time: Number(time) * 1000 };
      });
    return { repository: true, head: { sha, branch: branch || null }, branches, commits };
  }

  /** The commit a client-named ref points at; BAD_REQUEST when it names none. */
  async resolveCommit(dir: string, ref: string): Promise<string> {
    if (!(await this.isRepository(dir))) throw new BadRequestError('the workspace is not a git repository');
    const out = await this.git(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).catch(() => null);
    if (out === null) throw new BadRequestError(`unknown git ref ${ref}`);
    return out.toString('utf8').trim();
  }

  /** A file's text at a commit (`sha` from `resolveCommit`); `exists` false when the commit has no such file. */
  async show(dir: string, ref: string, sha: string, path: string): Promise<ReviewFileResponse> {
    const entry = (await this.git(dir, ['ls-tree', '-z', '--full-tree', sha, '--', path])).toString('utf8').split('\0')[0] ?? '';
    if (!entry) return { ref, sha, path, exists: false, text: '' };
    const m = /^\d+ (\w+) ([0-9a-f]+)\t/.exec(entry);
    if (!m || m[1] !== 'blob') throw new BadRequestError(`${path} is not a file at ${ref}`);
    const size = Number((await this.git(dir, ['cat-file', '-s', m[2]!])).toString('utf8').trim());
    if (size > this.options.maxFileBytes) throw new BadRequestError(`${path} is ${size} bytes at ${ref}, over the ${this.options.maxFileBytes}-byte limit`);
    const blob = await this.git(dir, ['cat-file', 'blob', m[2]!]);
    if (isBinary(blob)) throw new BadRequestError(`${path} is binary at ${ref}`);
    return { ref, sha, path, exists: true, text: blob.toString('utf8') };
  }

  /**
   * Files of the working tree that differ from commit `sha`, with added/removed line counts
   * (`git diff --numstat`), plus untracked, not ignored files (all their lines added). The
   * caller writes pending edits to disk first.
   */
  async changes(dir: string, sha: string): Promise<ChangedFile[]> {
    const out: ChangedFile[] = [];
    const numstat = (await this.git(dir, ['diff', '--numstat', '-z', '--no-renames', sha, '--'])).toString('utf8');
    const status = (await this.git(dir, ['diff', '--name-status', '-z', '--no-renames', sha, '--'])).toString('utf8').split('\0');
    const kinds = new Map<string, string>();
    for (let i = 0; i + 1 < status.length; i += 2) kinds.set(status[i + 1]!, status[i]!);
    for (const record of numstat.split('\0').filter(Boolean)) {
      const [added = '-', removed = '-', path = ''] = record.split('\t');
      const kind = kinds.get(path);
      out.push({
        path,
        added: added === '-' ? null : Number(added),
        removed: removed === '-' ? null : Number(removed),
        status: kind === 'A' ? 'added' : kind === 'D' ? 'deleted' : 'modified',
      });
    }
    const untracked = (await this.git(dir, ['ls-files', '-z', '--others', '--exclude-standard'])).toString('utf8').split('\0').filter(Boolean);
    for (const path of untracked) {
      const buf = await readFile(join(dir, ...path.split('/'))).catch(() => null);
      const lines = buf === null || isBinary(buf) ? null : countLines(buf.toString('utf8'));
      out.push({ path, added: lines, removed: lines === null ? null : 0, status: 'added' });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  private async git(dir: string, args: string[]): Promise<Buffer> {
    try {
      const { stdout } = await run('git', [`--git-dir=${join(dir, '.git')}`, `--work-tree=${dir}`, '--literal-pathspecs', '-c', 'core.quotePath=false', ...args], {
        cwd: dir,
        timeout: this.options.timeoutMs,
        maxBuffer: GIT_MAX_OUTPUT_BYTES,
        encoding: 'buffer',
      });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: Buffer; killed?: boolean; message: string };
      const detail = e.killed ? `timed out after ${this.options.timeoutMs} ms` : (e.stderr?.toString('utf8') || e.message).trim().split('\n')[0]!.slice(0, GIT_ERROR_CHARS);
      throw new BadRequestError(`git ${args[0]} failed: ${detail}`);
    }
  }
}

/** Lines as `git diff --numstat` counts them: newline-terminated lines, plus an unterminated last one. */
function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text === '' || text.endsWith('\n') ? n : n + 1;
}
