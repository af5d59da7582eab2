#!/usr/bin/env node
// Writes the control plane's token signing key for a split deployment, once:
//   node infra/scripts/signing-key.mjs DATA_DIR PUBLIC_DATA_DIR
// DATA_DIR/keys/signing.jwk.json gets the key pair, made by the same code the control plane
// uses (TokenIssuer; an existing key is kept), and PUBLIC_DATA_DIR/keys/signing.jwk.json gets
// only its public half, which is all the terminal and media planes read (TokenVerifier.fromDataDir).
// The planes that run users' shells never see the private key.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenIssuer } from '@coderoom/shared';

const [dataDir, publicDataDir, ...rest] = process.argv.slice(2);
if (!dataDir || !publicDataDir || rest.length > 0) {
  console.error('usage: signing-key.mjs DATA_DIR PUBLIC_DATA_DIR');
  process.exit(2);
}
const issuer = await TokenIssuer.open(dataDir);
const publicDir = join(publicDataDir, 'keys');
mkdirSync(publicDir, { recursive: true });
writeFileSync(join(publicDir, 'signing.jwk.json'), JSON.stringify({ publicJwk: issuer.publicJwk }), { mode: 0o644 });
console.log(`signing key ${issuer.kid}: ${join(dataDir, 'keys', 'signing.jwk.json')} (private), ${join(publicDir, 'signing.jwk.json')} (public)`);
