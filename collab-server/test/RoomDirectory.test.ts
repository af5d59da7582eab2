import { expect, it, onTestFinished } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger } from '@coderoom/shared';
import { RedisLink, RoomDirectory } from '../src/index.js';
import { useRedis } from '../../shared/test/redis.js';
import { waitFor } from './helpers.js';

const redis = useRedis();
/** The shortest lease the config allows. */
const LEASE_MS = 1000;

/** A node's directory on the test Redis, started and ready; closed when the test finishes. */
async function node(nodeId: string): Promise<{ link: RedisLink; directory: RoomDirectory }> {
  const link = new RedisLink(redis().url, nodeId, createLogger('silent'));
  const directory = new RoomDirectory(link, nodeId, LEASE_MS, createLogger('silent'));
  onTestFinished(async () => {
    await directory.close();
    await link.close();
  });
  directory.start(`http://${nodeId}.test`);
  await waitFor(() => link.ready, 10_000, 'redis');
  return { link, directory };
}

it('SCALE3 the first node asked claims a room, renews it, and the room is free a lease after its owner stops', async () => {
  const a = await node('node-a');
  const b = await node('node-b');
  expect(await a.directory.owner('room1')).toEqual({ nodeId: 'node-a', url: 'http://node-a.test', self: true });
  expect(await b.directory.owner('room1')).toEqual({ nodeId: 'node-a', url: 'http://node-a.test', self: false });
  // Renewed: still node A's after several leases.
  await new Promise((r) => setTimeout(r, 3 * LEASE_MS));
  expect(await b.directory.owner('room1')).toMatchObject({ nodeId: 'node-a', self: false });
  expect(a.directory.ownedRooms()).toEqual(['room1']);

  // Node A "dies": its connection drops without giving anything up; B gets the room after the lease.
  await a.link.close();
  let owner = await b.directory.owner('room1');
  const deadline = Date.now() + 5 * LEASE_MS;
  while (!owner.self && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    owner = await b.directory.owner('room1');
  }
  expect(owner).toEqual({ nodeId: 'node-b', url: 'http://node-b.test', self: true });
});

it('SCALE3 a lease another node took is reported lost; close gives the leases up', async () => {
  const b = await node('node-b');
  const raw = new Redis(redis().url);
  onTestFinished(() => void raw.disconnect());
  expect(await b.directory.owner('room2')).toMatchObject({ self: true });
  const lost: [string, string][] = [];
  b.directory.on('lost', (roomId, owner) => lost.push([roomId, owner]));
  await raw.set('coderoom:room:room2', 'node-c', 'PX', 60_000);
  await waitFor(() => lost.length > 0, 5 * LEASE_MS, 'the lease to be reported lost');
  expect(lost).toEqual([['room2', 'node-c']]);
  expect(b.directory.owns('room2')).toBe(false);

  expect(await b.directory.owner('room3')).toMatchObject({ self: true });
  expect(await raw.get('coderoom:room:room3')).toBe('node-b');
  expect(await raw.get('coderoom:node:node-b')).toBe('http://node-b.test');
  await b.directory.close();
  expect(await raw.get('coderoom:room:room3')).toBeNull();
  expect(await raw.get('coderoom:node:node-b')).toBeNull();
  expect(await raw.get('coderoom:room:room2')).toBe('node-c');
});
