// INF8..INF9: the Grafana dashboards query only metrics and labels a live hub exports, in PromQL
// that promtool parses, and the provisioning files load them from where compose mounts them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startHubProcess } from '../../cli/test/hubProcess.js';
import { INFRA_DIR } from './kustomize.js';
import { parseScrape, problemsAgainst } from './promql.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- dashboards are walked as plain data */

const DASHBOARD_DIR = join(INFRA_DIR, 'grafana', 'dashboards');
const files = readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json')).sort();
const dashboards = files.map((f) => ({ file: f, json: JSON.parse(readFileSync(join(DASHBOARD_DIR, f), 'utf8')) as any }));

/** Every PromQL expression of a dashboard, with where it is. */
function expressions(d: any): { where: string; expr: string }[] {
  return d.panels.flatMap((p: any) => p.targets.map((t: any) => ({ where: `${d.uid} panel "${p.title}" ${t.refId}`, expr: t.expr as string })));
}
/** Dashboard variables as Prometheus would see them after Grafana interpolates them. */
const asPromQL = (expr: string) => expr.replaceAll('$instance', '.*');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'coderoom-dash-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Grafana dashboards', () => {
  it('INF8 one dashboard per plane and an overview, unique uids, every panel on the provisioned datasource', () => {
    expect(files).toEqual(['coderoom-collab.json', 'coderoom-media.json', 'coderoom-overview.json', 'coderoom-terminal.json']);
    expect(new Set(dashboards.map((d) => d.json.uid)).size).toBe(files.length);
    const ds = parse(readFileSync(join(INFRA_DIR, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as any;
    const uid = ds.datasources[0].uid;
    expect(ds.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    for (const { json } of dashboards) {
      expect(json.panels.length).toBeGreaterThan(5);
      for (const p of json.panels) {
        expect(p.datasource, `${json.uid} ${p.title}`).toEqual({ type: 'prometheus', uid });
        for (const t of p.targets) expect(t.datasource.uid).toBe(uid);
      }
    }
  });

  it('INF8 provisioning loads the dashboards from where compose mounts them', () => {
    const prov = parse(readFileSync(join(INFRA_DIR, 'grafana', 'provisioning', 'dashboards', 'coderoom.yml'), 'utf8')) as any;
    const path = prov.providers[0].options.path as string;
    const compose = parse(readFileSync(join(INFRA_DIR, 'compose.yaml'), 'utf8'), { merge: true }) as any;
    const volumes: string[] = compose.services.grafana.volumes;
    expect(volumes).toContain(`./grafana/dashboards:${path}:ro`);
    expect(volumes).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
  });

  it('INF9 every expression parses (promtool) and names only metrics and labels a live hub exports', async () => {
    const hub = await startHubProcess(join(dir, 'data'));
    const res = await fetch(`${hub.url}/metrics`);
    expect(res.status).toBe(200);
    const scrape = parseScrape(await res.text());
    expect(scrape.types.size).toBeGreaterThan(20);

    const all = dashboards.flatMap((d) => expressions(d.json));
    expect(all.length).toBeGreaterThan(40);
    // promtool's parser: every expression as a recording rule.
    const rules = { groups: [{ name: 'dashboards', rules: all.map((e, i) => ({ record: `dashboard:expr_${i}`, expr: asPromQL(e.expr) })) }] };
    const file = join(dir, 'dashboards.rules.yml');
    writeFileSync(file, stringify(rules));
    const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(check.error, 'promtool (Debian package prometheus)').toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).toContain(`SUCCESS: ${all.length} rules found`);

    const problems = all.flatMap((e) => problemsAgainst(asPromQL(e.expr), scrape).map((p) => `${e.where}: ${p}`));
    expect(problems).toEqual([]);
    // The variable's query names a metric too.
    for (const { json } of dashboards) {
      const q = json.templating.list[0].query.query as string;
      const metric = /^label_values\((\w+), instance\)$/.exec(q)?.[1];
      expect(metric && scrape.types.has(metric), q).toBe(true);
    }
  });

  it('INF9 the checker reports a metric or label the scrape does not have', () => {
    const sample = parseScrape(
      [
        '# TYPE coderoom_collab_updates_applied_total counter',
        'coderoom_collab_updates_applied_total 3',
        '# TYPE coderoom_media_workers gauge',
        'coderoom_media_workers{state="alive"} 1',
        '# TYPE coderoom_pty_viewers gauge',
        'coderoom_pty_viewers 0',
        '# TYPE coderoom_ready gauge',
        'coderoom_ready 1',
        '# TYPE coderoom_collab_fanout_seconds histogram',
        'coderoom_collab_fanout_seconds_bucket{le="0.005"} 0',
        '',
      ].join('\n'),
    );
    expect(problemsAgainst('sum(rate(coderoom_collab_updates_aplied_total[5m]))', sample)).toEqual(['unknown metric coderoom_collab_updates_aplied_total']);
    expect(problemsAgainst('coderoom_ready_bucket', sample)).toEqual(['unknown metric coderoom_ready_bucket']);
    expect(problemsAgainst('sum(coderoom_media_workers{stat="alive"})', sample)).toEqual(['coderoom_media_workers has no label stat']);
    expect(problemsAgainst('sum by (plane) (coderoom_pty_viewers)', sample)).toEqual(['no metric of the expression has label plane (by/without)']);
    expect(problemsAgainst('histogram_quantile(0.99, sum by (le) (rate(coderoom_collab_fanout_seconds_bucket{instance=~".*"}[5m])))', sample)).toEqual([]);
    expect(problemsAgainst('sum(up{job=~"coderoom-.*"}) / scalar(coderoom_ready)', sample)).toEqual([]);
  });
});
