import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './ports.js';

/** Debian's PostgreSQL 15 binaries (`postgresql` in scripts/setup). */
export const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';
/** The superuser initdb creates in the test cluster (trust auth, 127.0.0.1 and the private socket only). */
const SUPERUSER = 'coderoom';
/** How long a fresh server may take to accept connections. */
const START_TIMEOUT_MS = 30_000;
/** How long a smart shutdown waits for clients to leave before it turns into a fast one. */
const SMART_STOP_MS = 300;
/** How long a shutdown may take before the server is killed. */
const STOP_TIMEOUT_MS = 10_000;

/** A PostgreSQL server of its own, in a temporary directory, on a free 127.0.0.1 port. */
export interface PostgresServer {
  port: number;
  /** postgres:// URL of `database` on this server. */
  url(database?: string): string;
  /** Creates an empty database (a schema of its own, set as the URL's search_path) and returns its URL. */
  createDatabase(): Promise<string>;
  /**
   * Stops the server (by its PID) and removes its directory; idempotent. `smart` (the default)
   * lets connected clients leave first (a moment), `fast` disconnects them at once.
   */
  stop(mode?: 'smart' | 'fast'): Promise<void>;
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user (created by Debian's package). */
function unprivilegedIds(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Starts a real PostgreSQL 15 server (initdb + postgres, fsync on) for tests. */
export async function startPostgres(): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'coderoom-pg-'));
  const data = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  mkdirSync(socketDir);
  const ids = unprivilegedIds();
  if (ids) {
    chownSync(dir, ids.uid, ids.gid);
    chownSync(socketDir, ids.uid, ids.gid);
  }
  const asUser = ids ? { uid: ids.uid, gid: ids.gid } : {};
  // --no-sync only skips flushing initdb's own files; the server itself runs with fsync on.
  execFileSync(join(POSTGRES_BIN_DIR, 'initdb'), ['-D', data, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], { ...asUser, stdio: 'pipe' });
  const port = await freePort();
  let log = '';
  const child: ChildProcess = spawn(
    join(POSTGRES_BIN_DIR, 'postgres'),
    ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir}`, '-c', 'max_connections=200', '-c', 'shared_buffers=32MB'],
    { ...asUser, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = (database = 'postgres') => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;

  let stopped: Promise<void> | null = null;
  const stop = (mode: 'smart' | 'fast' = 'smart'): Promise<void> => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // The data is thrown away, so no shutdown checkpoint is needed: after letting clients that
        // are closing finish (smart), the server stops at once (SIGQUIT, immediate shutdown).
        if (mode === 'smart') {
          child.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, SMART_STOP_MS))]);
        }
        child.kill('SIGQUIT');
        const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(kill);
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`postgres exited at start:\n${log}`);
    }
    const client = new pg.Client({ connectionString: url() });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`postgres did not start: ${(err as Error).message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // Each "database" a test asks for is a schema of its own in one database: as isolated for our
  // tables, and far cheaper than CREATE DATABASE (which copies and fsyncs a whole template).
  const admin = new pg.Client({ connectionString: url() });
  await admin.connect();
  await admin.query('CREATE DATABASE tests');
  await admin.end();
  let schemas = 0;
  return {
    port,
    url,
    async createDatabase() {
      const schema = `test_${++schemas}`;
      const client = new pg.Client({ connectionString: url('tests') });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${schema}`);
      } finally {
        await client.end();
      }
      return `${url('tests')}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    },
    stop,
  };
}

/** What `usePostgres()` gives a test file. */
export interface PostgresForFile {
  /** Creates a fresh, empty database and gives its URL. */
  (): Promise<string>;
  /** The file's server (e.g. to stop it in a test about PostgreSQL going away). */
  server(): PostgresServer;
}

/**
 * One PostgreSQL server for the calling test file: started before its first test, stopped after
 * its last. Each call of the returned function creates a fresh, empty database and gives its URL.
 */
export function usePostgres(): PostgresForFile {
  let running: PostgresServer | null = null;
  beforeAll(async () => {
    running = await startPostgres();
  }, START_TIMEOUT_MS + 10_000);
  afterAll(async () => {
    await running?.stop();
  }, STOP_TIMEOUT_MS + 5_000);
  const server = (): PostgresServer => {
    if (!running) throw new Error('usePostgres(): the server is not running (call it at the top level of a test file)');
    return running;
  };
  return Object.assign(() => server().createDatabase(), { server });
}
