import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration } from 'prom-client';

/** Prefix of every CodeRoom metric (Prometheus naming: `coderoom_<what>_<unit>[_total]`). */
export const METRIC_PREFIX = 'coderoom_';

/**
 * The one registry of this process, served at `/metrics`. The all-in-one hub composes every
 * plane in one process, so they all register here; a standalone service serves only its own.
 * Holds the default process metrics (CPU, memory, event-loop lag, GC) with the same prefix.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: METRIC_PREFIX });
// prom-client's totals of these are gauges named `_total`, which Prometheus reserves for counters
// (`promtool check metrics` rejects them); the per-type gauges without the suffix stay.
for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) metricsRegistry.removeSingleMetric(METRIC_PREFIX + name);

/** Buckets for latencies of in-memory and local-disk work, in seconds (50 µs .. 2.5 s). */
export const FAST_LATENCY_BUCKETS_SECONDS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Configuration without the registry and with the name relative to METRIC_PREFIX. */
type Relative<C> = Omit<C, 'registers' | 'name'> & { name: string };

function existing<M>(name: string): M | undefined {
  return metricsRegistry.getSingleMetric(METRIC_PREFIX + name) as M | undefined;
}

/** A counter `coderoom_<name>` (the name must end in `_total`); registering a name twice returns the first. */
export function defineCounter<L extends string = string>(config: Relative<CounterConfiguration<L>>): Counter<L> {
  if (!config.name.endsWith('_total')) throw new Error(`counter ${config.name} must end in _total`);
  return existing<Counter<L>>(config.name) ?? new Counter<L>({ ...config, name: METRIC_PREFIX + config.name, registers: [metricsRegistry] });
}

/** A gauge `coderoom_<name>`; registering a name twice returns the first. */
export function defineGauge<L extends string = string>(config: Relative<GaugeConfiguration<L>>): Gauge<L> {
  return existing<Gauge<L>>(config.name) ?? new Gauge<L>({ ...config, name: METRIC_PREFIX + config.name, registers: [metricsRegistry] });
}

/** A histogram `coderoom_<name>` (name with its unit, e.g. `_seconds`); registering a name twice returns the first. */
export function defineHistogram<L extends string = string>(config: Relative<HistogramConfiguration<L>>): Histogram<L> {
  return existing<Histogram<L>>(config.name) ?? new Histogram<L>({ ...config, name: METRIC_PREFIX + config.name, registers: [metricsRegistry] });
}

/** Connections by plane (`collab`, `pty`, `media`): WebSockets currently open. */
export const connectionsGauge = defineGauge<'plane'>({ name: 'connections', help: 'Open WebSocket connections by plane.', labelNames: ['plane'] });

/** Errors answered to clients, by error code (HTTP error bodies and refused upgrades). */
export const errorsCounter = defineCounter<'code'>({ name: 'errors_total', help: 'Errors answered to clients, by error code.', labelNames: ['code'] });

/** 1 when the service's /readyz answers ready, else 0; set at each scrape by the service. */
export const readyGauge = defineGauge({ name: 'ready', help: 'Whether the service is ready (1) or not (0), as /readyz answers.' });

/** Elapsed seconds since `start` (a `process.hrtime.bigint()` reading). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** The `/metrics` response: the registry in the Prometheus text format. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
