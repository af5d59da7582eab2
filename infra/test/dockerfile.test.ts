// INF1..INF4: the root Dockerfile, linted with dockerfile-utils and checked structurally with
// dockerfile-ast (no container engine runs here to build it), its .dockerignore and entry point.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerfileFindings, ignoreMatcher, parseStages } from './dockerfileRules.js';
import { INFRA_DIR } from './kustomize.js';

const ROOT = join(INFRA_DIR, '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
const entrypoint = join(INFRA_DIR, 'docker', 'entrypoint.sh');

describe('Dockerfile', () => {
  it('INF1 passes the lint and every structural rule', () => {
    expect(dockerfileFindings(dockerfile, ROOT, dockerignore)).toEqual([]);
    const stages = parseStages(dockerfile);
    expect(stages.map((s) => s.alias)).toEqual(['worker', 'toolchain', 'build', 'deps', 'runtime']);
    expect(stages.at(-1)!.image).toBe('node:22-bookworm-slim');
  });

  it('INF2 each rule can fail', () => {
    const broken = (from: string, to: string) => {
      expect(dockerfile, `fixture: ${from}`).toContain(from);
      return dockerfileFindings(dockerfile.replace(from, to), ROOT, dockerignore);
    };
    expect(broken('USER coderoom:coderoom', 'USER root')).toEqual(['runtime stage runs as root']);
    expect(broken('ARG NODE_VERSION=22', 'ARG NODE_VERSION=20')).toEqual(['runtime base node:20-bookworm-slim is not node:22 or node:24 slim']);
    expect(broken('FROM node:${NODE_VERSION}-bookworm-slim AS runtime', 'FROM node:${NODE_VERSION}-bookworm AS runtime')).toEqual([
      'stage runtime: base node:22-bookworm is not a Node slim image',
      'runtime base node:22-bookworm is not node:22 or node:24 slim',
    ]);
    expect(broken('HEALTHCHECK --interval', 'LABEL x=1\n# HEALTHCHECK --interval').join('\n')).toMatch(/no HEALTHCHECK/);
    expect(broken('RUN npm ci --omit=dev', 'RUN npm ci')).toEqual(['node_modules of the runtime stage do not come from an `npm ci --omit=dev` stage']);
    expect(broken('ENV NODE_ENV=production', 'ENV DATABASE_URL=postgres://u:p@db/x NODE_ENV=production')).toEqual(['ENV DATABASE_URL bakes a secret into the image']);
    expect(broken('COPY infra/scripts/signing-key.mjs', 'COPY infra/.env /app/.env\nCOPY infra/scripts/signing-key.mjs')).toEqual([
      'COPY infra/.env copies a secret',
      'COPY infra/.env: no such file in the build context',
    ]);
    expect(broken('MEDIASOUP_WORKER_BIN=/usr/local/lib/coderoom/mediasoup-worker\n\nUSER', 'MEDIASOUP_WORKER_BIN=/opt/other\n\nUSER')).toEqual([
      'MEDIASOUP_WORKER_BIN does not point at /usr/local/lib/coderoom/mediasoup-worker',
    ]);
    expect(broken('WORKDIR /app\nCOPY --from=worker', 'workdir app\nCOPY --from=worker')).toEqual([
      expect.stringMatching(/^lint line \d+: Instructions should be written in uppercase letters$/),
      expect.stringMatching(/^lint line \d+: WORKDIR paths should be absolute$/),
    ]);
  });

  it('INF3 .dockerignore keeps local state, build output and secrets out of the context, and nothing the Dockerfile copies', () => {
    const ignored = ignoreMatcher(dockerignore);
    for (const p of ['node_modules', 'web/node_modules/react', 'cli/dist', '.git/HEAD', 'data/coderoom.db', 'infra/.env', 'x/tls.pem', 'infra/k8s/overlays/dev/keys/private/keys/signing.jwk.json']) {
      expect(ignored(p), p).toBe(true);
    }
    for (const p of ['cli/bin/coderoom.js', 'media-server/patches', 'infra/scripts/signing-key.mjs', 'web/src/main.tsx', 'package-lock.json']) expect(ignored(p), p).toBe(false);
    expect(ignoreMatcher('**/dist\n!keep/dist')('keep/dist')).toBe(false);
    // A rule that hides a file the Dockerfile copies is a finding.
    expect(dockerfileFindings(dockerfile, ROOT, `${dockerignore}\nmedia-server/patches\n`)).toEqual(['COPY media-server/patches: excluded from the build context by .dockerignore']);
  });

  it('INF4 the entry point is valid sh and starts every plane from a file the build produces', () => {
    const r = spawnSync('sh', ['-n', entrypoint], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const script = readFileSync(entrypoint, 'utf8');
    const cases = Object.fromEntries([...script.matchAll(/^\s+([a-z |]+)\) exec (.*) ;;$/gm)].map((m) => [m[1]!.trim(), m[2]!]));
    expect(cases['all | control']).toBe('node /app/cli/bin/coderoom.js start "$@"');
    expect(cases.pty).toBe('node /app/pty-gateway/dist/main.js "$@"');
    expect(cases.media).toBe('node /app/media-server/dist/main.js "$@"');
    expect(cases.keys).toBe('node /app/infra/scripts/signing-key.mjs "$@"');
    // /app/<pkg>/dist/main.js is tsc's output of <pkg>/src/main.ts; the rest are copied as they are.
    for (const f of ['cli/bin/coderoom.js', 'pty-gateway/src/main.ts', 'media-server/src/main.ts', 'infra/scripts/signing-key.mjs']) expect(existsSync(join(ROOT, f)), f).toBe(true);
    expect(dockerfile).toContain('COPY infra/docker/entrypoint.sh /usr/local/bin/coderoom-entrypoint');
    expect(dockerfile).toContain('ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/coderoom-entrypoint"]');
  });
});
