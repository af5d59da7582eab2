import { expect, it } from 'vitest';
import pg from 'pg';
import { usePostgres } from './postgres.js';

const database = usePostgres();

it('the harness serves fresh, separate databases on a real PostgreSQL 15', async () => {
  const [a, b] = [await database(), await database()];
  expect(a).not.toBe(b);
  const client = new pg.Client({ connectionString: a });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string; fsync: string }>("SELECT current_setting('server_version_num') AS v, current_setting('fsync') AS fsync");
    expect(Number(rows[0]!.v)).toBeGreaterThanOrEqual(150000);
    expect(rows[0]!.fsync).toBe('on');
  } finally {
    await client.end();
  }
});
