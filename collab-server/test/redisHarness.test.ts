import { expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { useRedis } from '../../shared/test/redis.js';

const redis = useRedis();

it('the harness runs a real redis-server that can be stopped and started again on the same port, empty', async () => {
  const server = redis();
  const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await client.connect();
  await client.set('k', 'v');
  expect(await client.get('k')).toBe('v');
  expect((await client.info('server')).includes('redis_version:7')).toBe(true);
  client.disconnect();

  await server.stop();
  expect(server.running).toBe(false);
  const refused = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  refused.on('error', () => undefined);
  await expect(refused.connect()).rejects.toThrow();
  refused.disconnect();

  await server.start();
  const again = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await again.connect();
  expect(await again.get('k')).toBeNull();
  again.disconnect();
});
