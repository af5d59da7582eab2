import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import BetterSqlite3 from 'better-sqlite3';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError, TokenVerifier } from '@coderoom/shared';
import { isWriteBackTemp } from '@coderoom/collab-server';
import { api, tempDir, waitFor } from '../../collab-server/test/helpers.js';
import { coderoom, expectRestoredHub, fillHub, startTyping } from './backupHelpers.js';
import { startHubProcess } from './hubProcess.js';
import { Client as PtyClient } from '../../pty-gateway/test/harness.js';
import { restoreBackup } from '../src/Restore.js';
import { SqliteDatabasePart } from '../src/DatabasePart.js';
import { Progress } from '../src/Progress.js';

/** Rows of a table of a SQLite file, in a stable order. */
function rows(file: string, table: string): unknown[] {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
  } finally {
    db.close();
  }
}

/**
 * Every path under `dir` (relative), with what it is and its content or link target. The write-back's
 * temporary files (`.<name>.<hex>.coderoom-tmp`, renamed into place a moment later) are not state:
 * the backup skips them, and so does this listing, taken while a writer types.
 */
function tree(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, rel)).sort()) {
    if (isWriteBackTemp(name)) continue;
    const r = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(dir, r));
    if (st.isSymbolicLink()) out[r] = `link ${readlinkSync(join(dir, r))}`;
    else if (st.isDirectory()) Object.assign(out, { [r]: `dir ${st.uid}:${st.gid}` }, tree(dir, r));
    else out[r] = `file ${(st.mode & 0o777).toString(8)} ${st.uid}:${st.gid} ${readFileSync(join(dir, r), 'base64')}`;
  }
  return out;
}

const CAST = '{"version":2,"width":80,"height":24,"timestamp":1700000000,"title":"demo"}\n[0.1,"o","hello-recording\\r\\n"]\n[0.2,"o","$ "]\n';

