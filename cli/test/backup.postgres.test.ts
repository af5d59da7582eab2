import { existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { PG_SCHEMA_VERSION, isWriteBackTemp } from '@coderoom/collab-server';
import { tempDir } from '../../collab-server/test/helpers.js';
import { usePostgres } from '../../shared/test/postgres.js';
import { coderoom, expectRestoredHub, fillHub, signIn, startTyping } from './backupHelpers.js';
import { startHubProcess } from './hubProcess.js';
import { PgDatabasePart } from '../src/PgDatabasePart.js';

const database = usePostgres();

/** Runs `fn` with a client connected to `url`. */
async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The schema a URL's search_path selects. */
const schemaOf = (url: string) => withClient(url, async (c) => (await c.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s);

let databases = 0;
/** A new, empty database on the test server holding an empty schema named `schema`; its URL selects that schema. */
async function emptyDatabase(schema: string): Promise<string> {
  const name = `restored_${++databases}`;
  await withClient(database.server().url(), (c) => c.query(`CREATE DATABASE ${name}`));
  const url = database.server().url(name);
  await withClient(url, (c) => c.query(`CREATE SCHEMA ${schema}`));
  return `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** Columns tables are ordered by where insertion order matters; any other table by its rows' text. */
const ORDER_BY: Record<string, string> = {
  rooms: 'id',
  files: 'room_id, path',
  users: 'ord',
  credentials: 'user_id, kind',
  sessions: 'ord',
  audit: 'id',
  schema_migrations: 'version',
};

/** Rows of `names`; by default of every table in the URL's schema but the document tables (compared through clients). */
async function tables(url: string, names?: string[]): Promise<Record<string, unknown[]>> {
  return withClient(url, async (c) => {
    const all = names ?? (await c.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE 'doc\\_%' ORDER BY 1")).rows.map((r) => r.t);
    const out: Record<string, unknown[]> = {};
    for (const t of all) out[t] = (await c.query(`SELECT * FROM ${t} AS r ORDER BY ${ORDER_BY[t] ?? 'r::text'}`)).rows;
    return out;
  });
}

/** Tables in the client's current schema. */
const tableCount = async (c: pg.Client) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = current_schema()')).rows[0]!.n;

/** Every file under `dir` (relative) with its content; not a write in progress (`.<name>.<tag>.coderoom-tmp`, never backed up). */
function files(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, rel)).sort()) {
    if (isWriteBackTemp(name)) continue;
    const r = rel ? `${rel}/${name}` : name;
    if (lstatSync(join(dir, r)).isDirectory()) Object.assign(out, files(dir, r));
    else out[r] = readFileSync(join(dir, r), 'base64');
  }
  return out;
}

describe('coderoom backup / restore on PostgreSQL (DATABASE_URL)', () => {
  it('OPS15 OPS16 a hub on PostgreSQL, backed up while a writer types, restores into an empty database and data dir with every document, room, account, audit row, key and workspace file', async () => {
    const sourceUrl = await database();
    const dataDir = tempDir();
    const env = { DATABASE_URL: sourceUrl };
    const hub = await startHubProcess(dataDir, { ...env, WORKSPACE_WRITE_DEBOUNCE_MS: '50', WORKSPACE_POLL_MS: '100' });
    const fill = await fillHub(hub, dataDir, env);
    const { roomId, hostToken, ws } = fill;
    expect(await signIn(hub.url, 'ann@example.com', 'ann password 123')).toBe(200);
    writeFileSync(join(ws, 'notes.md'), '# only on disk\n');

    // A writer types through the backup; what it had acknowledged before must be in the copy.
    const typist = await startTyping(hub, roomId, hostToken);
    const { name: typingName, writer } = typist;
    const ackedBefore = typist.acked();
    const archive = join(tempDir(), 'hub.tar.gz');
    const backup = await coderoom(['backup', '--out', archive, '--data-dir', dataDir], env);
    await typist.stop();
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toBe('');
    expect(typist.sent()).toBeGreaterThan(ackedBefore);
    expect(backup.stderr).toContain(`database: snapshot taken (postgres, schema ${PG_SCHEMA_VERSION})`);
    expect(backup.stderr).toMatch(/database: 0\/\d+ tables copied/);
    expect(lstatSync(archive).mode & 0o777).toBe(0o600);
    const manifest = JSON.parse(manifestOf(readFileSync(archive))) as { database: unknown; parts: Record<string, unknown>; counts: Record<string, number> };
    expect(manifest.database).toEqual({ kind: 'postgres', schemaVersion: PG_SCHEMA_VERSION });
    expect(Object.keys(manifest.parts).sort()).toEqual(['keys', 'pgDump', 'workspaceSync', 'workspaces']);
    expect(manifest.counts).toMatchObject({ rooms: 2, files: 3, users: 1 });
    expect(manifest.counts.auditRows).toBeGreaterThan(0);
    expect(manifest.counts.workspaceFiles).toBeGreaterThanOrEqual(3);

    const srcWs = files(join(dataDir, 'workspaces'));
    const srcRows = await tables(sourceUrl);
    expect(Object.keys(srcRows)).toEqual(expect.arrayContaining(Object.keys(ORDER_BY)));
    expect((srcRows.audit as { action: string }[]).map((r) => r.action)).toEqual(expect.arrayContaining(['room.create', 'user.create', 'token.issue']));
    hub.child.kill('SIGTERM');
    expect((await hub.exited).code).toBe(0);
    writer.provider.destroy();
    writer.socket.destroy();

    const targetUrl = await emptyDatabase(await schemaOf(sourceUrl));
    const restored = join(tempDir(), 'restored');
    const restore = await coderoom(['restore', '--from', archive, '--data-dir', restored], { DATABASE_URL: targetUrl });
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/archive verified: 2 rooms, /);
    expect(readdirSync(restored).sort()).toEqual(['keys', 'workspace-sync', 'workspaces']);
    const dstRows = await tables(targetUrl, Object.keys(srcRows));
    for (const t of Object.keys(srcRows)) expect(dstRows[t], t).toEqual(srcRows[t]);
    expect(readFileSync(join(restored, 'keys', 'signing.jwk.json'))).toEqual(readFileSync(join(dataDir, 'keys', 'signing.jwk.json')));
    const dstWs = files(join(restored, 'workspaces'));
    delete srcWs[`${roomId}/typing.txt`];
    delete dstWs[`${roomId}/typing.txt`];
    expect(dstWs).toEqual(srcWs);

    const again = await startHubProcess(restored, { DATABASE_URL: targetUrl });
    await expectRestoredHub(again, restored, fill, typingName, ackedBefore);
    // New rows continue the restored sequences (audit ids, user order).
    expect((await coderoom(['room', 'create', '--name', 'After'], { DATABASE_URL: targetUrl, DATA_DIR: restored })).code).toBe(0);
    const audit = (await tables(targetUrl, ['audit'])).audit as { id: string; action: string }[];
    const srcAudit = srcRows.audit as { id: string }[];
    expect(audit.slice(0, srcAudit.length)).toEqual(srcAudit);
    const lastSrcId = Number(srcAudit[srcAudit.length - 1]!.id);
    expect(audit.filter((r) => Number(r.id) > lastSrcId).map((r) => r.action)).toContain('room.create');
  });
});

/** The manifest of an archive. */
function manifestOf(archive: Buffer): string {
  const tarBytes = gunzipSync(archive);
  // The manifest is the last entry: a ustar header then its JSON.
  const at = tarBytes.lastIndexOf(Buffer.from('manifest.json\0'));
  const size = parseInt(tarBytes.subarray(at + 124, at + 136).toString('ascii').trim(), 8);
  return tarBytes.subarray(at + 512, at + 512 + size).toString('utf8');
}

/** A copy of `archive` with one byte in the middle of `entry` changed (headers and manifest left as they were). */
async function tampered(archive: string, entry: string): Promise<string> {
  const extract = tar.extract();
  const pack = tar.pack();
  const done = (async () => {
    const chunks: Buffer[] = [];
    for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks);
  })();
  extract.end(gunzipSync(readFileSync(archive)));
  for await (const e of extract) {
    const parts: Buffer[] = [];
    for await (const c of e as AsyncIterable<Buffer>) parts.push(c);
    const body = Buffer.concat(parts);
    if (e.header.name === entry) body.writeUInt8(body.readUInt8(body.length >> 1) ^ 0x01, body.length >> 1);
    await new Promise<void>((res, rej) => pack.entry(e.header, body, (err) => (err ? rej(err) : res())));
  }
  pack.finalize();
  const out = join(tempDir(), 'tampered.tar.gz');
  writeFileSync(out, gzipSync(await done));
  return out;
}

describe('coderoom restore on PostgreSQL refuses', () => {
  it('OPS17 a target schema with tables (unless --force), one a hub uses, another schema name, the other kind of database, and a tampered dump; nothing changes', async () => {
    const sourceUrl = await database();
    const dataDir = tempDir();
    const env = { DATABASE_URL: sourceUrl, DATA_DIR: dataDir };
    const room = (await coderoom(['room', 'create', '--name', 'Small'], env)).stdout.trim();
    expect((await coderoom(['token', '--room', room, '--name', 'Ann', '--role', 'host'], env)).code).toBe(0);
    const archive = join(tempDir(), 'pg.tar.gz');
    // With a password in the URL (the test server trusts 127.0.0.1, so any is accepted): it is in no output and not in the archive.
    const secret = 'hunter2-secret';
    const backup = await coderoom(['backup', '--out', archive], { ...env, DATABASE_URL: sourceUrl.replace('://coderoom@', `://coderoom:${secret}@`) });
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr + backup.stdout).not.toContain(secret);
    expect(gunzipSync(readFileSync(archive)).includes(secret)).toBe(false);
    expect(sourceUrl).toContain('://coderoom@');
    const schema = await schemaOf(sourceUrl);
    const refused = async (url: string | null, from: string, message: RegExp, extra: string[] = []) => {
      const target = join(tempDir(), 'target');
      const r = await coderoom(['restore', '--from', from, '--data-dir', target, ...extra], url ? { DATABASE_URL: url } : {});
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain('postgres://');
      expect(existsSync(target)).toBe(false);
    };

    // The source itself has CodeRoom's tables.
    const before = await tables(sourceUrl, ['rooms', 'audit']);
    await refused(sourceUrl, archive, /schema test_\d+ of the PostgreSQL database is not empty \(\d+ tables\).*--force/);
    expect(await tables(sourceUrl, ['rooms', 'audit'])).toEqual(before);
    // A hub on the target database: refused even with --force.
    const hub = await startHubProcess(tempDir(), { DATABASE_URL: sourceUrl });
    expect((await fetch(`${hub.url}/readyz`)).status).toBe(200); // a query: the pool keeps that connection open a while
    await refused(sourceUrl, archive, /a hub is using this data dir \(\d+ CodeRoom connection/, ['--force']);
    hub.child.kill('SIGTERM');
    await hub.exited;
    // A schema of another name.
    const otherSchema = await emptyDatabase('elsewhere');
    await refused(otherSchema, archive, new RegExp(`tables are in schema ${schema}, DATABASE_URL selects schema elsewhere`));
    expect(await withClient(otherSchema, tableCount)).toBe(0);
    // The other kind: a PostgreSQL archive without DATABASE_URL, a SQLite one with it.
    await refused(null, archive, /archive holds a postgres database; this hub uses sqlite \(DATABASE_URL is not set\)/);
    const sqliteDir = tempDir();
    expect((await coderoom(['room', 'create', '--name', 'Lite'], { DATA_DIR: sqliteDir, DATABASE_URL: '' })).code).toBe(0);
    const sqliteArchive = join(tempDir(), 'lite.tar.gz');
    expect((await coderoom(['backup', '--out', sqliteArchive], { DATA_DIR: sqliteDir, DATABASE_URL: '' })).code).toBe(0);
    const empty = await emptyDatabase(schema);
    await refused(empty, sqliteArchive, /archive holds a sqlite database; this hub uses postgres \(DATABASE_URL is set\)/);
    // One byte of the dump changed.
    await refused(empty, await tampered(archive, 'coderoom.pgdump'), /does not match its manifest \(part pgDump\)/);
    expect(await withClient(empty, tableCount)).toBe(0);

    // --force replaces the tables of a non-empty schema in one transaction.
    expect((await coderoom(['room', 'create', '--name', 'Later'], env)).code).toBe(0);
    const forced = await coderoom(['restore', '--from', archive, '--data-dir', join(tempDir(), 'forced'), '--force'], { DATABASE_URL: sourceUrl });
    expect(forced.code, forced.stderr).toBe(0);
    expect(((await tables(sourceUrl, ['rooms'])).rooms as { name: string }[]).map((r) => r.name)).toEqual(['Small']);
  });
});

