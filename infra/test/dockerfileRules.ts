import { existsSync } from 'node:fs';
import { join } from 'node:path';
import dockerignoreModule from '@balena/dockerignore';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/** One build stage: its FROM line's image (ARGs resolved) and alias, and its instructions. */
export interface Stage {
  image: string;
  alias: string | null;
  instructions: { keyword: string; args: string; flags: string[] }[];
}

/** The package is CommonJS (`module.exports = factory`) with an ESM-style `export default` in its types. */
const ignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;

/** Environment and build-arg names that must never be given a value in an image. */
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|PRIVATE|CREDENTIAL|API_KEY|DATABASE_URL|REDIS_URL/i;
/** Files that must never be copied into an image. */
const SECRET_FILE = /(^|\/)(\.env(\..*)?|.*\.pem|.*\.key|signing\.jwk\.json|keys\/?)$/;
/** Accepted bases of the runtime stage: Node 22 or 24 on a Debian slim image. */
const RUNTIME_BASE = /^node:(22|24)(\.\d+)*-[a-z]+-slim$/;

function flagsOf(i: Instruction): string[] {
  return 'getFlags' in i ? (i as unknown as { getFlags(): { toString(): string }[] }).getFlags().map((f) => f.toString()) : [];
}

/** Parses a Dockerfile into stages with dockerfile-ast; global ARG defaults are substituted into FROM. */
export function parseStages(text: string): Stage[] {
  const dockerfile = DockerfileParser.parse(text);
  const defaults = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const p = arg.getProperty();
    if (p?.getName() && p.getValue() !== null) defaults.set(p.getName(), p.getValue()!);
  }
  const stages: Stage[] = [];
  for (const i of dockerfile.getInstructions()) {
    const keyword = i.getKeyword().toUpperCase();
    // Arguments without the flags (`--from=build`), continuations joined.
    const args = i.getArguments().map((a) => a.getValue()).join(' ');
    if (keyword === 'FROM') {
      const [image = '', as, alias] = i.getArguments().map((a) => a.getValue());
      const resolved = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => defaults.get((a ?? b)!) ?? '');
      stages.push({ image: resolved, alias: as?.toUpperCase() === 'AS' ? (alias ?? null) : null, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1]!.instructions.push({ keyword, args, flags: flagsOf(i) });
    }
  }
  return stages;
}

/**
 * What is wrong with the Dockerfile, by the rules of infra/SPEC.md INF1..INF4: dockerfile-utils'
 * lint, a multi-stage build, a Node 22/24 slim non-root runtime with a HEALTHCHECK and an entry
 * point, production dependencies only, the mediasoup worker built in and pointed at, no secret
 * baked in, and every file it copies present in `repoRoot`. Empty when all is well.
 */
export function dockerfileFindings(text: string, repoRoot: string, dockerignore = ''): string[] {
  const ignored = ignoreMatcher(dockerignore);
  const findings = validate(text).map((d) => `lint line ${d.range.start.line + 1}: ${d.message}`);
  const stages = parseStages(text);
  const aliases = new Set(stages.map((s) => s.alias).filter(Boolean));
  if (stages.length < 3) findings.push(`expected a multi-stage build, found ${stages.length} stage(s)`);
  for (const s of stages) {
    if (!aliases.has(s.image) && !/^node:\d+(\.\d+)*-[a-z]+-slim$/.test(s.image)) findings.push(`stage ${s.alias ?? '?'}: base ${s.image} is not a Node slim image`);
  }
  const final = stages[stages.length - 1];
  if (!final) return [...findings, 'no FROM'];
  if (!RUNTIME_BASE.test(final.image)) findings.push(`runtime base ${final.image} is not node:22 or node:24 slim`);
  const byKeyword = (s: Stage, k: string) => s.instructions.filter((i) => i.keyword === k);
  const user = byKeyword(final, 'USER').at(-1)?.args.split(':')[0];
  if (!user) findings.push('runtime stage sets no USER');
  else if (user === 'root' || user === '0') findings.push(`runtime stage runs as ${user}`);
  if (byKeyword(final, 'HEALTHCHECK').length === 0) findings.push('runtime stage has no HEALTHCHECK');
  if (byKeyword(final, 'ENTRYPOINT').length === 0) findings.push('runtime stage has no ENTRYPOINT');

  // Production dependencies: the runtime's node_modules come from a stage that ran `npm ci --omit=dev`.
  const copies = byKeyword(final, 'COPY').map((c) => ({ ...c, from: c.flags.find((f) => f.startsWith('--from='))?.slice('--from='.length) }));
  const modules = copies.find((c) => / node_modules$/.test(c.args) || c.args.startsWith('/app/node_modules'));
  const modulesStage = stages.find((s) => s.alias === modules?.from);
  if (!modulesStage || !byKeyword(modulesStage, 'RUN').some((r) => /npm ci\b.*--omit=dev/.test(r.args))) {
    findings.push('node_modules of the runtime stage do not come from an `npm ci --omit=dev` stage');
  }
  // The mediasoup worker: built by build-worker in a stage, copied in, and MEDIASOUP_WORKER_BIN points at it.
  const worker = copies.find((c) => /mediasoup-worker/.test(c.args) && c.from);
  const workerStage = stages.find((s) => s.alias === worker?.from);
  if (!worker || !workerStage || !byKeyword(workerStage, 'RUN').some((r) => r.args.includes('scripts/build-worker'))) {
    findings.push('the mediasoup worker is not built from sources (scripts/build-worker) and copied in');
  } else {
    const dest = worker.args.split(' ').at(-1);
    const env = byKeyword(final, 'ENV').map((e) => e.args).join(' ');
    if (!env.includes(`MEDIASOUP_WORKER_BIN=${dest}`)) findings.push(`MEDIASOUP_WORKER_BIN does not point at ${dest}`);
  }

  for (const s of stages) {
    for (const i of s.instructions) {
      if (i.keyword === 'ENV' || i.keyword === 'ARG') {
        for (const name of [...i.args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]!).concat(i.keyword === 'ARG' ? [i.args.split('=')[0]!] : [])) {
          if (SECRET_NAME.test(name)) findings.push(`${i.keyword} ${name} bakes a secret into the image`);
        }
      }
      if (i.keyword === 'ADD' && /https?:\/\//.test(i.args)) findings.push('ADD from a URL: download in a RUN step with a checksum instead');
      if ((i.keyword === 'COPY' || i.keyword === 'ADD') && !i.flags.some((f) => f.startsWith('--from='))) {
        const parts = i.args.split(' ').filter(Boolean);
        for (const src of parts.slice(0, -1)) {
          if (SECRET_FILE.test(src)) findings.push(`${i.keyword} ${src} copies a secret`);
          if (!existsSync(join(repoRoot, src))) findings.push(`${i.keyword} ${src}: no such file in the build context`);
          else if (ignored(src)) findings.push(`${i.keyword} ${src}: excluded from the build context by .dockerignore`);
        }
      }
    }
  }
  return findings;
}

/** Whether .dockerignore excludes a path, by Docker's rules (@balena/dockerignore, as docker-modem uses). */
export function ignoreMatcher(dockerignore: string): (path: string) => boolean {
  const ig = ignore().add(dockerignore.split('\n'));
  return (path) => ig.ignores(path.replace(/^\.\//, ''));
}
