import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, realpath, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { BadRequestError, FilePathSchema, type Logger, type WorkspaceFile } from '@coderoom/shared';
import type { Workspace } from './Workspace.js';

const run = promisify(execFile);

/** Largest output of one git command we read (the file list of a big repository fits). */
const GIT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/** Longest git error message passed back to the caller. */
const GIT_ERROR_CHARS = 300;
/** Sources that are network URLs (anything else must be an absolute local path). */
const URL_SOURCE = /^(https?|ssh|git):\/\/[^\s]+$/;

export interface GitImportOptions {
  /** Absolute directories local sources must lie in; empty refuses local sources. */
  localRoots: readonly string[];
  /** Kill a git command after this many ms. */
  timeoutMs: number;
}

/**
 * Clones a repository for a new room with the system `git` (execFile, no shell; SPEC WS9) and
 * lists its tracked files. Local sources must lie under `WORKSPACE_GIT_LOCAL_ROOTS`, URL
 * sources may use only https, ssh and git; submodules are not fetched.
 */
export class GitImport {
  constructor(
    private readonly workspace: Workspace,
    private readonly options: GitImportOptions,
    private readonly logger: Logger,
  ) {}

  /** Clones `source` at `ref` into a fresh staging directory and returns it; the caller moves or removes it. */
  async clone(source: string, ref: string | undefined): Promise<string> {
    const local = !URL_SOURCE.test(source);
    if (local) await this.checkLocal(source);
    await mkdir(this.workspace.root, { recursive: true });
    const staging = join(this.workspace.root, `.clone-${randomBytes(8).toString('hex')}`);
    const protocols = ['-c', 'protocol.allow=never', '-c', 'protocol.https.allow=always', '-c', 'protocol.http.allow=always', '-c', 'protocol.ssh.allow=always', '-c', 'protocol.git.allow=always'];
    if (local) protocols.push('-c', 'protocol.file.allow=always');
    try {
      await this.git([...protocols, 'clone', '--quiet', '--no-hardlinks', '--', source, staging]);
      if (ref !== undefined) await this.git(['-C', staging, '-c', 'advice.detachedHead=false', 'checkout', '--quiet', ref, '--']);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
    this.logger.info({ local, ref }, 'clone() | cloned');
    return staging;
  }

  /** Every tracked file of a clone (so `.gitignore`d files never appear), with whether it can be opened. */
  async list(dir: string): Promise<WorkspaceFile[]> {
    const { stdout } = await this.git(['-C', dir, 'ls-files', '-z', '--cached']);
    const out: WorkspaceFile[] = [];
    for (const path of stdout.split('\0').filter(Boolean)) {
      if (!FilePathSchema.safeParse(path).success) {
        out.push({ path, openable: false, reason: 'invalid-path' });
        continue;
      }
      const abs = join(dir, ...path.split('/'));
      const st = await lstat(abs).catch(() => null);
      if (st?.isSymbolicLink()) {
        out.push({ path, openable: false, reason: 'symlink' });
        continue;
      }
      const disk = await this.workspace.read(abs);
      if (disk.kind === 'text') out.push({ path, openable: true });
      else out.push({ path, openable: false, reason: disk.kind === 'unopenable' ? disk.reason : 'not-a-file' });
    }
    return out;
  }

  private async checkLocal(source: string): Promise<void> {
    if (!isAbsolute(source)) throw new BadRequestError('source must be an https/ssh/git URL or an absolute path on the server');
    if (this.options.localRoots.length === 0) throw new BadRequestError('local git sources are disabled on this server (WORKSPACE_GIT_LOCAL_ROOTS)');
    const real = await realpath(source).catch(() => null);
    if (real === null) throw new BadRequestError('source path does not exist');
    for (const root of this.options.localRoots) {
      const realRoot = await realpath(root).catch(() => null);
      if (realRoot === null) continue;
      const rel = relative(realRoot, real);
      if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) return;
    }
    throw new BadRequestError('source path is outside WORKSPACE_GIT_LOCAL_ROOTS');
  }

  private async git(args: string[]): Promise<{ stdout: string }> {
    try {
      return await run('git', args, { timeout: this.options.timeoutMs, maxBuffer: GIT_MAX_OUTPUT_BYTES, encoding: 'utf8' });
    } catch (err) {
      const e = err as { stderr?: string; killed?: boolean; message: string };
      const detail = e.killed ? `timed out after ${this.options.timeoutMs} ms` : (e.stderr ?? e.message).trim().split('\n')[0]!.slice(0, GIT_ERROR_CHARS);
      throw new BadRequestError(`git ${args.find((a) => ['clone', 'checkout', 'ls-files'].includes(a)) ?? ''} failed: ${detail}`);
    }
  }
}
