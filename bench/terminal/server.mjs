// The gateway under test, in its own process: prints {"port":N} once listening. Args: DATA_DIR.
import { createServer } from 'node:http';
import { createLogger, TokenIssuer, TokenVerifier } from '@coderoom/shared';
import { createPtyGateway, loadPtyConfig } from '@coderoom/pty-gateway';

const dataDir = process.argv[2];
const issuer = await TokenIssuer.open(dataDir);
const config = loadPtyConfig({ PATH: process.env.PATH, LANG: 'C.UTF-8', DATA_DIR: dataDir, PTY_MAX_TERMINALS_PER_ROOM: '64', PTY_INPUT_BYTES_PER_SECOND: '10000000' });
const gateway = createPtyGateway({ config, logger: createLogger('warn'), verifier: new TokenVerifier(issuer.jwks()), audit: { append() {} } });
const server = createServer((_req, res) => res.writeHead(404).end());
server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', async () => {
  await gateway.close();
  server.close();
  process.exit(0);
});
