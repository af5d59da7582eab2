import pg from 'pg';
import { z } from 'zod';

/** Most connections one process keeps to PostgreSQL by default. */
export const DEFAULT_PG_POOL_MAX = 10;
/** Give up opening a connection after this long. */
const PG_CONNECT_TIMEOUT_MS = 10_000;
/** OID of BIGINT (int8). */
const INT8_OID = 20;

/** `DATABASE_URL`: a postgres:// (or postgresql://) URL selects PostgreSQL; empty keeps SQLite. */
export const DatabaseUrlSchema = z
  .string()
  .default('')
  .refine((s) => s === '' || /^postgres(ql)?:\/\/\S+$/.test(s), 'must be a postgres:// or postgresql:// URL');

/** Type parsers of our pools: BIGINT columns (ms times, seqs, ids) come back as numbers, not strings. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Opens a connection pool to `url` (postgres://...); connecting happens on first use. */
export function createPgPool(url: string, max = DEFAULT_PG_POOL_MAX): pg.Pool {
  return new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS, types: TYPES, application_name: 'coderoom' });
}
