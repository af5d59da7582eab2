import { execFile } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PG_SCHEMA_VERSION } from '@coderoom/collab-server';
import { BadRequestError, ConflictError, NotFoundError, createPgPool } from '@coderoom/shared';
import type { PartName } from './ArchiveLayout.js';
import { CODEROOM_COUNTS, type DatabaseFacts, type DatabasePart, type DumpProgress } from './DatabasePart.js';

/** Debian's PostgreSQL client binaries (`postgresql-client-15`); else `pg_dump`/`pg_restore` on PATH. */
export const PG_CLIENT_BIN_DIR = '/usr/lib/postgresql/15/bin';
/** `application_name` of CodeRoom's own connections (shared createPgPool): what `inUse` looks for. */
const CODEROOM_APPLICATION_NAME = 'coderoom';
/** `application_name` of pg_dump and pg_restore run by backup and restore. */
const TOOL_APPLICATION_NAME = 'coderoom-backup';
/** Most bytes of a tool's stderr kept for an error message. */
const MAX_TOOL_OUTPUT = 64 * 1024 * 1024;
/** Lines of a failed tool's stderr shown in the error. */
const ERROR_LINES = 5;

/** A TOC line of `pg_restore --list`: `<id>; <catalog oid> <oid> <TYPE...> <schema> <name> <owner>`. */
const TOC_TABLE = /^\d+; \d+ \d+ TABLE (\S+) (\S+)(?: |$)/;
/** The `--verbose` line pg_dump writes as it starts on a table's rows. */
const PG_DUMP_TABLE_DATA = /^pg_dump: dumping contents of table /;
/** A TOC line of a table's rows. */
const TOC_TABLE_DATA = /^\d+; \d+ \d+ TABLE DATA /;
/** The `--verbose` line pg_restore writes as it starts on a table's rows. */
const PG_RESTORE_TABLE_DATA = /^pg_restore: processing data for table /;
/** The TOC line creating a schema (left out on restore: the target schema exists already). */
const TOC_SCHEMA = /^\d+; \d+ \d+ SCHEMA /;

/** Path of a PostgreSQL client tool: Debian's versioned dir when present, else the name (looked up on PATH). */
function tool(name: 'pg_dump' | 'pg_restore'): string {
  const inDir = join(PG_CLIENT_BIN_DIR, name);
  return existsSync(inDir) ? inDir : name;
}

/**
 * The URL split for the client tools: the password goes into their environment (PGPASSWORD),
 * never onto their command line (other users see it in `ps`) nor into any message.
 */
function connection(databaseUrl: string): { dbname: string; env: NodeJS.ProcessEnv } {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new BadRequestError('DATABASE_URL is not a valid URL');
  }
  const password = url.password ? decodeURIComponent(url.password) : url.searchParams.get('password');
  url.password = '';
  // Touching searchParams re-encodes the query (a space as `+`, which libpq does not decode): only when needed.
  if (url.searchParams.has('password')) url.searchParams.delete('password');
  const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: TOOL_APPLICATION_NAME };
  delete env.DATABASE_URL;
  delete env.PGPASSWORD;
  if (password) env.PGPASSWORD = password;
  return { dbname: url.toString(), env };
}

/**
 * Runs a client tool (no shell) with `--verbose`; each stderr line is one step reported to
 * `onLine`. Fails with the tool's last error lines (which never hold the password).
 */
function runTool(name: 'pg_dump' | 'pg_restore', args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let pending = '';
    let stderr = '';
    const child = execFile(tool(name), args, { env, maxBuffer: MAX_TOOL_OUTPUT, encoding: 'utf8' }, (err, stdout) => {
      if (!err) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return reject(new Error(`${name} not found (install Debian's postgresql-client)`));
      const lines = stderr.split('\n').filter((l) => /error|fatal|could not/i.test(l));
      reject(new Error(`${name} failed: ${(lines.length > 0 ? lines : stderr.split('\n')).slice(-ERROR_LINES).join(' | ').trim()}`));
    });
    child.stderr!.on('data', (chunk: string) => {
      if (stderr.length < MAX_TOOL_OUTPUT) stderr += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const l of lines) onLine?.(l);
    });
  });
}

/** Table name → schema of the tables listed in a dump's TOC. */
function tablesOf(list: string): Map<string, string> {
  const tables = new Map<string, string>();
  for (const line of list.split('\n')) {
    const m = TOC_TABLE.exec(line);
    if (m) tables.set(m[2]!, m[1]!);
  }
  return tables;
}

/**
 * The hub's PostgreSQL (DATABASE_URL), in the archive as `coderoom.pgdump`: the CodeRoom schema
 * (the URL's current schema, normally `public`) as `pg_dump -Fc` writes it, restored with
 * `pg_restore` into the schema of the same name in the target database, which must hold no
 * tables unless --force.
 */
export class PgDatabasePart implements DatabasePart {
  readonly kind = 'postgres';
  readonly part: PartName = 'pgDump';

  constructor(private readonly databaseUrl: string) {}

  exists(): boolean {
    return true;
  }

  private async withPool<T>(fn: (pool: ReturnType<typeof createPgPool>) => Promise<T>): Promise<T> {
    const pool = createPgPool(this.databaseUrl, 1);
    pool.on('error', () => undefined);
    try {
      return await fn(pool);
    } finally {
      await pool.end();
    }
  }

  /** The schema DATABASE_URL's search_path selects (where the hub keeps its tables). */
  private static async currentSchema(query: (sql: string) => Promise<{ rows: Record<string, unknown>[] }>): Promise<string> {
    const schema = (await query('SELECT current_schema() AS s')).rows[0]?.s;
    if (typeof schema !== 'string') throw new BadRequestError("DATABASE_URL's search_path names no existing schema");
    return schema;
  }

