// INF10..INF13: the Kubernetes overlays render with kustomize (kubectl's built-in kustomize v5)
// and every rendered object passes the Kubernetes / prometheus-operator JSON schemas
// (kubernetes-models); the deployment invariants of infra/SPEC.md hold in both overlays.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INFRA_DIR, kustomize, parseManifests, renderOverlay, type K8sObject } from './kustomize.js';
import { schemaProblems } from './k8sSchema.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are walked as plain data */

const rendered: Record<'dev' | 'prod', K8sObject[]> = { dev: [], prod: [] };
const cleanups: (() => void)[] = [];

beforeAll(() => {
  for (const overlay of ['dev', 'prod'] as const) {
    const r = renderOverlay(overlay);
    cleanups.push(r.cleanup);
    rendered[overlay] = r.objects;
  }
});
afterAll(() => cleanups.forEach((c) => c()));

const of = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind) as any[];
const named = (objects: K8sObject[], kind: string, name: string) => of(objects, kind).find((o) => o.metadata.name === name);
/** The three planes and the HTTP port each listens on. */
const PLANES = { control: 8080, pty: 8082, media: 8083 } as const;

describe.each(['dev', 'prod'] as const)('overlay %s', (overlay) => {
  it('INF10 renders, and every object passes its Kubernetes or CRD schema', async () => {
    const objects = rendered[overlay];
    expect(objects.length).toBeGreaterThan(15);
    const problems = (await Promise.all(objects.map(schemaProblems))).flat();
    expect(problems).toEqual([]);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const k of ['Deployment', 'Service', 'Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceMonitor', 'ConfigMap', 'PersistentVolumeClaim', 'Namespace']) {
      expect(kinds, k).toContain(k);
    }
    const ns = of(objects, 'Namespace')[0].metadata.name;
    for (const o of objects) if (o.kind !== 'Namespace') expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(ns);
  });

  it('INF11 each plane: probes on /readyz and /healthz, requests and limits, non-root, an HPA and a PDB', () => {
    const objects = rendered[overlay];
    for (const [plane, port] of Object.entries(PLANES)) {
      const name = `coderoom-${plane}`;
      const dep = named(objects, 'Deployment', name);
      expect(dep, name).toBeDefined();
      const pod = dep.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      const [c] = pod.containers;
      expect(c.args).toEqual([plane]);
      expect(c.ports.find((p: any) => p.name === 'http').containerPort).toBe(port);
      expect(c.env.find((e: any) => e.name === 'PORT').value).toBe(String(port));
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      for (const r of ['cpu', 'memory']) {
        expect(c.resources.requests[r], `${name} requests.${r}`).toBeDefined();
        expect(c.resources.limits[r], `${name} limits.${r}`).toBeDefined();
      }
      expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
      const labels = dep.spec.selector.matchLabels;
      expect(dep.spec.template.metadata.labels).toMatchObject(labels);
      const hpa = named(objects, 'HorizontalPodAutoscaler', name);
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
      const pdb = named(objects, 'PodDisruptionBudget', name);
      expect(pdb.spec.selector.matchLabels).toEqual(labels);
      // Every Service that selects these pods targets the http port.
      const svcs = of(objects, 'Service').filter((s) => Object.entries(s.spec.selector).every(([k, v]) => labels[k] === v));
      expect(svcs.length, `${name} services`).toBeGreaterThan(0);
      for (const s of svcs) expect(s.spec.ports[0].targetPort).toBe('http');
    }
  });

  it('INF11 secrets: the control plane alone mounts the private key; every referenced Secret exists or is documented as external', () => {
    const objects = rendered[overlay];
    const secretRefs = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.secretName === 'string') secretRefs.add(o.secretName);
        if (o.secretKeyRef && typeof (o.secretKeyRef as any).name === 'string') secretRefs.add((o.secretKeyRef as any).name);
        Object.values(o).forEach(walk);
      }
    };
    walk(objects);
    const defined = new Set(of(objects, 'Secret').map((s) => s.metadata.name));
    const external = overlay === 'prod' ? ['coderoom-database', 'coderoom-signing-key', 'coderoom-tls'] : [];
    for (const ref of secretRefs) expect(defined.has(ref) || external.includes(ref), `Secret ${ref}`).toBe(true);
    if (overlay === 'dev') expect(defined.size).toBe(2);
    else expect(defined.size).toBe(0); // nothing secret is rendered from the repository in prod
    const keyItems = (dep: any) =>
      dep.spec.template.spec.volumes.filter((v: any) => v.secret?.secretName.startsWith('coderoom-signing-key')).flatMap((v: any) => v.secret.items.map((i: any) => i.key));
    expect(keyItems(named(objects, 'Deployment', 'coderoom-control'))).toEqual(['signing.jwk.json']);
    expect(keyItems(named(objects, 'Deployment', 'coderoom-pty'))).toEqual(['public.jwk.json']);
    expect(keyItems(named(objects, 'Deployment', 'coderoom-media'))).toEqual(['public.jwk.json']);
  });

  it('INF12 media on the host network, one pod per node, announcing the node address; rooms sticky at the ingress', () => {
    const objects = rendered[overlay];
    const media = named(objects, 'Deployment', 'coderoom-media').spec.template.spec;
    expect(media.hostNetwork).toBe(true);
    expect(media.dnsPolicy).toBe('ClusterFirstWithHostNet');
    const anti = media.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(anti.topologyKey).toBe('kubernetes.io/hostname');
    const env = Object.fromEntries(media.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.MEDIA_ANNOUNCED_ADDRESS).toEqual({ fieldRef: { fieldPath: 'status.hostIP' } });
    const workers = Number(env.MEDIA_WORKERS);
    const base = Number(env.MEDIA_RTC_MIN_PORT);
    const rtcPorts = media.containers[0].ports.filter((p: any) => p.name.startsWith('rtc-'));
    // One UDP and one TCP port per worker, exactly those the WebRtcServers bind.
    expect(rtcPorts.map((p: any) => `${p.protocol}/${p.containerPort}`).sort()).toEqual(
      Array.from({ length: workers }, (_, i) => [`TCP/${base + i}`, `UDP/${base + i}`]).flat().sort(),
    );

    const ingresses = of(objects, 'Ingress');
    const rooms = ingresses.find((i) => i.metadata.name === 'coderoom-rooms');
    expect(rooms.metadata.annotations['nginx.ingress.kubernetes.io/upstream-hash-by']).toBe('$arg_room');
    expect(Number(rooms.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    const routes = Object.fromEntries(rooms.spec.rules[0].http.paths.map((p: any) => [p.path, p.backend.service.name]));
    expect(routes).toEqual({ '/collab': 'coderoom-control-rooms', '/pty': 'coderoom-pty', '/media': 'coderoom-media' });
    // The round-robin Ingress uses another Service than the hashed one (ingress-nginx balances per upstream).
    const main = ingresses.find((i) => i.metadata.name === 'coderoom');
    expect(main.metadata.annotations?.['nginx.ingress.kubernetes.io/upstream-hash-by']).toBeUndefined();
    expect(main.spec.rules[0].http.paths[0].backend.service.name).toBe('coderoom-control');
    const metrics = ingresses.find((i) => i.metadata.name === 'coderoom-metrics');
    expect(metrics.metadata.annotations['nginx.ingress.kubernetes.io/whitelist-source-range']).toBe('127.0.0.1/32');
    expect(new Set(ingresses.map((i) => i.spec.rules[0].host)).size).toBe(1);
  });

  it('INF12 the ServiceMonitor scrapes each plane once, under the job names the alert rules use, and the PrometheusRule carries those rules', () => {
    const objects = rendered[overlay];
    const [sm] = of(objects, 'ServiceMonitor');
    const scraped = of(objects, 'Service').filter((s) => Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v));
    expect(scraped.map((s) => s.metadata.labels[sm.spec.jobLabel]).sort()).toEqual(['coderoom-collab', 'coderoom-media', 'coderoom-pty']);
    expect(sm.spec.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics' });
    const rules = parse(readFileSync(join(INFRA_DIR, 'prometheus', 'rules.yml'), 'utf8'));
    expect(JSON.stringify(rules)).toContain('job=~\\"coderoom-.*\\"');
    // The PrometheusRule is the same rules as infra/prometheus/rules.yml (the file promtool tests).
    const [pr] = of(objects, 'PrometheusRule');
    expect(pr.spec.groups).toEqual(rules.groups);
  });
});