describe('coderoom backup / restore roundtrip', () => {
  it('OPS10 OPS11 OPS12 OPS14 a hub filled and backed up while a writer types restores into an empty dir with every document, room, account, audit row, key, recording and workspace file', async () => {
    const dataDir = tempDir();
    const hub = await startHubProcess(dataDir, { WORKSPACE_WRITE_DEBOUNCE_MS: '50', WORKSPACE_POLL_MS: '100' });
    const fill = await fillHub(hub, dataDir, {});
    const { roomId, hostToken, ws } = fill;
    mkdirSync(join(ws, 'empty-dir'));
    writeFileSync(join(ws, 'run.sh'), '#!/bin/sh\necho hi\n');
    chmodSync(join(ws, 'run.sh'), 0o755);
    if (process.getuid?.() === 0) chownSync(join(ws, 'run.sh'), 1234, 1234); // as a PTY_USER's file would be
    symlinkSync('src/b.ts', join(ws, 'link-to-b'));
    writeFileSync(join(ws, 'bin.dat'), Buffer.from([0, 1, 2, 255]));
    // Terminal recordings over the real /pty socket: one finished, one still recording during the backup.
    const term = await PtyClient.connect(`ws://127.0.0.1:${hub.port}/pty`, { origin: hub.url });
    await term.hello(hostToken, roomId);
    const terminalId = await term.createTerminal();
    const record = async () => {
      const from = term.messages.length;
      term.send({ type: 'recordStart', terminalId });
      return (await term.next('terminal', (m) => m.terminal.recording !== null, from)).terminal.recording!.id;
    };
    const finished = await record();
    await term.run(terminalId, 'echo hello-recording', 'rec');
    const beforeStop = term.messages.length;
    term.send({ type: 'recordStop', terminalId });
    await term.next('terminal', (m) => m.terminal.recording === null, beforeStop);
    const active = await record();
    await term.run(terminalId, 'echo still-recording', 'rec2');

    // A writer types through the backup; what it had acknowledged before must be in the copy.
    const typist = await startTyping(hub, roomId, hostToken);
    const { name: typingName, writer } = typist;
    const ackedBefore = typist.acked();
    const archive = join(tempDir(), 'hub.tar.gz');
    const backup = await coderoom(['backup', '--out', archive, '--data-dir', dataDir]);
    await typist.stop();
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toBe('');
    expect(typist.sent()).toBeGreaterThan(ackedBefore); // the writer really typed during the backup
    expect(lstatSync(archive).mode & 0o777).toBe(0o600);
    expect(backup.stderr).toMatch(/database: snapshot taken/);
    expect(backup.stderr).toMatch(/backup written: .*hub\.tar\.gz/);
    const key = JSON.parse(readFileSync(join(dataDir, 'keys', 'signing.jwk.json'), 'utf8')) as { privateJwk: { d: string } };
    expect(backup.stderr).not.toContain(key.privateJwk.d);
    expect(readdirSync(join(archive, '..'))).toEqual(['hub.tar.gz']); // no temporary file left

    // The workspaces as the backup saw them (the shell writes its history when the hub stops).
    const srcWs = tree(join(dataDir, 'workspaces'));
    const TABLES = ['rooms', 'files', 'users', 'credentials', 'sessions', 'audit', 'schema_version'];
    const srcRows = Object.fromEntries(TABLES.map((t) => [t, rows(join(dataDir, 'coderoom.db'), t)]));
    hub.child.kill('SIGTERM');
    expect((await hub.exited).code).toBe(0);
    writer.provider.destroy();
    writer.socket.destroy();

    const restored = join(tempDir(), 'restored');
    const restore = await coderoom(['restore', '--from', archive, '--data-dir', restored]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/archive verified: 2 rooms, /);
    for (const table of TABLES) expect(rows(join(restored, 'coderoom.db'), table), table).toEqual(srcRows[table]);
    expect((srcRows.audit as { action: string }[]).map((r) => r.action)).toEqual(expect.arrayContaining(['room.create', 'user.create', 'token.issue', 'terminal.record.start']));
    expect(readFileSync(join(restored, 'keys', 'signing.jwk.json'))).toEqual(readFileSync(join(dataDir, 'keys', 'signing.jwk.json')));
    expect(lstatSync(join(restored, 'keys', 'signing.jwk.json')).mode & 0o777).toBe(0o600);
    const cast = (dir: string, id: string) => readFileSync(join(dir, 'recordings', roomId, `${id}.cast`), 'utf8');
    expect(cast(restored, finished)).toBe(cast(dataDir, finished));
    expect(cast(restored, finished)).toContain('hello-recording');
    // The one being written is cut after a complete line: a prefix of the source, every line whole JSON.
    expect(cast(dataDir, active).startsWith(cast(restored, active))).toBe(true);
    expect(cast(restored, active).endsWith('\n')).toBe(true);
    for (const line of cast(restored, active).trimEnd().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
    const dstWs = tree(join(restored, 'workspaces'));
    delete srcWs[`${roomId}/typing.txt`];
    delete dstWs[`${roomId}/typing.txt`];
    expect(dstWs).toEqual(srcWs);
    expect(readdirSync(restored).sort()).toEqual(['coderoom.db', 'keys', 'recordings', 'workspace-sync', 'workspaces']);

    const again = await startHubProcess(restored);
    const t = await expectRestoredHub(again, restored, fill, typingName, ackedBefore);
    // The restored file is in step with its document (the database snapshot wins).
    await waitFor(() => readFileSync(join(restored, 'workspaces', roomId, 'typing.txt'), 'utf8') === t.text.toString(), 10_000, 'typing.txt in step');
    const recs = await api(again.url, 'GET', `/api/rooms/${roomId}/recordings`, undefined, hostToken);
    expect((recs.body.recordings as { id: string }[]).map((r) => r.id).sort()).toEqual([finished, active].sort());
  });
});

/** One archive of a small hub, made once for the refusal tests. */
let fixture: { archive: string; root: string } | null = null;
afterAll(() => {
  if (fixture) rmSync(fixture.root, { recursive: true, force: true });
});
async function goodArchive(): Promise<string> {
  if (fixture) return fixture.archive;
  const root = mkdtempSync(join(tmpdir(), 'coderoom-backup-'));
  const dataDir = join(root, 'data');
  const room = await coderoom(['room', 'create', '--name', 'Small'], { DATA_DIR: dataDir });
  await coderoom(['token', '--room', room.stdout.trim(), '--name', 'Ann', '--role', 'host'], { DATA_DIR: dataDir }); // makes the keys
  mkdirSync(join(dataDir, 'recordings', room.stdout.trim()), { recursive: true });
  writeFileSync(join(dataDir, 'recordings', room.stdout.trim(), 't1-abc123.cast'), CAST);
  const archive = join(root, 'small.tar.gz');
  const r = await coderoom(['backup', '--out', archive], { DATA_DIR: dataDir });
  expect(r.code, r.stderr).toBe(0);
  fixture = { archive, root };
  return archive;
}

/** A gzip'd tar of the given entries. */
async function craft(entries: { header: tar.Header | (Partial<tar.Header> & { name: string }); body?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry(e.header, e.body ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  return gzipSync(Buffer.concat(chunks));
}

/** Restores `archive` into a fresh (missing) dir; expects exit 2 with `message` and nothing left behind. */
async function refused(archive: string, message: RegExp): Promise<void> {
  const target = join(tempDir(), 'target');
  const r = await coderoom(['restore', '--from', archive, '--data-dir', target]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(existsSync(target)).toBe(false);
}

describe('keys from a Kubernetes Secret', () => {
  it('OPS10 a key file that is a symbolic link (as Secret volumes mount them) is archived and restored as the file', async () => {
    const dataDir = tempDir();
    const room = (await coderoom(['room', 'create', '--name', 'K'], { DATA_DIR: dataDir })).stdout.trim();
    const token = (await coderoom(['token', '--room', room, '--name', 'Ann', '--role', 'host'], { DATA_DIR: dataDir })).stdout.trim();
    const keys = join(dataDir, 'keys');
    const key = readFileSync(join(keys, 'signing.jwk.json'));
    // The layout kubelet makes: keys/..2026_01_01/<file>, keys/..data -> ..2026_01_01, keys/<file> -> ..data/<file>.
    rmSync(join(keys, 'signing.jwk.json'));
    mkdirSync(join(keys, '..2026_01_01'));
    writeFileSync(join(keys, '..2026_01_01', 'signing.jwk.json'), key);
    symlinkSync('..2026_01_01', join(keys, '..data'));
    symlinkSync('..data/signing.jwk.json', join(keys, 'signing.jwk.json'));
    const archive = join(tempDir(), 'k.tar.gz');
    const backup = await coderoom(['backup', '--out', archive, '--data-dir', dataDir]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).not.toMatch(/warning/);
    const restored = join(tempDir(), 'restored');
    expect((await coderoom(['restore', '--from', archive, '--data-dir', restored])).code).toBe(0);
    expect(lstatSync(join(restored, 'keys', 'signing.jwk.json')).isFile()).toBe(true);
    expect(readFileSync(join(restored, 'keys', 'signing.jwk.json'))).toEqual(key);
    expect((await TokenVerifier.fromDataDir(restored).verify(token)).room).toBe(room);
  });
});

describe('database dump', () => {
  it('OPS10 the SQLite dump finishes while another connection keeps writing, reports pages as it goes, and is one moment of the database', async () => {
    const dir = tempDir();
    const file = join(dir, 'coderoom.db');
    const writerDb = new BetterSqlite3(file);
    writerDb.pragma('journal_mode = WAL');
    writerDb.exec('CREATE TABLE big (id INTEGER PRIMARY KEY, blob BLOB NOT NULL)');
    const insert = writerDb.prepare('INSERT INTO big (blob) VALUES (?)');
    writerDb.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(Buffer.alloc(4000, i % 256)); // ~3000 pages: several backup steps
    })();
    const before = 3000;
    // Another connection writes on every turn of the event loop while the backup steps run.
    let writes = 0;
    const timer = setInterval(() => {
      insert.run(Buffer.alloc(100, 7));
      writes++;
    }, 0);
    const seen: { done: number; total: number }[] = [];
    try {
      await new SqliteDatabasePart(file, false).dump(join(dir, 'copy.db'), (p) => seen.push(p));
    } finally {
      clearInterval(timer);
    }
    expect(writes).toBeGreaterThan(0);
    // Steps of 1024 pages until a write restarts the copy, then the rest in one step: no endless restarts.
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.length).toBeLessThanOrEqual(5);
    expect(seen.some((p) => p.done > 0 && p.done < p.total)).toBe(true);
    const copied = (rows(join(dir, 'copy.db'), 'big') as { blob: Buffer }[]).length;
    expect(copied).toBeGreaterThanOrEqual(before);
    expect(copied).toBeLessThanOrEqual(before + writes);
    writerDb.close();
  });
});

describe('backup progress', () => {
  it('OPS14 redraws one line on a terminal, writes plain throttled lines otherwise', () => {
    let tty = '';
    const onTty = new Progress({ isTTY: true, write: (x: string) => (tty += x) });
    onTty.update('database: 1/10 pages copied');
    onTty.update('database: 2/10 pages copied'); // within the redraw interval: dropped
    onTty.line('database: snapshot taken');
    expect(tty).toBe('\r\x1b[2Kdatabase: 1/10 pages copied\r\x1b[2Kdatabase: snapshot taken\n');
    let plain = '';
    const inLog = new Progress({ isTTY: false, write: (x: string) => (plain += x) });
    inLog.update('archiving: 1 entries, 10 B');
    inLog.update('archiving: 2 entries, 20 B');
    inLog.line('backup written');
    expect(plain).toBe('archiving: 1 entries, 10 B\nbackup written\n');
  });
});

describe('coderoom restore refuses', () => {
  it('OPS12 a tampered archive (one byte of a recording changed), and changes nothing', async () => {
    const tarBytes = gunzipSync(readFileSync(await goodArchive()));
    const at = tarBytes.indexOf('hello-recording');
    expect(at).toBeGreaterThan(0);
    tarBytes[at] = 'j'.charCodeAt(0);
    const file = join(tempDir(), 'tampered.tar.gz');
    writeFileSync(file, gzipSync(tarBytes));
    await refused(file, /does not match its manifest \(part recordings\)/);
  });

  it('OPS12 a truncated archive, and changes nothing', async () => {
    const bytes = readFileSync(await goodArchive());
    for (const keep of [Math.floor(bytes.length / 2), bytes.length - 30]) {
      const file = join(tempDir(), 'cut.tar.gz');
      writeFileSync(file, bytes.subarray(0, keep));
      await refused(file, /truncated or damaged|no manifest/);
    }
  });

  it('OPS13 entries with absolute paths, "..", escaping symlinks, links, devices, or under a symlink', async () => {
    const outside = join(tempDir(), 'outside');
    const cases: [Parameters<typeof craft>[0], RegExp][] = [
      [[{ header: { name: '../evil', type: 'file' }, body: 'x' }], /leaves the data dir/],
      [[{ header: { name: 'workspaces/r/../../../evil', type: 'file' }, body: 'x' }], /leaves the data dir/],
      [[{ header: { name: `${outside}/evil`, type: 'file' }, body: 'x' }], /absolute path/],
      [[{ header: { name: 'workspaces/r/ln', type: 'symlink', linkname: '../../keys' } }], /leads outside its workspace/],
      [[{ header: { name: 'workspaces/r/ln', type: 'symlink', linkname: outside } }], /leads outside its workspace/],
      [[{ header: { name: 'workspaces/r/a', type: 'file' }, body: 'x' }, { header: { name: 'workspaces/r/a/b', type: 'file' }, body: 'y' }], /lies under a file/],
      [[{ header: { name: 'workspaces/r/hard', type: 'link', linkname: 'keys/signing.jwk.json' } }], /link entries are not allowed/],
      [[{ header: { name: 'workspaces/r/dev', type: 'character-device', devmajor: 1, devminor: 3 } }], /character-device entries are not allowed/],
      [[{ header: { name: 'etc/passwd', type: 'file' }, body: 'x' }], /not part of a CodeRoom data dir/],
      [[{ header: { name: 'keys', type: 'file' }, body: 'x' }], /wrong type/],
      [[{ header: { name: 'keys/a', type: 'file' }, body: '1' }, { header: { name: 'keys/a', type: 'file' }, body: '2' }], /appears twice/],
    ];
    for (const [entries, message] of cases) {
      const file = join(tempDir(), 'bad.tar.gz');
      writeFileSync(file, await craft(entries));
      await refused(file, message);
    }
    expect(existsSync(outside)).toBe(false);
  });

  it('OPS13 entries over the size limits', async () => {
    const archive = await goodArchive();
    const progress = new Progress(null);
    for (const limits of [{ maxEntryBytes: 100, maxTotalBytes: 1e9, maxEntries: 1e6 }, { maxEntryBytes: 1e9, maxTotalBytes: 1000, maxEntries: 1e6 }, { maxEntryBytes: 1e9, maxTotalBytes: 1e9, maxEntries: 2 }]) {
      const target = join(tempDir(), 'target');
      await expect(restoreBackup({ from: archive, dataDir: target, force: false, database: new SqliteDatabasePart(join(target, 'coderoom.db'), true), progress, limits })).rejects.toThrow(/over the limit|more than 2 entries/);
      expect(existsSync(target)).toBe(false);
    }
  });

  it('OPS13 seeded fuzz: an archive with bytes changed restores exactly or is refused as bad input, changing nothing', async () => {
    const archive = await goodArchive();
    const tarBytes = gunzipSync(readFileSync(archive));
    const restoreInto = (from: string, target: string) => restoreBackup({ from, dataDir: target, force: false, database: new SqliteDatabasePart(join(target, 'coderoom.db'), true), progress: new Progress(null) });
    const reference = join(tempDir(), 'reference');
    await restoreInto(archive, reference);
    const want = tree(reference);
    let seed = 0x5eed;
    const random = () => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const dir = tempDir();
    let refusedCount = 0;
    for (let i = 0; i < 60; i++) {
      const bytes = Buffer.from(tarBytes);
      for (let k = 1 + Math.floor(random() * 3); k > 0; k--) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const file = join(dir, `fuzz-${i}.tar.gz`);
      writeFileSync(file, gzipSync(bytes));
      const target = join(dir, `target-${i}`);
      try {
        await restoreInto(file, target);
        expect(tree(target), `case ${i}`).toEqual(want);
      } catch (err) {
        expect(err, `case ${i}: ${(err as Error).message}`).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('BAD_REQUEST');
        expect(existsSync(target), `case ${i}`).toBe(false);
        refusedCount++;
      }
    }
    expect(refusedCount).toBeGreaterThan(0);
  });

  it('OPS11 a non-empty data dir unless --force (which replaces the state, stale WAL files included)', async () => {
    const archive = await goodArchive();
    const target = tempDir();
    writeFileSync(join(target, 'coderoom.db-wal'), 'stale');
    mkdirSync(join(target, 'workspaces', 'old'), { recursive: true });
    const r = await coderoom(['restore', '--from', archive, '--data-dir', target]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not empty \(2 entries\).*--force/);
    expect(readdirSync(target).sort()).toEqual(['coderoom.db-wal', 'workspaces']);

    const forced = await coderoom(['restore', '--from', archive, '--data-dir', target, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readdirSync(target).sort()).toEqual(['coderoom.db', 'keys', 'recordings']);
    expect(rows(join(target, 'coderoom.db'), 'rooms')).toMatchObject([{ name: 'Small' }]);
  });

  it('OPS11 a data dir a running hub uses, even with --force', async () => {
    const archive = await goodArchive();
    const target = tempDir();
    const hub = await startHubProcess(target);
    const names = () => Object.keys(tree(target)).sort();
    const before = names();
    const key = readFileSync(join(target, 'keys', 'signing.jwk.json'));
    const r = await coderoom(['restore', '--from', archive, '--data-dir', target, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a hub is using this data dir/);
    expect(names()).toEqual(before);
    expect(readFileSync(join(target, 'keys', 'signing.jwk.json'))).toEqual(key);
    expect((await fetch(`${hub.url}/readyz`)).status).toBe(200);
  });
});