  /** Another CodeRoom connection (a hub, an admin command) to the same database. */
  async inUse(): Promise<string | null> {
    return this.withPool(async (pool) => {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()',
        [CODEROOM_APPLICATION_NAME],
      );
      const n = rows[0]?.n ?? 0;
      return n > 0 ? `${n} CodeRoom connection(s) to the PostgreSQL database` : null;
    });
  }

  /**
   * One REPEATABLE READ transaction exports its snapshot; pg_dump dumps that snapshot, and the
   * schema version and counts for the manifest are read in it: they describe the same moment.
   */
  async dump(file: string, onProgress: (p: DumpProgress) => void): Promise<DatabaseFacts> {
    const { dbname, env } = connection(this.databaseUrl);
    return this.withPool(async (pool) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
        const schema = await PgDatabasePart.currentSchema((sql) => client.query(sql));
        const hasTables = (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_migrations'", [schema])).rows[0]!.n;
        if (hasTables === 0) throw new NotFoundError(`no CodeRoom tables in schema ${schema} of the PostgreSQL database`);
        const schemaVersion = (await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0;
        const counts: Record<string, number> = {};
        for (const [name, sql] of Object.entries(CODEROOM_COUNTS)) counts[name] = Number((await client.query<{ n: number }>(sql)).rows[0]!.n);
        // Created here with mode 0600 (pg_dump truncates it, keeping the mode): it holds password hashes.
        closeSync(openSync(file, 'wx', 0o600));
        const total = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1', [schema])).rows[0]!.n;
        let done = 0;
        onProgress({ done, total, unit: 'tables' });
        await runTool('pg_dump', ['--format=custom', `--snapshot=${snapshot}`, `--schema="${schema.replaceAll('"', '""')}"`, '--verbose', `--file=${file}`, `--dbname=${dbname}`], env, (line) => {
          if (PG_DUMP_TABLE_DATA.test(line)) onProgress({ done: ++done, total, unit: 'tables' });
        });
        await client.query('COMMIT');
        return { schemaVersion, counts };
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release();
      }
    });
  }

  /** The TOC of a dump; refuses a file pg_restore cannot read, or one without CodeRoom's tables. */
  private async list(file: string): Promise<{ toc: string; schema: string }> {
    const toc = await runTool('pg_restore', ['--list', file], process.env).catch((err: Error) => {
      throw new BadRequestError(`database dump in the archive cannot be read: ${err.message}`);
    });
    const schema = tablesOf(toc).get('schema_migrations');
    if (schema === undefined) throw new BadRequestError('database dump in the archive holds no CodeRoom schema');
    return { toc, schema };
  }

  async verify(file: string): Promise<DatabaseFacts> {
    await this.list(file);
    // The schema_migrations rows, as the COPY block of a plain-text restore of that table's data.
    const data = await runTool('pg_restore', ['--data-only', '--table=schema_migrations', '--file=-', file], process.env).catch((err: Error) => {
      throw new BadRequestError(`database dump in the archive cannot be read: ${err.message}`);
    });
    const rows = /^COPY [^\n]*FROM stdin;\n([\s\S]*?)^\\\.$/m.exec(data)?.[1] ?? '';
    const versions = rows.split('\n').filter(Boolean).map((l) => Number(l.split('\t', 1)[0]));
    if (versions.some((v) => !Number.isInteger(v))) throw new BadRequestError('database dump in the archive has an unreadable schema version');
    const version = Math.max(0, ...versions);
    if (version > PG_SCHEMA_VERSION) throw new BadRequestError(`database in the archive has schema ${version}, newer than this build (${PG_SCHEMA_VERSION}): restore with a newer CodeRoom`);
    return { schemaVersion: version, counts: {} };
  }

  async checkTarget(file: string, force: boolean): Promise<void> {
    const { schema } = await this.list(file);
    await this.withPool(async (pool) => {
      const target = await PgDatabasePart.currentSchema((sql) => pool.query(sql));
      if (target !== schema) {
        throw new BadRequestError(`the archive's tables are in schema ${schema}, DATABASE_URL selects schema ${target}: restore into a schema named ${schema} (create it, and set it with ?options=-c%20search_path%3D${schema})`);
      }
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1', [target]);
      const n = rows[0]?.n ?? 0;
      if (n > 0 && !force) throw new ConflictError(`schema ${target} of the PostgreSQL database is not empty (${n} tables); restore only into an empty one, or pass --force to replace CodeRoom's tables`);
    });
  }

  /**
   * `pg_restore` in one transaction (all or nothing), objects owned by the restoring user; the
   * schema itself is left out (it exists). With `force`, the archive's objects are dropped first
   * in the same transaction.
   */
  async install(file: string, force: boolean, onProgress: (p: DumpProgress) => void): Promise<void> {
    const { toc } = await this.list(file);
    const total = toc.split('\n').filter((l) => TOC_TABLE_DATA.test(l)).length;
    let done = 0;
    onProgress({ done, total, unit: 'tables' });
    const listFile = `${file}.list`;
    await writeFile(listFile, toc.split('\n').filter((l) => !TOC_SCHEMA.test(l)).join('\n'), { mode: 0o600 });
    const { dbname, env } = connection(this.databaseUrl);
    try {
      const clean = force ? ['--clean', '--if-exists'] : [];
      await runTool('pg_restore', ['--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', ...clean, '--verbose', `--use-list=${listFile}`, `--dbname=${dbname}`, file], env, (line) => {
        if (PG_RESTORE_TABLE_DATA.test(line)) onProgress({ done: ++done, total, unit: 'tables' });
      });
    } finally {
      await rm(listFile, { force: true });
    }
  }
}
