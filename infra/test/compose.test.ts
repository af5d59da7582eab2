// INF5..INF7: infra/compose.yaml against the Compose Specification schema, and the wiring a split
// deployment needs (healthchecks, volumes, no committed secrets, Prometheus and the proxy pointing
// at the right services and ports), with `promtool check config` on the Prometheus config.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeValidator } from './composeSchema.js';
import { INFRA_DIR } from './kustomize.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- the compose file is walked as plain data */

const text = readFileSync(join(INFRA_DIR, 'compose.yaml'), 'utf8');
/** The compose file as Compose reads it (YAML merge keys resolved). */
const compose = parse(text, { merge: true }) as any;
const services = compose.services as Record<string, any>;
const validate = composeValidator();

/** The three planes: compose service, PORT, and the Prometheus job the alert rules expect. */
const PLANES = [
  { service: 'control', port: 8080, job: 'coderoom-collab' },
  { service: 'pty', port: 8082, job: 'coderoom-pty' },
  { service: 'media', port: 8083, job: 'coderoom-media' },
];

/** `name:target[:ro]` volume entries of a service, as [source, target, mode]. */
function mounts(service: string): string[][] {
  return (services[service].volumes ?? []).map((v: string) => v.split(':'));
}

describe('compose.yaml', () => {
  it('INF5 passes the Compose Specification schema, which rejects a misspelt key', () => {
    expect(validate(compose)).toEqual([]);
    const broken = structuredClone(compose);
    broken.services.control.helthcheck = broken.services.control.healthcheck;
    broken.services.pty.depends_on.redis.condition = 'service_ready';
    const errors = validate(broken).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    expect(errors.join('\n')).toMatch(/services\/control .*helthcheck/);
    expect(errors.join('\n')).toMatch(/depends_on\/redis\/condition must be equal to one of the allowed values/);
  });

  it('INF6 has every part of a split deployment, each with a healthcheck, volumes declared, files present', () => {
    for (const s of ['control', 'pty', 'media', 'postgres', 'redis', 'coturn', 'prometheus', 'grafana', 'proxy']) {
      expect(services[s], s).toBeDefined();
      expect(services[s].healthcheck?.test?.length, `${s} healthcheck`).toBeGreaterThan(1);
    }
    const image = services.control.image;
    for (const p of PLANES) {
      expect(services[p.service].image).toBe(image);
      expect(services[p.service].command).toEqual([p.service]);
      expect(services[p.service].environment.PORT).toBe(String(p.port));
      expect(services[p.service].healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${p.port}/readyz`);
      expect(services[p.service].depends_on.keys.condition).toBe('service_completed_successfully');
    }
    for (const [name, s] of Object.entries(services)) {
      for (const dep of Object.keys(s.depends_on ?? {})) expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
      for (const v of s.volumes ?? []) {
        const source = String(v).split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(resolve(INFRA_DIR, source)), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name}: volume ${source}`).toContain(source);
      }
    }
  });

  it('INF6 the media plane publishes exactly one UDP and one TCP port per mediasoup worker, announced as PUBLIC_IP', () => {
    const env = services.media.environment;
    const [workers, base] = [Number(env.MEDIA_WORKERS), Number(env.MEDIA_RTC_MIN_PORT)];
    const range = `${base}-${base + workers - 1}`;
    expect(services.media.ports.sort()).toEqual([`${range}:${range}/tcp`, `${range}:${range}/udp`]);
    expect(env.MEDIA_LISTEN_IP).toBe('0.0.0.0');
    expect(env.MEDIA_ANNOUNCED_ADDRESS).toMatch(/^\$\{PUBLIC_IP:\?/);
    // The control plane's own media plane stays off those ports and publishes nothing.
    expect(Number(services.control.environment.MEDIA_RTC_MIN_PORT)).toBeGreaterThanOrEqual(base + workers);
    expect(services.control.ports).toBeUndefined();
  });

  it('INF6 commits no secret: every password comes from .env, which .env.example lists and git ignores', () => {
    const required = new Set([...text.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!));
    expect(required).toEqual(new Set(['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'TURN_PASSWORD', 'GRAFANA_ADMIN_PASSWORD', 'PUBLIC_IP']));
    const example = readFileSync(join(INFRA_DIR, '.env.example'), 'utf8');
    for (const v of required) expect(example).toMatch(new RegExp(`^${v}=$`, 'm'));
    expect(readFileSync(join(INFRA_DIR, '.gitignore'), 'utf8').split('\n')).toContain('.env');
    for (const [name, s] of Object.entries(services)) {
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (/PASSWORD|SECRET|TOKEN|CREDENTIAL|DATABASE_URL|REDIS_URL|ICE_SERVERS/.test(k)) expect(String(v), `${name}.${k}`).toMatch(/\$\{[A-Z_]+:\?/);
      }
    }
  });

  it('INF7 only the control plane holds the private signing key; the other planes get the public half read-only', () => {
    expect(services.keys.command).toEqual(['keys', '/data', '/data/public-key']);
    const holders = Object.keys(services).filter((s) => mounts(s).some(([src]) => src === 'signing-key'));
    expect(holders.sort()).toEqual(['control', 'keys']);
    for (const plane of ['pty', 'media']) expect(mounts(plane)).toContainEqual(['public-key', '/data/keys', 'ro']);
    // Workspaces and recordings are shared by the control and terminal planes.
    for (const dir of ['workspaces', 'recordings']) {
      expect(mounts('control')).toContainEqual([dir, `/data/${dir}`]);
      expect(mounts('pty')).toContainEqual([dir, `/data/${dir}`]);
    }
  });

  it('INF6 Prometheus scrapes each plane under its rules job name (promtool check config), and the proxy routes to each plane', () => {
    const file = join(INFRA_DIR, 'prometheus', 'prometheus.yml');
    const r = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
    expect(r.error, 'promtool (Debian package prometheus)').toBeUndefined();
    expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS: 1 rule files found/);
    expect(r.status).toBe(0);
    const prom = parse(readFileSync(file, 'utf8')) as any;
    const jobs = Object.fromEntries(prom.scrape_configs.map((j: any) => [j.job_name, j.static_configs[0].targets]));
    for (const p of PLANES) expect(jobs[p.job]).toEqual([`${p.service}:${p.port}`]);
    expect(mounts('prometheus').map(([src, dst]) => `${src}:${dst}`)).toEqual(
      expect.arrayContaining(['./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml', './prometheus/rules.yml:/etc/prometheus/rules.yml']),
    );

    const nginx = readFileSync(join(INFRA_DIR, 'compose', 'nginx.conf'), 'utf8');
    const upstreams = Object.fromEntries([...nginx.matchAll(/upstream (\w+)\s*\{([^}]*)\}/g)].map((m) => [m[1], m[2]!]));
    // Sockets hashed by room, one upstream per plane; REST and the web app round-robin.
    const hashed = { coderoom_collab: 'control', coderoom_pty: 'pty', coderoom_media: 'media' };
    for (const [upstream, service] of Object.entries(hashed)) {
      const p = PLANES.find((x) => x.service === service)!;
      expect(upstreams[upstream], upstream).toBe(` hash $arg_room consistent; server ${service}:${p.port}; `);
    }
    expect(upstreams.coderoom_control).toBe(' server control:8080; ');
    expect(nginx).toMatch(/location = \/collab \{ proxy_pass http:\/\/coderoom_collab; \}/);
    expect(nginx).toMatch(/location \/\s+\{ proxy_pass http:\/\/coderoom_control; \}/);
    expect(nginx).toMatch(/location = \/pty\s+\{ proxy_pass http:\/\/coderoom_pty; \}/);
    expect(nginx).toMatch(/location = \/media \{ proxy_pass http:\/\/coderoom_media; \}/);
    expect(nginx).toMatch(/location = \/metrics \{ return 404; \}/);
  });
});
