import { chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as nodePty from 'node-pty';
import type { Logger } from '@coderoom/shared';
import type { PtyConfig } from './config.js';

/** Terminal type every shell is told it runs in. */
export const SHELL_TERM = 'xterm-256color';
/** Files and folders of /etc a sandboxed shell sees (read-only), when they exist. */
export const SANDBOX_ETC_PATHS = [
  'passwd', 'group', 'nsswitch.conf', 'hosts', 'resolv.conf', 'localtime', 'timezone', 'bash.bashrc', 'profile', 'profile.d',
  'inputrc', 'terminfo', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'alternatives', 'ssl', 'ca-certificates', 'vim', 'gitconfig',
  'locale.alias', 'mime.types', 'magic', 'debian_version', 'os-release',
] as const;
/** Top-level system folders a sandboxed shell sees read-only (symlinks are recreated as symlinks). */
export const SANDBOX_SYSTEM_DIRS = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'] as const;
/** Where setpriv lives on Debian; used to drop to PTY_USER with supplementary groups cleared. */
const SETPRIV_PATH = '/usr/bin/setpriv';

/** The unprivileged account shells run as (PTY_USER). */
export interface ShellUser {
  name: string;
  uid: number;
  gid: number;
}

/** Resolves PTY_USER (`name` from /etc/passwd, or `uid[:gid]`). */
export function resolveShellUser(spec: string, passwdPath = '/etc/passwd'): ShellUser {
  const numeric = /^(\d+)(?::(\d+))?$/.exec(spec);
  if (numeric) {
    const uid = Number(numeric[1]);
    return { name: spec, uid, gid: numeric[2] !== undefined ? Number(numeric[2]) : uid };
  }
  for (const line of readFileSync(passwdPath, 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === spec && f.length >= 4) return { name: spec, uid: Number(f[2]), gid: Number(f[3]) };
  }
  throw new Error(`PTY_USER: no such user ${JSON.stringify(spec)}`);
}

/** What a shell is started with. */
export interface ShellSpawnSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
}

/**
 * Starts shells: a clean environment from an allow-list (nothing else of the hub's leaks),
 * the room's workspace as working directory and HOME, optionally as PTY_USER and inside
 * bubblewrap confined to the workspace.
 */
export class ShellLauncher {
  private readonly user: ShellUser | null;
  private readonly useSetpriv: boolean;

  constructor(private readonly config: PtyConfig, private readonly logger: Logger) {
    this.user = config.user ? resolveShellUser(config.user) : null;
    this.useSetpriv = this.user !== null && process.getuid?.() === 0 && existsSync(SETPRIV_PATH);
    if (this.user && !this.useSetpriv) {
      this.logger.warn({ user: this.user.name }, 'ShellLauncher() | setpriv unavailable or not root: switching uid/gid through node-pty keeps supplementary groups');
    }
  }

  /** The room's workspace directory, created on demand (owned by PTY_USER when set). */
  workspaceDir(roomId: string): string {
    const dir = join(this.config.dataDir, 'workspaces', roomId);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o770 });
      if (this.user) chownSync(dir, this.user.uid, this.user.gid);
    }
    return dir;
  }

  /** The environment a shell gets: allow-listed hub variables plus fixed ones. */
  shellEnv(home: string, extra: Record<string, string>): Record<string, string> {
    const user = this.user?.name ?? this.config.shellBaseEnv.USER ?? 'coderoom';
    return { ...this.config.shellBaseEnv, HOME: home, USER: user, LOGNAME: user, SHELL: this.config.shell, TERM: SHELL_TERM, COLORTERM: 'truecolor', ...extra };
  }

  /** The command line, working directory, environment and ids a shell is spawned with. */
  spec(workspace: string, extraEnv: Record<string, string>): ShellSpawnSpec {
    let file = this.config.shell;
    let args: string[] = [];
    if (this.config.sandbox === 'bwrap') {
      args = [...this.bwrapArgs(workspace), '--', file, ...args];
      file = 'bwrap';
    }
    const spec: ShellSpawnSpec = { file, args, cwd: workspace, env: this.shellEnv(workspace, extraEnv) };
    if (this.user && this.useSetpriv) {
      spec.args = [`--reuid=${this.user.uid}`, `--regid=${this.user.gid}`, '--clear-groups', '--', file, ...args];
      spec.file = SETPRIV_PATH;
    } else if (this.user) {
      spec.uid = this.user.uid;
      spec.gid = this.user.gid;
    }
    return spec;
  }

  /** Spawns a shell under a pty. */
  spawn(workspace: string, cols: number, rows: number, extraEnv: Record<string, string>): nodePty.IPty {
    const s = this.spec(workspace, extraEnv);
    return nodePty.spawn(s.file, s.args, { name: SHELL_TERM, cols, rows, cwd: s.cwd, env: s.env, uid: s.uid, gid: s.gid });
  }

  /** bubblewrap arguments: system dirs and a few /etc files read-only, the workspace read-write, fresh /tmp, no namespaces shared. */
  private bwrapArgs(workspace: string): string[] {
    const a = ['--die-with-parent', '--unshare-all'];
    if (this.config.sandboxNetwork) a.push('--share-net');
    a.push('--cap-drop', 'ALL', '--hostname', 'coderoom');
    for (const d of SANDBOX_SYSTEM_DIRS) {
      const p = `/${d}`;
      if (!existsSync(p)) continue;
      if (lstatSync(p).isSymbolicLink()) a.push('--symlink', readlinkSync(p), p);
      else a.push('--ro-bind', p, p);
    }
    for (const f of SANDBOX_ETC_PATHS) a.push('--ro-bind-try', `/etc/${f}`, `/etc/${f}`);
    a.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--bind', workspace, workspace, '--chdir', workspace);
    return a;
  }
}