describe('overlay differences', () => {
  it('INF13 prod has the backup CronJob running `coderoom backup`, dev has none; dev runs its own databases', () => {
    expect(of(rendered.dev, 'CronJob')).toEqual([]);
    const [cron] = of(rendered.prod, 'CronJob');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const c = cron.spec.jobTemplate.spec.template.spec.containers[0];
    expect(c.args.join(' ')).toMatch(/coderoom backup --out "\$out"/);
    expect(c.env.find((e: any) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef.name).toBe('coderoom-database');
    const claims = cron.spec.jobTemplate.spec.template.spec.volumes.flatMap((v: any) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []));
    const pvcs = of(rendered.prod, 'PersistentVolumeClaim').map((p) => p.metadata.name);
    for (const claim of claims) expect(pvcs).toContain(claim);
    expect(of(rendered.dev, 'Deployment').map((d) => d.metadata.name).sort()).toEqual(['coderoom-control', 'coderoom-media', 'coderoom-pty', 'postgres', 'redis']);
    expect(named(rendered.prod, 'Ingress', 'coderoom').spec.tls[0].secretName).toBe('coderoom-tls');
    for (const d of of(rendered.dev, 'Deployment').filter((x) => x.metadata.name.startsWith('coderoom-'))) expect(d.spec.replicas).toBe(1);
  });
});

describe('the checks can fail', () => {
  it('INF10 a schema violation in a rendered manifest is reported', async () => {
    const dep = structuredClone(named(rendered.prod, 'Deployment', 'coderoom-control'));
    dep.spec.replicas = 'two';
    delete dep.spec.selector;
    const problems = await schemaProblems(dep);
    expect(problems.join('\n')).toMatch(/replicas must be integer/);
    expect(problems.join('\n')).toMatch(/required property .?selector/);
    const sm = structuredClone(of(rendered.prod, 'ServiceMonitor')[0]);
    sm.spec.endpoints = 'http';
    expect((await schemaProblems(sm)).join('\n')).toMatch(/endpoints must be array/);
    const secret = structuredClone(of(rendered.dev, 'Secret')[0]);
    secret.data.DATABASE_URL = 'not base64!';
    expect((await schemaProblems(secret)).join('\n')).toMatch(/DATABASE_URL must match format "byte"/);
    expect(await schemaProblems({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual(['Widget w: no schema for apiVersion example.com/v1']);
  });

  it('INF10 kustomize refuses a broken overlay', () => {
    const root = mkdtempSync(join(tmpdir(), 'coderoom-k8s-broken-'));
    try {
      cpSync(join(INFRA_DIR, 'k8s'), root, { recursive: true });
      const file = join(root, 'overlays', 'prod', 'kustomization.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('- backup.yaml', '- missing.yaml'));
      expect(() => kustomize(join(root, 'overlays', 'prod'))).toThrow(/missing\.yaml/);
      expect(() => parseManifests('kind: [unclosed')).toThrow();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
