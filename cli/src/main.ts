import { Command } from 'commander';
import { loadCollabConfig } from '@coderoom/collab-server';
import { AppError, createLogger, LOG_LEVELS, type LogLevel } from '@coderoom/shared';
import { Hub } from './Hub.js';
import { createRoom, createUser, listUsers, migrate, mintToken, resetPassword } from './admin.js';
import { createBackup } from './Backup.js';
import { restoreBackup } from './Restore.js';
import { databasePartFor } from './DatabasePart.js';
import { Progress } from './Progress.js';

/** Exit code for bad usage or input. */
const EXIT_USAGE = 2;
/** Exit code for a failure at run time. */
const EXIT_FAILURE = 1;
/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

const env = process.env;
const level = (LOG_LEVELS as readonly string[]).includes(env.LOG_LEVEL ?? '') ? (env.LOG_LEVEL as LogLevel) : 'info';

function fail(err: unknown): never {
  if (err instanceof AppError) {
    console.error(`coderoom: ${err.message}`);
    process.exit(err.httpStatus < 500 ? EXIT_USAGE : EXIT_FAILURE);
  }
  console.error(`coderoom: ${(err as Error).message ?? String(err)}`);
  process.exit(EXIT_FAILURE);
}

const program = new Command('coderoom')
  .description('CodeRoom: real-time collaboration hub for code. State is kept in SQLite under DATA_DIR, or in PostgreSQL when DATABASE_URL=postgres://... is set.')
  .showHelpAfterError()
  // Usage errors exit 2 (subcommands inherit this setting).
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE));

program
  .command('start')
  .description('run the all-in-one hub (PORT, HOST, DATA_DIR, DATABASE_URL, ... from the environment; migrates the schema first)')
  .action(async () => {
    const logger = createLogger(level);
    const { hub, address } = await Hub.start(env, logger);
    logger.info({ url: `http://${address.address}:${address.port}/` }, 'start() | hub ready');
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'start() | stopping');
      setTimeout(() => {
        logger.error('start() | shutdown timed out');
        process.exit(EXIT_FAILURE);
      }, SHUTDOWN_TIMEOUT_MS).unref();
      hub.close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'start() | shutdown failed');
          process.exit(EXIT_FAILURE);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });

program
  .command('migrate')
  .description('bring the database schema up to date: PostgreSQL when DATABASE_URL is set (postgres://...), else SQLite under DATA_DIR')
  .option('--to <version>', 'PostgreSQL only: migrate up to this schema version, not the newest')
  .action(async (opts: { to?: string }) => {
    console.log(await migrate(env, opts));
  });

const room = program.command('room').description('manage rooms');
room
  .command('create')
  .description('create a room and print its id')
  .requiredOption('--name <name>', 'room name')
  .action(async (opts: { name: string }) => {
    console.log(await createRoom(env, opts.name));
  });

program
  .command('token')
  .description('print an access token for a room')
  .requiredOption('--room <id>', 'room id')
  .requiredOption('--name <name>', 'display name')
  .requiredOption('--role <role>', 'host | editor | viewer')
  .option('--ttl <seconds>', 'lifetime in seconds (default TOKEN_TTL_SECONDS)')
  .option('--sub <subject>', 'subject (default a fresh cli: id)')
  .action(async (opts: { room: string; name: string; role: string; ttl?: string; sub?: string }) => {
    console.log(await mintToken(env, opts));
  });

/** Longest password line read from stdin, in bytes (the password rules allow far less). */
const MAX_STDIN_BYTES = 64 * 1024;

/** The first line of stdin (without its line ending): how the user commands take a password, never from argv. */
async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > MAX_STDIN_BYTES || chunk.includes(0x0a)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]!;
}

const user = program.command('user').description('manage local accounts (passwords are read from stdin, one line)');
user
  .command('create')
  .description('create an account and print its id (the first account is always an admin)')
  .requiredOption('--email <email>', 'email address')
  .requiredOption('--name <name>', 'display name')
  .option('--admin', 'make the account an instance admin')
  .action(async (opts: { email: string; name: string; admin?: boolean }) => {
    console.log(await createUser(env, opts, await readStdinLine()));
  });
user
  .command('reset-password')
  .description("set an account's password and sign it out everywhere")
  .requiredOption('--email <email>', 'email address')
  .action(async (opts: { email: string }) => {
    await resetPassword(env, opts, await readStdinLine());
  });
user
  .command('list')
  .description('list accounts: id, email, name, admin|user, created (tab-separated)')
  .action(async () => {
    for (const line of await listUsers(env)) console.log(line);
  });

/** The data dir of a backup or restore: `--data-dir`, else DATA_DIR as the hub reads it. */
function dataDirOf(opts: { dataDir?: string }): string {
  return opts.dataDir ?? loadCollabConfig(env).DATA_DIR;
}

program
  .command('backup')
  .description('write an online backup of a data dir and its database (SQLite, or PostgreSQL at DATABASE_URL; keys, recordings, workspaces) to one .tar.gz; the hub may keep running')
  .requiredOption('--out <file>', 'archive to write (atomically, mode 0600: it holds the signing key)')
  .option('--data-dir <dir>', 'data dir (default DATA_DIR)')
  .addHelpText(
    'after',
    '\nWith DATABASE_URL set, the database part is pg_dump --format=custom of the hub\'s schema (Debian\'s\npostgresql-client), taken in one snapshot; the password goes to pg_dump in its environment only.\nProgress goes to stderr; stdout stays empty. Example:\n  coderoom backup --data-dir /var/lib/coderoom --out /backups/coderoom-$(date +%F).tar.gz',
  )
  .action(async (opts: { out: string; dataDir?: string }) => {
    const dataDir = dataDirOf(opts);
    await createBackup({ dataDir, out: opts.out, database: databasePartFor(env, dataDir), progress: new Progress(process.stderr) });
  });

program
  .command('restore')
  .description('restore a backup into an empty data dir (checked whole before anything is written; never while a hub uses the dir)')
  .requiredOption('--from <file>', 'archive written by `coderoom backup`')
  .option('--data-dir <dir>', 'data dir to restore into (default DATA_DIR); created if missing')
  .option('--force', 'replace the CodeRoom state of a non-empty data dir (and, with DATABASE_URL, the tables of a non-empty schema)')
  .addHelpText(
    'after',
    '\nA damaged, tampered or unsafe archive, a non-empty data dir (without --force) and a data dir a\nrunning hub uses are refused with exit status 2, and nothing is changed. Example:\n  coderoom restore --from /backups/coderoom-2026-11-26.tar.gz --data-dir /var/lib/coderoom\n\nWith DATABASE_URL set, a PostgreSQL archive is restored with pg_restore, in one transaction, into\nthe schema of the same name (normally public) of that database, which must hold no tables\n(unless --force) and no open CodeRoom connection. A SQLite archive needs DATABASE_URL unset, a\nPostgreSQL one needs it set.',
  )
  .action(async (opts: { from: string; dataDir?: string; force?: boolean }) => {
    const dataDir = dataDirOf(opts);
    await restoreBackup({ from: opts.from, dataDir, force: opts.force === true, database: databasePartFor(env, dataDir), progress: new Progress(process.stderr) });
  });

program.parseAsync(process.argv).catch(fail);
