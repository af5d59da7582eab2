// Stock Hocuspocus (the version CodeRoom builds on), no extensions, default configuration, in its own
// process: prints {"port":N} once listening on 127.0.0.1.
import { Server } from '@hocuspocus/server';

const server = new Server({ address: '127.0.0.1', port: 0, quiet: true });
await server.listen();
console.log(JSON.stringify({ port: server.address.port }));
process.on('SIGTERM', async () => {
  await server.destroy();
  process.exit(0);
});