describe('coderoom backup / restore of the public schema', () => {
  it('OPS14 OPS16 a hub in `public` of its own database restores into `public` of a new database owned by a role that is no superuser; dump and restore report tables done', async () => {
    const admin = database.server().url();
    await withClient(admin, async (c) => {
      await c.query('CREATE DATABASE pub_source');
      await c.query('CREATE ROLE restorer LOGIN');
      await c.query('CREATE DATABASE pub_target OWNER restorer');
    });
    const sourceUrl = database.server().url('pub_source');
    const dataDir = tempDir();
    const room = await coderoom(['room', 'create', '--name', 'Public'], { DATABASE_URL: sourceUrl, DATA_DIR: dataDir });
    expect(room.code, room.stderr).toBe(0);
    // Progress: tables whose rows pg_dump has dumped, of the tables in the schema.
    const seen: { done: number; total: number }[] = [];
    const dumpFile = join(tempDir(), 'pub.pgdump');
    const facts = await new PgDatabasePart(sourceUrl).dump(dumpFile, (p) => seen.push(p));
    const total = await withClient(sourceUrl, (c) => tableCount(c));
    expect(total).toBeGreaterThanOrEqual(9);
    expect(seen[0]).toEqual({ done: 0, total, unit: 'tables' });
    expect(seen.at(-1)).toEqual({ done: total, total, unit: 'tables' });
    expect(facts).toMatchObject({ schemaVersion: PG_SCHEMA_VERSION, counts: { rooms: 1, users: 0 } });
    // And pg_restore reports tables restored of the dump's tables.
    await withClient(admin, (c) => c.query('CREATE DATABASE pub_direct'));
    const restoredSeen: { done: number; total: number }[] = [];
    await new PgDatabasePart(database.server().url('pub_direct')).install(dumpFile, false, (p) => restoredSeen.push(p));
    expect(restoredSeen[0]).toEqual({ done: 0, total, unit: 'tables' });
    expect(restoredSeen.at(-1)).toEqual({ done: total, total, unit: 'tables' });
    expect(await tables(database.server().url('pub_direct'))).toEqual(await tables(sourceUrl));
    const archive = join(tempDir(), 'pub.tar.gz');
    const backup = await coderoom(['backup', '--out', archive, '--data-dir', dataDir], { DATABASE_URL: sourceUrl });
    expect(backup.code, backup.stderr).toBe(0);
    const targetUrl = database.server().url('pub_target').replace('://coderoom@', '://restorer@');
    const restore = await coderoom(['restore', '--from', archive, '--data-dir', join(tempDir(), 'r')], { DATABASE_URL: targetUrl });
    expect(restore.code, restore.stderr).toBe(0);
    expect(await tables(targetUrl, ['rooms', 'audit', 'schema_migrations'])).toEqual(await tables(sourceUrl, ['rooms', 'audit', 'schema_migrations']));
    const owners = await withClient(targetUrl, async (c) => (await c.query<{ o: string }>("SELECT DISTINCT tableowner AS o FROM pg_tables WHERE schemaname = 'public'")).rows.map((r) => r.o));
    expect(owners).toEqual(['restorer']);
  });
});
