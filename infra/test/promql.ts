// Just enough of PromQL's lexical structure to find the metric and label names an expression
// uses; promtool's real parser checks the syntax separately (dashboards.test.ts).

/** A selector `name{label op "value", ...}` or a bare `name`, with the labels it matches on. */
export interface Selector {
  metric: string;
  labels: string[];
}

/** The metric selectors of `expr`, and the labels of every `by (...)` / `without (...)`. */
export function analyse(expr: string): { selectors: Selector[]; groupingLabels: string[] } {
  // String literals can hold anything (regexes, `$instance`): blank them out first.
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const groupingLabels: string[] = [];
  rest = rest.replace(/\b(by|without)\s*\(([^)]*)\)/g, (_m, _kw: string, list: string) => {
    groupingLabels.push(...list.split(',').map((s) => s.trim()).filter(Boolean));
    return ' ';
  });
  rest = rest.replace(/\[[^\]]*\]/g, ' '); // range and subquery durations
  const selectors: Selector[] = [];
  // An identifier followed by `(` is a function or aggregation; anything else is a metric name.
  const re = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?\s*(\()?/g;
  for (const m of rest.matchAll(re)) {
    const [, name, matchers, call] = m;
    if (call || KEYWORDS.has(name!)) continue;
    const labels = matchers ? [...matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map((x) => x[1]!) : [];
    selectors.push({ metric: name!, labels });
  }
  return { selectors, groupingLabels };
}

/** Binary-operator keywords and modifiers that are not metric names. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'inf', 'nan', 'Inf', 'NaN']);

/** What a Prometheus text exposition declares: metric families with their type, and the label names each sample carries. */
export interface Scrape {
  types: Map<string, string>;
  labels: Map<string, Set<string>>;
}

/** Parses the text exposition format (what `/metrics` answers). */
export function parseScrape(body: string): Scrape {
  const types = new Map<string, string>();
  const labels = new Map<string, Set<string>>();
  for (const line of body.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) types.set(t[1]!, t[2]!);
    const s = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? /.exec(line);
    if (s) {
      const set = labels.get(s[1]!) ?? new Set<string>();
      for (const l of (s[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) set.add(l[1]!);
      labels.set(s[1]!, set);
    }
  }
  return { types, labels };
}

/** Series Prometheus makes itself for every target, and labels it attaches to every series. */
const SYNTHETIC_METRICS = new Set(['up']);
const TARGET_LABELS = ['job', 'instance'];

/**
 * The problems of `expr` against a scrape: metric names the scrape does not declare (histograms
 * and summaries answer to their `_bucket`, `_count` and `_sum` series), label names no sample of
 * that metric carries, and grouping labels none of the expression's metrics carry (label checks
 * need samples: a labelled metric nothing has set yet has none).
 */
export function problemsAgainst(expr: string, scrape: Scrape): string[] {
  const problems: string[] = [];
  const { selectors, groupingLabels } = analyse(expr);
  if (selectors.length === 0) problems.push(`no metric in ${expr}`);
  const available = new Set<string>([...TARGET_LABELS, 'le', 'quantile']);
  let allSampled = true;
  for (const { metric, labels } of selectors) {
    if (SYNTHETIC_METRICS.has(metric)) continue;
    const family = scrape.types.has(metric) ? metric : metric.replace(/_(bucket|count|sum)$/, '');
    const type = scrape.types.get(family);
    if (!type || (family !== metric && type !== 'histogram' && type !== 'summary')) {
      problems.push(`unknown metric ${metric}`);
      continue;
    }
    const seen = scrape.labels.get(metric);
    seen?.forEach((l) => available.add(l));
    if (!seen) {
      allSampled = false;
      continue;
    }
    for (const l of labels) if (!TARGET_LABELS.includes(l) && !seen.has(l)) problems.push(`${metric} has no label ${l}`);
  }
  if (allSampled) for (const l of groupingLabels) if (!available.has(l)) problems.push(`no metric of the expression has label ${l} (by/without)`);
  return problems;
}
